import type { Response } from 'express';

/**
 * Shown when the OAuth state cannot be opened. We cannot redirect to the fail link then: it came from the
 * state, and a forged state must not pick where the browser goes.
 */
const INVALID_LINK_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Invalid link</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}</style>
</head>
<body>
<h1>Invalid link</h1>
<p>This link is invalid or has been tampered with. Please go back to the gallery and start the transfer again.</p>
</body>
</html>
`;

export function sendInvalidLinkPage(res: Response): void {
  res.status(400).type('html').send(INVALID_LINK_PAGE);
}
