import { createHash } from 'node:crypto';

export type ChallengeMethod = 'S256' | 'plain';

/** The code_challenge an authorization request carried, kept with its code. */
export interface Challenge {
  method: ChallengeMethod;
  value: string;
}

/** RFC 7636 §4.1: code_verifier = 43*128unreserved (ALPHA / DIGIT / "-" / "." / "_" / "~"). */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** S256 challenge = BASE64URL(SHA256(verifier)) without padding: always 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export function isWellFormedChallenge(method: ChallengeMethod, challenge: string): boolean {
  return method === 'S256' ? S256_CHALLENGE.test(challenge) : VERIFIER.test(challenge);
}

/** RFC 7636 §4.6: the server recomputes the challenge from the verifier and compares. */
export function verifierMatches(method: ChallengeMethod, challenge: string, verifier: string): boolean {
  if (!VERIFIER.test(verifier)) return false;
  const derived = method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return derived === challenge;
}
