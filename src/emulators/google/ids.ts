import { randomBytes } from 'node:crypto';

/** base64url uses exactly Drive's id alphabet [A-Za-z0-9_-]. */
function randomChars(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4)).toString('base64url').slice(0, length);
}

/** Drive file ids are 33 characters, in practice starting with '1'. */
export const newFileId = (): string => `1${randomChars(32)}`;
/** Real My Drive root ids start with 0A and end with base64('ROOT') = 'Uk9PVA'. */
export const newRootId = (): string => `0A${randomChars(13)}Uk9PVA`;
export const newAccessToken = (): string => `ya29.a0${randomChars(160)}`;
export const newRefreshToken = (): string => `1//0${randomChars(99)}`;
export const newAuthCode = (): string => `4/0A${randomChars(70)}`;
export const newUploadId = (): string => `AHVrFx${randomChars(90)}`;
export const newRequestId = (): string => randomChars(24);
/** Photos media item and album ids: long opaque base64url strings starting with 'A'. */
export const newMediaItemId = (): string => `AK${randomChars(96)}`;
export const newAlbumId = (): string => `AF${randomChars(62)}`;
/** Photos upload tokens are opaque; real ones are base64 of a protobuf, about this long. */
export const newUploadToken = (): string => `CAIS${randomChars(150)}`;
