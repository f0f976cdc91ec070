import type { IncomingMessage } from 'node:http';
import type { PageError } from '../errors';
import { htmlReply, mediaType, readBody, type Reply } from '../http';
import type { OAuthClientOptions } from './options';

/** An error the authorization server reports back to the (valid) redirect_uri. */
export class RedirectError extends Error {
  constructor(
    readonly code: string,
    readonly description?: string,
  ) {
    super(code);
  }
}

/** What every parsed authorization request has. */
export interface AuthRequestBase {
  redirectUri: string;
  state?: string;
}

/** What a provider decides in the authorization code flow (RFC 6749 §4.1); the steps are the same. */
export interface AuthorizeFlow<Req extends AuthRequestBase> {
  PageError: new (status: number, code: string, detail: string) => PageError;
  /** Headers of the 302 back to the client. */
  redirectHeaders?: Record<string, string>;
  newRequestId(): string;
  /** The consent mode for this request: 'allow' skips the page, 'deny' refuses, 'page' asks. */
  consent(): NonNullable<OAuthClientOptions['consent']>;
  /** The registered redirect_uri; errors about client or redirect_uri are shown, since redirecting would trust it. */
  redirectUri(q: URLSearchParams): string;
  /** The request, or a RedirectError to send back to the redirect_uri. */
  parse(q: URLSearchParams, redirectUri: string): Req;
  /** An answer that comes before any consent (Google's prompt=none), if this request gets one. */
  beforeConsent?(request: Req): Reply | undefined;
  /** Issues the code; `decision` is the consent page's form, undefined when the consent mode skipped the page. */
  approve(request: Req, decision?: URLSearchParams): Reply;
  consentPage(requestId: string, request: Req): string;
}

/** What the flow needs of a request. */
interface FlowExchange {
  readonly req: IncomingMessage;
  readonly url: URL;
  fault(): unknown;
}

/** The 302 back to the client with `params` added to its redirect_uri. */
export function redirect(redirectUri: string, params: Record<string, string | undefined>, headers: Record<string, string> = {}): Reply {
  const target = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) target.searchParams.append(key, value);
  return { status: 302, headers: { location: target.toString(), ...headers }, body: '' };
}

/** The authorization endpoint and the consent page's form target. */
export function authorizeHandlers<Req extends AuthRequestBase>(flow: AuthorizeFlow<Req>) {
  // Requests waiting for a click on the consent page; each id is single-use.
  const pending = new Map<string, Req>();
  const back = (uri: string, params: Record<string, string | undefined>): Reply => redirect(uri, params, flow.redirectHeaders);

  async function authorize(ex: FlowExchange): Promise<Reply> {
    const q = ex.url.searchParams;
    const redirectUri = flow.redirectUri(q);
    let request: Req;
    try {
      request = flow.parse(q, redirectUri);
    } catch (err) {
      if (!(err instanceof RedirectError)) throw err;
      return back(redirectUri, { error: err.code, error_description: err.description, state: q.get('state') ?? undefined });
    }
    ex.fault();
    const early = flow.beforeConsent?.(request);
    if (early) return early;
    const consent = flow.consent();
    if (consent === 'deny') return back(redirectUri, { error: 'access_denied', state: request.state });
    if (consent === 'allow') return flow.approve(request);
    const requestId = flow.newRequestId();
    pending.set(requestId, request);
    return htmlReply(200, flow.consentPage(requestId, request));
  }

  async function decide(ex: FlowExchange): Promise<Reply> {
    if (mediaType(ex.req) !== 'application/x-www-form-urlencoded') {
      throw new flow.PageError(400, 'invalid_request', 'Expected a form submission.');
    }
    const form = new URLSearchParams((await readBody(ex.req, 64 * 1024)).toString('utf8'));
    const id = form.get('request') ?? '';
    const request = pending.get(id);
    if (!request) throw new flow.PageError(400, 'invalid_request', 'This consent request is unknown or was already answered.');
    pending.delete(id);
    ex.fault();
    if (form.get('decision') !== 'allow') return back(request.redirectUri, { error: 'access_denied', state: request.state });
    return flow.approve(request, form);
  }

  return { authorize, decide };
}
