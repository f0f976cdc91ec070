import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { sampleFiles } from '../helpers/drive-tree';
import { inBrowser, launchChromium } from './support/chromium';
import { BrowserStack, HOSTS, startBrowserStack } from './support/stack';

/**
 * The gallery's success page following its transfer, in Debian's Chromium: the two blocks of docs/front-end.md
 * ("Following the transfer on the success page"), verbatim but for the API's address, served on a gallery origin
 * (in CORS_ORIGINS) read the transfer with fetch and EventSource until it is done. A page on an origin off the
 * list cannot read either.
 */

/** The little of the page's globals these checks use (this file has no DOM types). */
interface PageGlobals {
  document: { getElementById(id: string): { value: number; max: number; textContent: string; hidden: boolean; href: string } };
  fetch: typeof fetch;
  EventSource: new (url: string) => { readyState: number; onerror: (() => void) | null; addEventListener(type: string, listener: () => void): void; close(): void };
}

let stack: BrowserStack;
let browser: Browser;
let transferId: string | null = null;
let filesTotal = 0;

before(async () => {
  // Chromium first: if it is missing the test fails at once, with no stack left running to keep the process alive.
  browser = await launchChromium();
  stack = await startBrowserStack();
});
after(async () => {
  await browser?.close();
  await stack?.close();
});

/** The doc's HTML and script, pointed at this test's API, as one page. */
function documentedPage(apiOrigin: string): string {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'front-end.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Following the transfer on the success page'), doc.indexOf('## Field limits'));
  const block = (lang: string) => new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```').exec(section)?.[1];
  const html = block('html');
  const script = block('js')?.replace(/^const CLOUD_ARCHIVE_API = '[^']*';/m, `const CLOUD_ARCHIVE_API = '${apiOrigin}';`);
  assert.ok(html && script?.includes(apiOrigin), 'the doc has the html block and the script with CLOUD_ARCHIVE_API');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Saved</title></head><body>${html}<script>${script}</script></body></html>`;
}

/**
 * Opens `origin`/follow?transfer_id=… and writes the documented page into it. The document is the gallery server's
 * (its origin, its loopback address — a page Playwright made up would count as a public one, and Chromium's
 * Private Network Access rules would then refuse its calls to the loopback API for that reason, not CORS).
 */
async function openFollowPage(page: Page, origin: string, id: string): Promise<void> {
  await page.goto(`${origin}/follow?transfer_id=${encodeURIComponent(id)}`); // the emulator's plain 404: no CSP
  await page.setContent(documentedPage(stack.apiOrigin));
}

const galleryOrigin = () => `http://${HOSTS.gallery}:${stack.galleryPort}`;

test('a gallery page (in CORS_ORIGINS) shows the transfer live with the documented snippet, to the end', async () => {
  const files = sampleFiles({ small: 4, large: 1, largeSize: 3 * 1024 * 1024 });
  filesTotal = files.length;
  const gallery = stack.addGallery(files);
  stack.sandbox.gallery.faultFile(files.at(-1)!.id, [{ slowBytesPerSecond: 1024 * 1024 }]); // ~3 s: progress is visible
  await inBrowser(browser, async (page, diary) => {
    await page.goto(gallery.pageUrl());
    await Promise.all([page.waitForURL((u) => u.hostname === HOSTS.google), page.getByRole('button', { name: 'Save to Google Drive' }).click()]);
    await Promise.all([page.waitForURL((u) => u.hostname === HOSTS.gallery), page.getByRole('button', { name: 'Allow' }).click()]);
    transferId = new URL(page.url()).searchParams.get('transfer_id');
    assert.ok(transferId, `no transfer_id on ${page.url()}`);

    await openFollowPage(page, galleryOrigin(), transferId);
    const status = page.locator('#transfer-status');
    await status.filter({ hasText: new RegExp(`^Copying: \\d+ of ${filesTotal} photos$`) }).waitFor({ timeout: 30_000 });
    await status.filter({ hasText: `Done: all ${filesTotal} photos are in your folder.` }).waitFor({ timeout: 60_000 });
    const bar = await page.evaluate(() => {
      const { document } = globalThis as unknown as PageGlobals;
      const progress = document.getElementById('transfer-progress');
      const folder = document.getElementById('transfer-folder');
      return { value: progress.value, max: progress.max, folderHidden: folder.hidden, folder: folder.href };
    });
    assert.deepEqual({ value: bar.value, max: bar.max, folderHidden: bar.folderHidden }, { value: filesTotal, max: filesTotal, folderHidden: false });
    assert.match(bar.folder, /^https:\/\/drive\.google\.com\/drive\/folders\//);

    await diary.settle();
    const path = `/cloud_archive/transfers/${transferId}`;
    for (const exchange of [...diary.matching('GET', path), ...diary.matching('GET', `${path}/events`)]) {
      assert.equal(exchange.status, 200, exchange.url);
      assert.equal(exchange.responseHeaders?.['access-control-allow-origin'], galleryOrigin(), exchange.url);
    }
    assert.ok(diary.matching('GET', path).length >= 1, 'read with fetch');
    assert.equal(diary.matching('GET', `${path}/events`).length, 1, 'one stream, closed by the page once done');
  });
});

test('a page on an origin not in CORS_ORIGINS can read neither the transfer nor its stream', async () => {
  assert.ok(transferId, 'needs the transfer of the test before');
  const foreignOrigin = `http://${HOSTS.foreign}:${stack.galleryPort}`;
  const id = transferId;
  await inBrowser(browser, async (page) => {
    await openFollowPage(page, foreignOrigin, id);
    const url = `${stack.apiOrigin}/cloud_archive/transfers/${id}`;
    const outcome = await page.evaluate(async (transferUrl) => {
      const { fetch: pageFetch, EventSource } = globalThis as unknown as PageGlobals;
      const fetched = await pageFetch(transferUrl).then(() => 'read', (err: Error) => err.name);
      const streamed = await new Promise<string | number>((resolve) => {
        const events = new EventSource(`${transferUrl}/events`);
        events.addEventListener('operation', () => resolve('read'));
        events.onerror = () => {
          resolve(events.readyState); // 2 = CLOSED: failed for good, not a reconnect
          events.close();
        };
      });
      return { fetched, streamed };
    }, url);
    assert.deepEqual(outcome, { fetched: 'TypeError', streamed: 2 });
    const progress = await page.evaluate(() => (globalThis as unknown as PageGlobals).document.getElementById('transfer-progress').value);
    assert.equal(progress, 0, "the documented snippet shows nothing of another origin's transfer");
  });
  const refused = stack.apiLogs.filter((l) => l.msg === 'CORS: origin not allowed' && l.origin === foreignOrigin).map((l) => l.path);
  assert.ok(refused.includes(`/cloud_archive/transfers/${id}`) && refused.includes(`/cloud_archive/transfers/${id}/events`), `logged: ${refused.join(', ')}`);
});
