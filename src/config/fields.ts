import { z } from 'zod';
import { parseHostList } from '../shared/hosts';

/**
 * Value rules shared by the configuration's sections: the core one (src/config/index.ts) and each destination's
 * (src/providers/<name>/config.ts). Apart from src/config/index.ts so a destination can use them without loading
 * the whole configuration (which loads the destinations).
 */

export const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

export const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:$/.test(new URL(u).protocol), 'must be an http(s) URL')
  .transform((u) => u.replace(/\/+$/, ''));

export const hostList = z.string().transform((value, ctx) => {
  try {
    return parseHostList(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

export const positiveInt = z.coerce.number().int().positive();

/** A rule across a section's variables; `path` names the variable the message is about. */
export interface SettingsRule<Settings> {
  holds(settings: Settings): boolean;
  message: string;
  path: string;
}
