import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { sampleFiles } from '../helpers/drive-tree';
import { launchChromium } from './support/chromium';
import { BrowserStack, HOSTS, startBrowserStack } from './support/stack';

/**
 * The status page a gallery links to (`/cloud_archive/transfers/{id}/view`), in Debian's Chromium: fed by the
 * SSE stream, the bar moves while the transfer runs and reaches 100 % with the Drive link at the end.
 */

/** The little of the page's globals these checks use. */
interface PageGlobals {
  document: { getElementById(id: string): { getAttribute(name: string): string | null; getBoundingClientRect(): { width: number } } };
  getComputedStyle(element: unknown): { backgroundColor: string };
}

let stack: BrowserStack;
let browser: Browser;

before(async () => {
  // Chromium first: if it is missing the test fails at once, with no stack left running to keep the process alive.
  browser = await launchChromium();
  stack = await startBrowserStack();
});
after(async () => {
  await browser?.close();
  await stack?.close();
});

test('the status page shows the bar reaching 100 % and the folder link', async () => {
  const files = sampleFiles({ small: 4, large: 1, largeSize: 3 * 1024 * 1024 });
  const gallery = stack.addGallery(files);
  stack.sandbox.gallery.faultFile(files.at(-1)!.id, [{ slowBytesPerSecond: 1024 * 1024 }]); // ~3 s: progress is visible
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(gallery.pageUrl());
    await Promise.all([page.waitForURL((u) => u.hostname === HOSTS.google), page.getByRole('button', { name: 'Save to Google Drive' }).click()]);
    await Promise.all([page.waitForURL((u) => u.hostname === HOSTS.gallery), page.getByRole('button', { name: 'Allow' }).click()]);
    const transferId = new URL(page.url()).searchParams.get('transfer_id');
    assert.ok(transferId, `no transfer_id on ${page.url()}`);

    await page.goto(`${stack.apiOrigin}/cloud_archive/transfers/${transferId}/view`);
    const bar = page.getByRole('progressbar');
    // Functions, not strings: the page's CSP forbids eval. This file has no DOM types, hence the casts.
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.getElementById('bar').getAttribute('aria-valuenow') === '100', undefined, { timeout: 60_000 });
    await page.locator('#folder').waitFor({ state: 'visible' });
    // The bar animates its width: wait for the transition to finish before the screenshot.
    await page.waitForFunction(() => {
      const { document } = globalThis as unknown as PageGlobals;
      return Math.abs(document.getElementById('fill').getBoundingClientRect().width - document.getElementById('bar').getBoundingClientRect().width) < 1;
    });
    assert.match((await page.locator('#text').textContent()) ?? '', new RegExp(`Done — ${files.length} of ${files.length} photos`));
    assert.match((await page.locator('#folder').getAttribute('href')) ?? '', /^https:\/\/drive\.google\.com\/drive\/folders\//);

    // The screenshot: the filled part spans the whole bar, in the "done" colour.
    const shot = join(__dirname, '..', '..', '.data', 'status-page.png');
    await page.screenshot({ path: shot });
    const [barBox, fillBox] = await Promise.all([bar.boundingBox(), page.locator('#fill').boundingBox()]);
    assert.ok(barBox && fillBox);
    assert.ok(Math.abs(barBox.width - fillBox.width) < 1, `fill ${fillBox.width}px of ${barBox.width}px (screenshot: ${shot})`);
    const colour = await page.locator('#fill').evaluate((el) => (globalThis as unknown as PageGlobals).getComputedStyle(el).backgroundColor);
    assert.equal(colour, 'rgb(24, 128, 56)', `the bar is green when done (screenshot: ${shot})`);
  } finally {
    await context.close();
  }
});
