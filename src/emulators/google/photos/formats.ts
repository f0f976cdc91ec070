/**
 * What batchCreate accepts (guides/upload-media): photos AVIF, BMP, GIF, HEIC, ICO, JPG, PNG, TIFF, WEBP and some
 * RAW; videos 3GP, 3G2, ASF, AVI, DIVX, M2T, M2TS, M4V, MKV, MMV, MOD, MOV, MP4, MPG, MTS, TOD, WMV.
 * Google looks at the bytes; the emulator goes by the file name's extension (the gallery's bytes are synthetic),
 * then by X-Goog-Upload-Content-Type when no name has an extension.
 */
const PHOTO_EXTENSIONS = new Set(['avif', 'bmp', 'gif', 'heic', 'heif', 'ico', 'jpg', 'jpeg', 'png', 'tif', 'tiff', 'webp', 'dng', 'cr2', 'nef', 'arw']);
const VIDEO_EXTENSIONS = new Set(['3gp', '3g2', 'asf', 'avi', 'divx', 'm2t', 'm2ts', 'm4v', 'mkv', 'mmv', 'mod', 'mov', 'mp4', 'mpg', 'mts', 'tod', 'wmv']);

const MIME_BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heif',
  heif: 'image/heif',
  avif: 'image/avif',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  avi: 'video/x-msvideo',
  mkv: 'video/x-matroska',
};

export type MediaKind = 'photo' | 'video';

export interface MediaFormat {
  kind: MediaKind;
  mimeType: string;
}

const extensionOf = (name: string): string | undefined => /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();

/** The format of an upload, or undefined when Google would answer NOT_IMAGE. */
export function mediaFormat(fileName: string | undefined, uploadContentType: string | undefined): MediaFormat | undefined {
  const extension = fileName === undefined ? undefined : extensionOf(fileName);
  const declared = uploadContentType?.toLowerCase();
  if (extension !== undefined) {
    const kind = PHOTO_EXTENSIONS.has(extension) ? 'photo' : VIDEO_EXTENSIONS.has(extension) ? 'video' : undefined;
    return kind && { kind, mimeType: MIME_BY_EXTENSION[extension] ?? `${kind === 'photo' ? 'image' : 'video'}/${extension}` };
  }
  if (declared?.startsWith('image/')) return { kind: 'photo', mimeType: declared };
  if (declared?.startsWith('video/')) return { kind: 'video', mimeType: declared };
  return undefined;
}
