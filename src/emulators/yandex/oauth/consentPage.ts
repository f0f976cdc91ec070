import { escapeHtml } from '../../shared/http';

export const DECISION_PATH = '/authorize/decision';

/** Yandex ID's "allow access" screen, reduced to who asks, for which account and rights. No JavaScript. */
export function renderConsentPage(args: { requestId: string; clientId: string; user: string; scopes: string[] }): string {
  const rows = args.scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Yandex ID: allow access (emulator)</title></head>
<body>
<h1>${escapeHtml(args.clientId)} requests access to your Yandex ID account</h1>
<p>${escapeHtml(args.user)}</p>
<ul>
${rows}
</ul>
<form method="post" action="${DECISION_PATH}">
<input type="hidden" name="request" value="${escapeHtml(args.requestId)}">
<button type="submit" name="decision" value="deny">Deny</button>
<button type="submit" name="decision" value="allow">Allow</button>
</form>
</body></html>`;
}
