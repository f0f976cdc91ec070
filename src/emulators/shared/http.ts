import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What a handler wants to answer. Handlers build a Reply instead of writing to the socket so
 * the dispatcher can still delay it, drop it (socket reset) or swap it for an injected error.
 */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=UTF-8', ...headers },
    body: JSON.stringify(value),
  };
}

export function htmlReply(status: number, html: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body: html };
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  const body = reply.body ?? '';
  // RFC 9110 §8.6: no Content-Length on a 204.
  const length = reply.status === 204 ? {} : { 'content-length': String(Buffer.byteLength(body)) };
  res.writeHead(reply.status, { ...reply.headers, ...length });
  res.end(reply.status === 204 ? undefined : body);
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
  }
}

/** Reads a small request body completely; rejects as soon as it grows past `limit` bytes. */
export async function readBody(body: AsyncIterable<Buffer>, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of body) {
    size += part.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    parts.push(part);
  }
  return Buffer.concat(parts);
}

/** The media type of a request without parameters, lower-cased ('' when absent). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** A request header as one string (Node joins repeated custom headers with ', '). */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
