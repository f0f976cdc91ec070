/**
 * The page a gallery can link to or embed: a progress bar fed by the SSE stream, and the folder link (Google Drive or Yandex Disk) at the end.
 * No inline script (the CSP allows only our own script file); the transfer id is read from the URL.
 */
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function statusPage(transferId: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Saving your gallery</title>
<style>
body{font:16px/1.4 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#222}
.bar{height:1.25rem;background:#e6e6e6;border-radius:.6rem;overflow:hidden}
.fill{height:100%;width:0;background:#1a73e8;transition:width .3s}
.done .fill{background:#188038}.failed .fill{background:#d93025}
#link{display:none;margin-top:1rem}
</style></head>
<body data-transfer-id="${escape(transferId)}">
<h1>Saving your gallery</h1>
<div class="bar" id="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0"><div class="fill" id="fill"></div></div>
<p id="text">Waiting for the transfer to start…</p>
<p id="link"><a id="folder" target="_blank" rel="noopener">Open the folder</a></p>
<script src="/cloud_archive/static/transfer-view.js"></script>
</body></html>`;
}

export const STATUS_PAGE_SCRIPT = `'use strict';
(function () {
  var id = document.body.getAttribute('data-transfer-id');
  var bar = document.getElementById('bar'), fill = document.getElementById('fill'), text = document.getElementById('text');
  var words = { queued: 'Queued…', running: 'Copying', waiting_quota: "Paused: the destination's daily limit is reached, it resumes by itself", succeeded: 'Done', partially_failed: 'Done, with some photos missing', failed: 'The transfer failed', cancelled: 'The transfer was cancelled' };
  function show(op) {
    var m = op.metadata, total = m.files_total || 0, skipped = m.files_skipped || 0, handled = m.files_done + skipped + m.files_failed;
    var pct = op.done ? 100 : total ? Math.floor((handled / total) * 100) : 0;
    fill.style.width = pct + '%';
    bar.setAttribute('aria-valuenow', String(pct));
    text.textContent = (words[m.state] || m.state) + ' — ' + m.files_done + ' of ' + (total - skipped) + ' photos' + (skipped ? ' (' + skipped + ' already in the folder)' : '') + (m.files_failed ? ', ' + m.files_failed + ' failed' : '');
    if (op.done) document.body.className = m.state === 'failed' || m.state === 'cancelled' ? 'failed' : 'done';
    if (m.folder_url && op.done) {
      document.getElementById('folder').href = m.folder_url;
      document.getElementById('link').style.display = 'block';
    }
  }
  var source = new EventSource('/cloud_archive/transfers/' + encodeURIComponent(id) + '/events');
  source.addEventListener('operation', function (e) {
    var op = JSON.parse(e.data);
    show(op);
    if (op.done) source.close();
  });
  source.onerror = function () { if (source.readyState === 2) text.textContent = 'Lost the connection; reload to try again.'; };
})();
`;
