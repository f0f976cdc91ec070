import { fieldValidation } from '../errors';

export function boolParam(q: URLSearchParams, name: string): boolean | undefined {
  const raw = q.get(name);
  if (raw === null) return undefined;
  if (raw !== 'true' && raw !== 'false') throw fieldValidation(name, `"${raw}" is not one of true, false.`);
  return raw === 'true';
}

export function intParam(q: URLSearchParams, name: string, fallback: number): number {
  const raw = q.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) throw fieldValidation(name, `"${raw}" is not a non-negative integer.`);
  return Number(raw);
}
