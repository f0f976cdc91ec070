import { DriveError, invalidParameter } from '../errors';
import { checkSelection, FieldSelectionError, parseFields, project, type Schema } from './fields';

export function intParam(q: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = q.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || value < min || value > max) {
    throw invalidParameter(name, `Invalid value '${raw}'. Values must be within the range: [${min}, ${max}]`);
  }
  return value;
}

export function boolParam(q: URLSearchParams, name: string): boolean | undefined {
  const raw = q.get(name);
  if (raw === null) return undefined;
  if (raw !== 'true' && raw !== 'false') throw invalidParameter(name, `Invalid value '${raw}'. Valid values are: true, false`);
  return raw === 'true';
}

/** Checks the common query parameters every Drive call may carry. */
export function checkCommonParams(q: URLSearchParams): void {
  boolParam(q, 'supportsAllDrives');
  boolParam(q, 'supportsTeamDrives');
  boolParam(q, 'prettyPrint');
  const alt = q.get('alt');
  if (alt !== null && alt !== 'json') {
    throw alt === 'media' ? new DriveError(400, 'badRequest', '[emulator] alt=media downloads are not emulated') : invalidParameter('alt');
  }
}

/**
 * Parses and checks `fields` up front, so a bad selection fails the request before any write,
 * and returns the projection to apply to the answer.
 */
export function fieldsProjector(fields: string | null, schema: Schema, defaults: string): (value: Record<string, unknown>) => Record<string, unknown> {
  try {
    const selection = parseFields(fields ?? defaults);
    checkSelection(selection, schema);
    return (value) => project(value, selection, schema);
  } catch (err) {
    if (err instanceof FieldSelectionError) {
      throw new DriveError(400, 'invalidParameter', err.message, { location: 'fields', locationType: 'parameter' });
    }
    throw err;
  }
}
