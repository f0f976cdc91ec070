import type { Response } from 'express';

/**
 * The few HTML pages a person may see from the API: the browser reaches us only through Google's redirect to
 * the callback, and whatever goes wrong there must read as a page, not as JSON. Static text only (nothing from
 * the request is echoed), styled inline: the CSP allows nothing else.
 */

function page(title: string, paragraph: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}</style>
</head>
<body>
<h1>${title}</h1>
<p>${paragraph}</p>
</body>
</html>
`;
}

/**
 * Shown when the OAuth state cannot be opened. We cannot redirect to the fail link then: it came from the
 * state, and a forged state must not pick where the browser goes.
 */
const INVALID_LINK_PAGE = page(
  'Invalid link',
  'This link is invalid or has been tampered with. Please go back to the gallery and start the transfer again.',
);

const ERROR_PAGES: Record<number, string> = {
  404: page('Page not found', 'There is nothing at this address. Please go back to the gallery.'),
  500: page(
    'Something went wrong',
    'Something went wrong on our side and the transfer was not started. Please go back to the gallery and try again.',
  ),
};

export function sendInvalidLinkPage(res: Response): void {
  res.status(400).type('html').send(INVALID_LINK_PAGE);
}

/** For a browser navigation that failed: the status as it is, with a page fitting its class. */
export function sendErrorPage(res: Response, status: number): void {
  const html = ERROR_PAGES[status] ?? (status >= 500 ? ERROR_PAGES[500]! : INVALID_LINK_PAGE);
  res.status(status).type('html').send(html);
}
