import { mediaType, readBody } from '../../shared/http';
import type { Exchange } from '../router';
import { invalidArgument } from './errors';

const JSON_LIMIT = 1024 * 1024;

export type JsonObject = Record<string, unknown>;

/** A JSON request body; Google maps it onto a proto, so it must be an object. */
export async function readJsonBody(ex: Exchange): Promise<JsonObject> {
  const raw = await readBody(ex.req, JSON_LIMIT);
  if (raw.length === 0) return {};
  if (mediaType(ex.req) !== 'application/json') {
    throw invalidArgument(`Request bodies must be application/json, got '${ex.req.headers['content-type'] ?? ''}'.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw invalidArgument('Invalid JSON payload received. Unexpected token.');
  }
  return asObject(value, '');
}

export function asObject(value: unknown, where: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(`Invalid JSON payload received. Expected an object at '${where}'.`);
  }
  return value as JsonObject;
}

/** The JSON-to-proto mapping refuses names the message does not have (a misspelt `filename` fails, it is not dropped). */
export function onlyFields(value: JsonObject, allowed: readonly string[], where: string): void {
  const unknown = Object.keys(value).find((key) => !allowed.includes(key));
  if (unknown !== undefined) {
    throw invalidArgument(`Invalid JSON payload received. Unknown name "${unknown}" at '${where}': Cannot find field.`);
  }
}

export function optionalString(value: JsonObject, key: string, where: string): string | undefined {
  const field = value[key];
  if (field === undefined) return undefined;
  if (typeof field !== 'string') throw invalidArgument(`Invalid value at '${where}${key}' (TYPE_STRING).`);
  return field;
}

/** pageSize from a query string or a body: an integer in [0, max]; 0 or absent means the default. */
export function pageSize(raw: unknown, fallback: number, max: number): number {
  if (raw === undefined || raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw invalidArgument(`Invalid page size: '${String(raw)}'.`);
  if (value > max) throw invalidArgument(`The page size must be at most ${max}.`);
  return value === 0 ? fallback : value;
}
