import type { IncomingMessage } from 'node:http';
import type { OAuthError } from '../errors';
import { mediaType, readBody } from '../http';
import { verifierMatches } from './pkce';
import type { AuthCode, TokenStore } from './tokens';

const FORM = 'application/x-www-form-urlencoded';
const FORM_LIMIT = 64 * 1024;

/** How a provider's token endpoint words its answers; the checks themselves are RFC 6749's and RFC 7636's. */
export interface TokenEndpointDialect {
  /** The provider's RFC 6749 §5.2 error (its own headers). */
  OAuthError: new (status: number, code: string, description: string) => OAuthError;
  /** RFC 6749 §2.3.1 form-encodes id and secret before Basic: Google decodes them, Yandex ID takes them as sent. */
  basicIsFormEncoded: boolean;
  /** invalid_client description for a Basic header without a colon, or naming another client than the body. */
  malformedBasic: string;
  /** invalid_grant descriptions for a code that is not this client's, used, expired, or fails PKCE. */
  code: { unknown: string; used: string; expired: string; missingVerifier: string; wrongVerifier: string };
}

/** The form body; `optional` endpoints (Google's revoke, tokeninfo) also take their parameter in the query. */
export async function readForm(req: IncomingMessage, dialect: TokenEndpointDialect, { optional = false } = {}): Promise<URLSearchParams> {
  const body = await readBody(req, FORM_LIMIT);
  if ((body.length > 0 || !optional) && mediaType(req) !== FORM) {
    throw new dialect.OAuthError(400, 'invalid_request', `Content-Type must be ${FORM}`);
  }
  return new URLSearchParams(body.toString('utf8'));
}

/**
 * The client id and secret, by HTTP Basic or client_id/client_secret in the body. RFC 6749 §2.3:
 * "The client MUST NOT use more than one authentication method in each request." Checking them is the provider's.
 */
export function clientCredentials(
  req: IncomingMessage,
  form: URLSearchParams,
  dialect: TokenEndpointDialect,
): { clientId: string | null; secret: string | null } {
  const basic = /^Basic +(\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  const clientId = form.get('client_id');
  const secret = form.get('client_secret');
  if (!basic) return { clientId, secret };
  if (secret !== null) throw new dialect.OAuthError(400, 'invalid_request', 'Use either HTTP Basic or client_secret, not both.');
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const decode = (part: string): string => (dialect.basicIsFormEncoded ? decodeURIComponent(part) : part);
  const basicId = decode(decoded.slice(0, colon));
  if (colon < 0 || (clientId !== null && clientId !== basicId)) throw new dialect.OAuthError(401, 'invalid_client', dialect.malformedBasic);
  return { clientId: basicId, secret: decode(decoded.slice(colon + 1)) };
}

/** The code, if it is this client's and neither used (RFC 6749 §4.1.2: "MUST NOT use ... more than once") nor expired. */
export function redeemableCode<Extra extends object>(
  tokens: TokenStore<Extra>,
  value: string,
  clientId: string,
  dialect: TokenEndpointDialect,
): AuthCode<Extra> {
  const code = tokens.findCode(value);
  const { unknown, used, expired } = dialect.code;
  if (!code || code.clientId !== clientId) throw new dialect.OAuthError(400, 'invalid_grant', unknown);
  if (code.used) throw new dialect.OAuthError(400, 'invalid_grant', used);
  if (tokens.isExpired(code)) throw new dialect.OAuthError(400, 'invalid_grant', expired);
  return code;
}

/** RFC 7636 §4.6: a code issued for a code_challenge needs the matching code_verifier. */
export function checkVerifier(code: AuthCode, form: URLSearchParams, dialect: TokenEndpointDialect): void {
  if (!code.challenge) return;
  const verifier = form.get('code_verifier');
  if (!verifier) throw new dialect.OAuthError(400, 'invalid_grant', dialect.code.missingVerifier);
  if (!verifierMatches(code.challenge.method, code.challenge.value, verifier)) {
    throw new dialect.OAuthError(400, 'invalid_grant', dialect.code.wrongVerifier);
  }
}
