import { escapeHtml, htmlReply, type Reply } from '../shared/http';
import type { CallbackRecord } from './callbacks';

/**
 * The gallery's own web pages, reduced to the part that concerns us: a gallery page with the "Save to Google
 * Drive" and "Save to Google Photos" buttons, and the success and fail pages the API sends the browser to. The button's script is the one
 * docs/front-end.md tells the gallery's developers to write: fetch POST /cloud_archive, then navigate to
 * redirect_to. Served on whatever host name the browser used, so one emulator can play several origins.
 */

export interface FrontEndPage {
  /** Where the page is served, e.g. "/test_16". */
  path: string;
  /** Base URL of the cloud-archive API as the browser reaches it (no trailing slash). */
  apiUrl: string;
  archiveUrl: string;
  galleryName: string;
  archiveType: 'webs' | 'originals';
  /** Albums and photo counts shown on the page. */
  albums?: Array<{ name: string; photos: number }>;
}

export const SUCCESS_PATH = '/saved';
export const FAIL_PATH = '/failed';

/** `?credentials=include|omit` picks the fetch's credentials mode (default omit), so both can be tried. */
export function renderGalleryPage(page: FrontEndPage): string {
  // JSON in a non-executed script element; `<` escaped so no value can close the element.
  const settings = JSON.stringify({
    api: page.apiUrl,
    archive: { url: page.archiveUrl, name: page.galleryName, type: page.archiveType },
  }).replace(/</g, '\\u003c');
  const albums = (page.albums ?? [])
    .map((a) => `<li>${escapeHtml(a.name)} <small>(${a.photos} ${a.photos === 1 ? 'photo' : 'photos'})</small></li>`)
    .join('\n');
  return layout(
    page.galleryName,
    `<h1>${escapeHtml(page.galleryName)}</h1>
<p>A gallery on LiteGallery (emulated). Its pages live on the gallery's own host; the button calls the
cloud-archive API on another site.</p>
${albums ? `<ul>\n${albums}\n</ul>` : ''}
<p><button id="save-to-drive" type="button" data-cloud="google_drive">Save to Google Drive</button>
<button id="save-to-photos" type="button" data-cloud="google_photos">Save to Google Photos</button></p>
<p id="status" role="status"></p>
<script type="application/json" id="settings">${settings}</script>
<script>
const settings = JSON.parse(document.getElementById('settings').textContent);
const CLOUD_ARCHIVE_API = settings.api;
const credentialsMode = new URLSearchParams(location.search).get('credentials') === 'include' ? 'include' : 'omit';

// --- the snippet of docs/front-end.md ---
async function saveToCloud(archive, cloudType) {
  const response = await fetch(CLOUD_ARCHIVE_API + '/cloud_archive', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    credentials: credentialsMode, // the API reads no cookies: 'omit' and 'include' both work
    body: JSON.stringify({
      redirect_success_link: new URL('${SUCCESS_PATH}', location.href).href,
      redirect_fail_link: new URL('${FAIL_PATH}', location.href).href,
      archive_url: archive.url,
      gallery_name: archive.name,
      archive_type: archive.type,
      cloud_type: cloudType,
    }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.redirect_to) throw new Error(body.message || 'HTTP ' + response.status);
  window.location.assign(body.redirect_to);
}
// --- end of the snippet ---

const status = document.getElementById('status');
for (const button of document.querySelectorAll('button[data-cloud]')) {
  button.addEventListener('click', () => {
    button.disabled = true;
    status.textContent = 'Starting…';
    saveToCloud(settings.archive, button.dataset.cloud).catch((err) => {
      status.textContent = 'Could not start the transfer: ' + err.message;
      button.disabled = false;
    });
  });
}
</script>`,
  );
}

const FAIL_MESSAGES: Record<string, string> = {
  access_denied: 'You did not allow access to your Google Drive, so nothing was copied.',
  expired: 'The request expired before you answered Google. Please press the button again.',
  scope_not_granted: 'Google Drive access was not granted (the Drive box was unticked).',
  queue_unavailable: 'The service is busy right now. Please try again in a minute.',
};

export function renderFailPage(reason: string | null): string {
  const message = (reason && FAIL_MESSAGES[reason]) ?? 'The transfer could not be started. Please try again.';
  return layout(
    'Not saved',
    `<h1>Not saved to Google Drive</h1>
<p id="reason" data-reason="${escapeHtml(reason ?? '')}">${escapeHtml(message)}</p>`,
  );
}

/**
 * The success page: the transfer id from the redirect, the completion callback once the workers sent it, and
 * the destination's tree (the demo passes the emulated Drive). Refreshes itself until the callback is in.
 */
export function renderSuccessPage(transferId: string | null, callback: CallbackRecord | undefined, tree: string[] | undefined): string {
  const result = callback?.json as { status?: string; files_uploaded?: number; files_total?: number; failed_photos?: number } | undefined;
  const progress = result
    ? `<p id="result" data-status="${escapeHtml(String(result.status))}">Finished (${escapeHtml(String(result.status))}): ${Number(result.files_uploaded)} of ${Number(result.files_total)} files copied, ${Number(result.failed_photos)} failed.</p>`
    : '<p id="result">Copying… this page refreshes every two seconds.</p>';
  const treeBlock = tree ? `<h2>In Google Drive (emulated)</h2>\n<pre id="tree">${escapeHtml(tree.join('\n') || '(nothing yet)')}</pre>` : '';
  return layout(
    'Saved',
    `<h1>Saving to Google Drive</h1>
<p>Transfer <code id="transfer-id">${escapeHtml(transferId ?? '?')}</code> has started. You can close this page: the copy goes on without it.</p>
${progress}
${treeBlock}`,
    result ? '' : '<meta http-equiv="refresh" content="2">',
  );
}

function layout(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>${head}
<link rel="icon" href="data:,">
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}button{font-size:1.1rem;padding:.5rem 1rem}</style>
</head>
<body>
${body}
</body></html>`;
}

export function frontEndReply(html: string): Reply {
  return htmlReply(200, html, { 'cache-control': 'no-store' });
}
