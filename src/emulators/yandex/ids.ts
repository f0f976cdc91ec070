import { randomBytes } from 'node:crypto';

function randomChars(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4)).toString('base64url').slice(0, length);
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** Current Yandex OAuth tokens start with "y0_". */
export const newAccessToken = (): string => `y0_${randomChars(55)}`;
/** Refresh tokens in the Yandex ID docs look like "1:<16>:<52>:<22>". */
export const newRefreshToken = (): string => `1:${randomChars(16)}:${randomChars(52)}:${randomChars(22)}`;
export const newAuthCode = (): string => randomChars(16);
export const newRequestId = (): string => randomChars(24);
/** The opaque tail of an upload href: long enough to be a capability. */
export const newUploadTarget = (): string => `${hex(16)}-${randomChars(40)}`;
export const newOperationId = (): string => hex(32);
/** resource_id is "<uid>:<64 hex>". */
export const newResourceId = (uid: string): string => `${uid}:${hex(32)}`;
