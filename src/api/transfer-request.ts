import { z } from 'zod';
import type { Config } from '../config';
import { parseArchivePath } from '../shared/gallery-url';
import { HostRule, isHostAllowed } from '../shared/hosts';
import { ApiError } from './errors';

/**
 * The body of `POST /cloud_archive` (SPEC §2). Links are checked against allowlists here, before anything is
 * sealed into the OAuth state: the success/fail links become redirects (no open redirect) and the archive URL
 * names the gallery whose listing the workers will fetch.
 */

// Every field ends up in the OAuth state, which travels in Google's consent URL; this keeps that URL short enough.
const MAX_URL_CHARS = 2000;
// C0, DEL and C1 control characters.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

export type TransferRequestSchema = ReturnType<typeof createTransferRequestSchema>;
export type TransferRequest = z.output<TransferRequestSchema>;

export function createTransferRequestSchema(config: Pick<Config, 'REDIRECT_URL_HOSTS' | 'ARCHIVE_URL_HOSTS'>) {
  const redirectLink = urlField((url) => hostProblem(url, config.REDIRECT_URL_HOSTS));
  return z.object(
    {
      redirect_success_link: redirectLink,
      redirect_fail_link: redirectLink,
      archive_url: urlField(
        (url) =>
          hostProblem(url, config.ARCHIVE_URL_HOSTS) ??
          (parseArchivePath(url) ? null : 'must have the path /g/api/stream/<gallery id>/<hash>'),
      ),
      gallery_name: z
        .string({ error: 'must be a string' })
        .trim()
        .min(1, 'must not be empty')
        // Counted in UTF-16 units, as the job schema counts it, so a name accepted here is accepted there.
        .max(255, 'must be at most 255 characters')
        .refine((name) => !CONTROL_CHARS.test(name), 'must not contain control characters'),
      archive_type: z.enum(['webs', 'originals'], { error: 'must be "webs" or "originals"' }),
      cloud_type: z.enum(['google_drive', 'yadisk'], { error: 'must be "google_drive" or "yadisk"' }),
    },
    { error: 'must be a JSON object' },
  );
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

function urlField(check: (url: URL) => string | null) {
  return z
    .string({ error: 'must be a string' })
    .max(MAX_URL_CHARS, `must be at most ${MAX_URL_CHARS} characters`)
    .superRefine((value, ctx) => {
      const problem = urlProblem(value, check);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

function urlProblem(value: string, check: (url: URL) => string | null): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  // Rejects javascript:, data:, file: and friends.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (url.username || url.password) return 'must not contain a user name or password';
  return check(url);
}

function hostProblem(url: URL, rules: readonly HostRule[]): string | null {
  return isHostAllowed(url, rules) ? null : `must point at an allowed host (${url.host} is not)`;
}
