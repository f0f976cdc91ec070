import { z } from 'zod';
import type { Config } from '../config';
import { CLOUD_TYPES } from '../providers/registry';
import { parseArchivePath } from '../shared/gallery-url';
import { HostRule, isHostAllowed } from '../shared/hosts';
import { ApiError } from './errors';

/**
 * The body of `POST /cloud_archive` (SPEC §2). Links are checked against allowlists here, before anything is
 * sealed into the OAuth state: the success/fail links become redirects (no open redirect) and the archive URL
 * names the gallery whose listing the workers will fetch.
 */

/**
 * Every field but the two types is sealed into the OAuth state, which rides in the consent URL and in the
 * provider's redirect back to our callback. These maxima keep each of those URLs under 4 KiB (a common proxy
 * limit for a request line; ingress-nginx buffers 8 KiB) with every field at its maximum: about 2.3 KB of
 * state text, 3.1 KB sealed. URLs are counted in their normalised form (non-ASCII and unsafe characters
 * percent-encoded, as a browser sends them), the name in UTF-16 units of up to three UTF-8 bytes each.
 * Documented in docs/front-end.md; test/unit/url-sizes.test.ts measures the URLs.
 */
export const REQUEST_LIMITS = { redirectLinkChars: 600, archiveUrlChars: 300, galleryNameChars: 255 } as const;
// C0, DEL and C1 control characters.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /\p{Cs}/u;

export type TransferRequestSchema = ReturnType<typeof createTransferRequestSchema>;
export type TransferRequest = z.output<TransferRequestSchema>;

export function createTransferRequestSchema(config: Pick<Config, 'REDIRECT_URL_HOSTS' | 'ARCHIVE_URL_HOSTS'>) {
  const redirectLink = urlField(REQUEST_LIMITS.redirectLinkChars, (url) => hostProblem(url, config.REDIRECT_URL_HOSTS));
  return z.object(
    {
      redirect_success_link: redirectLink,
      redirect_fail_link: redirectLink,
      archive_url: urlField(
        REQUEST_LIMITS.archiveUrlChars,
        (url) =>
          hostProblem(url, config.ARCHIVE_URL_HOSTS) ??
          (parseArchivePath(url) ? null : 'must have the path /g/api/stream/<gallery id>/<hash>'),
      ),
      gallery_name: z
        .string({ error: 'must be a string' })
        .trim()
        .min(1, 'must not be empty')
        // Counted in UTF-16 units, as the job schema counts it, so a name accepted here is accepted there.
        .max(REQUEST_LIMITS.galleryNameChars, `must be at most ${REQUEST_LIMITS.galleryNameChars} characters`)
        .refine((name) => !CONTROL_CHARS.test(name), 'must not contain control characters')
        // Half a surrogate pair is no character: it would reach Drive as U+FFFD.
        .refine((name) => !LONE_SURROGATE.test(name), 'must be valid Unicode text'),
      archive_type: z.enum(['webs', 'originals'], { error: 'must be "webs" or "originals"' }),
      cloud_type: z.enum(CLOUD_TYPES, { error: `must be ${oneOf(CLOUD_TYPES)}` }),
      // Saving a gallery again adds what is new to the folder the earlier transfer made; true asks for a new folder.
      separate_copy: z
        .boolean({ error: 'must be true or false' })
        .default(false)
        .describe('true: a new gallery folder even if this gallery was saved to this account before (default false: add only the photos not there yet to the earlier folder); not with google_photos (400), whose albums are known by title'),
    },
    { error: 'must be a JSON object' },
  ).superRefine((request, ctx) => {
    // Photos knows an album by its title alone: a "separate" copy would add every photo once more to the same albums.
    if (request.separate_copy && request.cloud_type === 'google_photos') {
      ctx.addIssue({ code: 'custom', path: ['separate_copy'], message: 'is not possible with google_photos: Google Photos finds albums by their title, so a second copy would add every photo to the same albums again' });
    }
  });
}

/** Validates a parsed JSON body; throws a 400 ApiError naming the first bad field. */
export function parseTransferRequest(schema: TransferRequestSchema, body: unknown): TransferRequest {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = issue.path[0];
  if (key === undefined) throw new ApiError(400, 'invalid_body', 'The request body must be a JSON object.');
  const field = String(key);
  if ((body as Record<string, unknown>)[field] === undefined) {
    throw new ApiError(400, 'missing_field', `${field} is required.`, field);
  }
  throw new ApiError(400, 'invalid_field', `${field} ${issue.message}.`, field);
}

/** An allowed http(s) URL, passed on in its normalised form (`URL.href`), at most `maxChars` long in that form. */
function urlField(maxChars: number, check: (url: URL) => string | null) {
  const tooLong = `must be at most ${maxChars} characters`;
  return z
    .string({ error: 'must be a string' })
    .max(maxChars, tooLong)
    .transform((value, ctx) => {
      const url = parseUrl(value);
      if (typeof url === 'string') return refuse(ctx, url);
      const problem = check(url);
      if (problem) return refuse(ctx, problem);
      // The raw length said nothing of percent-encoding: one Cyrillic letter is six characters of a URL.
      if (url.href.length > maxChars) return refuse(ctx, `${tooLong} once percent-encoded (it has ${url.href.length})`);
      return url.href;
    });
}

/** `"a"`, `"a" or "b"`, `"a", "b" or "c"`. */
function oneOf(values: readonly string[]): string {
  const quoted = values.map((v) => `"${v}"`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : quoted.join('');
}

function refuse(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

/** The URL, or what is wrong with it. */
function parseUrl(value: string): URL | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  // Rejects javascript:, data:, file: and friends.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (url.username || url.password) return 'must not contain a user name or password';
  return url;
}

function hostProblem(url: URL, rules: readonly HostRule[]): string | null {
  return isHostAllowed(url, rules) ? null : `must point at an allowed host (${url.host} is not)`;
}
