import { escapeHtml } from '../../shared/http';
import { SCOPE_DESCRIPTIONS, SIGN_IN_SCOPES } from './scopes';

export const DECISION_PATH = '/o/oauth2/v2/auth/decision';

/**
 * Google's consent screen, reduced to what matters: who asks, for which account, which scopes
 * (sign-in scopes fixed, others untickable as with granular consent) and Allow / Deny. Plain
 * forms, no JavaScript, so it works in any browser.
 */
export function renderConsentPage(args: {
  requestId: string;
  clientId: string;
  user: string;
  scopes: string[];
  preticked: string[];
}): string {
  const rows = args.scopes
    .map((scope) => {
      const text = escapeHtml(SCOPE_DESCRIPTIONS[scope] ?? scope);
      const value = escapeHtml(scope);
      // Disabled inputs are not submitted, so a hidden twin carries the fixed sign-in scopes.
      if (SIGN_IN_SCOPES.has(scope)) {
        return `<li><label><input type="checkbox" checked disabled> ${text}</label><input type="hidden" name="scope" value="${value}"></li>`;
      }
      const checked = args.preticked.includes(scope) ? ' checked' : '';
      return `<li><label><input type="checkbox" name="scope" value="${value}"${checked}> ${text}</label></li>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in - Google Accounts (emulator)</title></head>
<body>
<h1>${escapeHtml(args.clientId)} wants access to your Google Account</h1>
<p>${escapeHtml(args.user)}</p>
<form method="post" action="${DECISION_PATH}">
<input type="hidden" name="request" value="${escapeHtml(args.requestId)}">
<ul>
${rows}
</ul>
<button type="submit" name="decision" value="deny">Deny</button>
<button type="submit" name="decision" value="allow">Allow</button>
</form>
</body></html>`;
}
