/** The Photos Library API operations, as the fault injector and the request stats name them. */
export const PHOTOS_OPS = [
  'photosRawUpload',
  'photosUploadStart',
  'photosUploadChunk',
  'photosUploadQuery',
  'photosBatchCreate',
  'photosMediaSearch',
  'photosMediaGet',
  'photosMediaList',
  'photosAlbumCreate',
  'photosAlbumGet',
  'photosAlbumList',
] as const;
export type PhotosOp = (typeof PHOTOS_OPS)[number];

/** Ops that create something: the per-user write quota counts these (chunks and queries of a session do not). */
export const PHOTOS_WRITE_OPS: ReadonlySet<string> = new Set<PhotosOp>(['photosRawUpload', 'photosUploadStart', 'photosBatchCreate', 'photosAlbumCreate']);
