/**
 * Strict multipart/related parsing for uploadType=multipart: exactly two parts, JSON metadata
 * first, media second, each with its own Content-Type (RFC 2046 §5.1.1 framing).
 */
export interface MultipartUpload {
  metadata: Buffer;
  mediaType: string;
  media: Buffer;
}

export class MultipartError extends Error {}

export function boundaryOf(contentType: string | undefined): string {
  const match = /^multipart\/related\s*;(?:.*;)?\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new MultipartError("Content-Type must be 'multipart/related; boundary=...'");
  return boundary;
}

interface Part {
  headers: Map<string, string>;
  body: Buffer;
}

export function parseMultipart(body: Buffer, boundary: string): MultipartUpload {
  const parts = splitParts(body, boundary);
  if (parts.length !== 2) throw new MultipartError(`Expected 2 parts (metadata, media), got ${parts.length}`);
  const [metadata, media] = parts as [Part, Part];
  const metadataType = (metadata.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (metadataType !== 'application/json') throw new MultipartError('The first part must be application/json metadata');
  const mediaType = media.headers.get('content-type');
  if (!mediaType) throw new MultipartError('The media part needs a Content-Type');
  if (media.headers.has('content-transfer-encoding')) throw new MultipartError('Content-Transfer-Encoding is not supported');
  return { metadata: metadata.body, mediaType: mediaType.trim(), media: media.body };
}

function splitParts(body: Buffer, boundary: string): Part[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const first = body.indexOf(delimiter);
  if (first < 0) throw new MultipartError('Boundary not found in body');
  const parts: Part[] = [];
  let cursor = first + delimiter.length;
  for (;;) {
    if (body.subarray(cursor, cursor + 2).toString() === '--') return parts; // close delimiter; epilogue ignored
    cursor = skipLineEnd(body, cursor);
    // The CRLF before a delimiter belongs to the delimiter, not to the part body.
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), cursor);
    if (next < 0) throw new MultipartError('Missing closing boundary');
    parts.push(parsePart(body.subarray(cursor, next)));
    cursor = next + 2 + delimiter.length;
  }
}

function skipLineEnd(body: Buffer, at: number): number {
  let cursor = at;
  while (body[cursor] === 0x20 || body[cursor] === 0x09) cursor += 1; // transport padding
  if (body[cursor] !== 0x0d || body[cursor + 1] !== 0x0a) throw new MultipartError('Boundary must be followed by CRLF');
  return cursor + 2;
}

function parsePart(raw: Buffer): Part {
  const noHeaders = raw.subarray(0, 2).toString() === '\r\n';
  const split = noHeaders ? 0 : raw.indexOf('\r\n\r\n');
  if (split < 0) throw new MultipartError('Part without header/body separator');
  const headers = new Map<string, string>();
  for (const line of raw.subarray(0, split).toString('latin1').split('\r\n').filter(Boolean)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError(`Malformed part header: '${line}'`);
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.subarray(noHeaders ? 2 : split + 4) };
}
