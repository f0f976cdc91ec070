import { after } from 'node:test';
import { createGoogleEmulator, type GoogleEmulator, type GoogleEmulatorOptions } from '../../src/emulators/google';

export const CLIENT_ID = 'test-client.apps.googleusercontent.com';
export const CLIENT_SECRET = 'test-client-secret';
export const REDIRECT_URI = 'http://127.0.0.1:9/oauth/callback';
export const DRIVE_FILE = 'https://www.googleapis.com/auth/drive.file';
export const FOLDER = 'application/vnd.google-apps.folder';

/** A Google emulator on an ephemeral port, closed when the test file ends. */
export async function startGoogle(extra: Partial<GoogleEmulatorOptions> = {}): Promise<{ google: GoogleEmulator; url: string }> {
  const google = createGoogleEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI], ...extra });
  const { url } = await google.listen();
  after(() => google.close());
  return { google, url };
}

export interface Tokens {
  access_token: string;
  refresh_token?: string;
  scope: string;
  expires_in: number;
}

/** The authorization-code flow by hand (no PKCE), for tests that only need a token. */
export async function login(url: string, opts: { scope?: string; user?: string; offline?: boolean } = {}): Promise<Tokens> {
  const auth = new URL(`${url}/o/oauth2/v2/auth`);
  auth.search = new URLSearchParams({
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: opts.scope ?? DRIVE_FILE,
    access_type: opts.offline ? 'offline' : 'online',
    prompt: 'consent',
    ...(opts.user ? { login_hint: opts.user } : {}),
  }).toString();
  const redirect = await fetch(auth, { redirect: 'manual' });
  const code = new URL(redirect.headers.get('location') ?? 'x:').searchParams.get('code');
  if (!code) throw new Error(`no code: ${redirect.status} ${redirect.headers.get('location')}`);
  const res = await fetch(`${url}/token`, {
    method: 'POST',
    body: new URLSearchParams({ code, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uri: REDIRECT_URI, grant_type: 'authorization_code' }),
  });
  if (res.status !== 200) throw new Error(`token exchange failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Tokens;
}

/** fetch against the Drive API with a Bearer token; JSON bodies are serialised. */
export async function drive(url: string, token: string, path: string, init: { method?: string; json?: unknown; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...init.headers };
  let body = init.body;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json; charset=UTF-8';
    body = JSON.stringify(init.json);
  }
  return fetch(`${url}${path}`, { method: init.method ?? 'GET', headers, body });
}

export interface DriveErrorBody {
  error: { code: number; message: string; status: string; errors: Array<{ domain: string; reason: string; message: string; location?: string; locationType?: string }> };
}

export async function errorReason(res: Response): Promise<string> {
  const body = (await res.json()) as DriveErrorBody;
  return body.error.errors[0]!.reason;
}
