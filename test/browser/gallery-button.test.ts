import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { GOOGLE_CALLBACK_PATH as OAUTH_CALLBACK_PATH } from '../../src/providers/google-drive/destination';
import { PHOTOS_APPENDONLY_SCOPE, PHOTOS_READ_APP_CREATED_SCOPE } from '../../src/emulators/google';
import { GOOGLE_PHOTOS_CALLBACK_PATH } from '../../src/providers/google-photos/destination';
import { assertDriveTree, assertTree, photosNodes, sampleFiles } from '../helpers/drive-tree';
import { Diary, inBrowser, launchChromium } from './support/chromium';
import { BrowserStack, HOSTS, TestGallery, startBrowserStack } from './support/stack';

/**
 * The "Save to Google Drive" button in a real browser (Debian's Chromium, headless): the gallery's page on its
 * own site POSTs /cloud_archive with fetch (CORS), follows redirect_to to the emulated Google on a third site,
 * a click on Allow or Deny, Google's redirect back to our callback (cross-site), and the gallery's success or
 * fail page. Behind it the real API, RabbitMQ, bridge, Temporal and worker copy the files into the emulated
 * Drive. On failure the message carries the browser's request chain and cookies.
 */

const KiB = 1024;
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

const API_PATH = '/cloud_archive';

/** Opens the gallery page and presses a button; resolves on Google's consent page, fails fast if the page reports an error. */
async function pressSaveToDrive(page: Page, url: string, button = 'Save to Google Drive'): Promise<void> {
  await page.goto(url);
  const status = page.locator('#status', { hasText: 'Could not start' });
  // The loser stays pending until the context closes; the catch keeps its rejection handled.
  const [outcome] = await Promise.all([
    Promise.race([
      page.waitForURL((u) => u.hostname === HOSTS.google).then(() => 'consent' as const),
      status.waitFor().then(() => 'error' as const),
    ].map((p) => p.catch((err: unknown) => err as Error))),
    page.getByRole('button', { name: button }).click(),
  ]);
  if (outcome instanceof Error) throw outcome;
  if (outcome === 'error') throw new Error(`the gallery page says: ${await status.textContent()}`);
}

/** Answers Google's consent page; resolves once the browser is back on the gallery's site. */
async function answerConsent(page: Page, answer: 'Allow' | 'Deny'): Promise<URL> {
  await page.getByRole('button', { name: 'Deny' }).waitFor();
  await Promise.all([page.waitForURL((u) => u.hostname === HOSTS.gallery), page.getByRole('button', { name: answer }).click()]);
  return new URL(page.url());
}

/** The allowed flow from the button to the success page, then the files in Drive. */
async function saveAndCheck(page: Page, diary: Diary, gallery: TestGallery, credentials: 'include' | 'omit'): Promise<string> {
  await pressSaveToDrive(page, gallery.pageUrl({ credentials }));
  const landed = await answerConsent(page, 'Allow');
  assert.equal(landed.pathname, '/saved', 'the success link');
  const transferId = landed.searchParams.get('transfer_id');
  assert.match(transferId ?? '', /^[\w-]{22}$/, 'the success link carries transfer_id');
  assert.equal(await page.locator('#transfer-id').textContent(), transferId, 'the success page loaded');

  const callback = await stack.completion(transferId!);
  assert.equal((callback.json as { status: string }).status, 'succeeded');
  assertDriveTree(stack.sandbox.google, gallery.name, gallery.files);
  await diary.settle();
  assertCorsAnswered(diary, credentials);
  assertNoApiCookies(diary);
  return transferId!;
}

function assertCorsAnswered(diary: Diary, credentials: 'include' | 'omit'): void {
  const galleryOrigin = `http://${HOSTS.gallery}:${stack.galleryPort}`;
  const [preflight] = diary.matching('OPTIONS', API_PATH);
  assert.ok(preflight, 'the JSON POST was preflighted');
  assert.equal(preflight.status, 204);
  assert.equal(preflight.responseHeaders?.['access-control-allow-origin'], galleryOrigin, 'the origin is echoed, not *');
  assert.match(preflight.responseHeaders?.['access-control-allow-methods'] ?? '', /\bPOST\b/);
  assert.match(preflight.responseHeaders?.['access-control-allow-headers'] ?? '', /content-type/i);
  assert.match(preflight.responseHeaders?.['access-control-max-age'] ?? '', /^\d+$/);
  const [post] = diary.matching('POST', API_PATH);
  assert.equal(post?.status, 200);
  assert.equal(post.requestHeaders.origin, galleryOrigin);
  assert.equal(post.responseHeaders?.['access-control-allow-origin'], galleryOrigin);
  assert.equal(post.responseHeaders?.['access-control-allow-credentials'], 'true', `credentials allowed (this page used '${credentials}')`);
  assert.match(post.responseHeaders?.vary ?? '', /\bOrigin\b/i);
}

/** The flow must not rest on a cookie: the API sets none, in particular not on the cross-origin POST. */
function assertNoApiCookies(diary: Diary): void {
  const apiResponses = diary.exchanges.filter((e) => new URL(e.url).hostname === HOSTS.api && e.status !== undefined);
  assert.ok(apiResponses.length >= 3, 'preflight, POST and callback went to the API');
  for (const e of apiResponses) assert.equal(e.responseHeaders?.['set-cookie'], undefined, `${e.method} ${e.url} sets no cookie`);
}

describe('the gallery button in Chromium', () => {
  test('consent allowed: success page with transfer_id, files in Drive (fetch with credentials: include)', async () => {
    const gallery = stack.addGallery(sampleFiles({ small: 6, large: 1, largeSize: 700 * KiB }));
    await inBrowser(browser, async (page, diary) => {
      await saveAndCheck(page, diary, gallery, 'include');
      // The code and state in the callback URL must not travel on as a Referer to the gallery's site.
      const [success] = diary.matching('GET', '/saved');
      assert.equal(success?.requestHeaders.referer, undefined, 'no Referer on the way to the success link');
      const [callback] = diary.matching('GET', OAUTH_CALLBACK_PATH);
      assert.equal(callback?.status, 302);
      assert.equal(callback.responseHeaders?.['referrer-policy'], 'no-referrer');

      // Now that the workers reported back, the success page shows the result and the Drive tree.
      await page.reload();
      assert.equal(await page.locator('#result').getAttribute('data-status'), 'succeeded');
      const tree = (await page.locator('#tree').textContent()) ?? '';
      for (const file of gallery.files) assert.ok(tree.includes(file.name.split('/').pop()!), `the tree shows ${file.name}`);
    });
  });

  test('"Save to Google Photos": Photos\u2019 own consent (its two scopes, its callback), the photos in albums', async () => {
    const gallery = stack.addGallery(sampleFiles({ small: 4, large: 1, largeSize: 700 * KiB }));
    await inBrowser(browser, async (page, diary) => {
      await pressSaveToDrive(page, gallery.pageUrl(), 'Save to Google Photos');
      const scopes = new URL(page.url()).searchParams.get('scope')?.split(' ').sort();
      assert.deepEqual(scopes, [PHOTOS_APPENDONLY_SCOPE, PHOTOS_READ_APP_CREATED_SCOPE].sort());
      const landed = await answerConsent(page, 'Allow');
      assert.equal(landed.pathname, '/saved', 'the success link');
      const [callback] = diary.matching('GET', GOOGLE_PHOTOS_CALLBACK_PATH);
      assert.equal(callback?.status, 302);
      const completion = (await stack.completion(landed.searchParams.get('transfer_id')!)).json as { status: string; cloud_type: string };
      assert.deepEqual([completion.status, completion.cloud_type], ['succeeded', 'google_photos']);
      assertTree(photosNodes(stack.sandbox.google), gallery.name, gallery.files);
    });
  });

  test('the same flow from a page whose fetch omits credentials', async () => {
    const gallery = stack.addGallery(sampleFiles({ small: 4, large: 0 }));
    await inBrowser(browser, async (page, diary) => {
      await saveAndCheck(page, diary, gallery, 'omit');
    });
  });

  test('consent denied: the fail link, with reason=access_denied, and nothing queued', async () => {
    const gallery = stack.addGallery(sampleFiles({ small: 2, large: 0 }));
    await inBrowser(browser, async (page) => {
      await pressSaveToDrive(page, gallery.pageUrl());
      const landed = await answerConsent(page, 'Deny');
      assert.equal(landed.pathname, '/failed', 'the fail link');
      assert.equal(landed.searchParams.get('reason'), 'access_denied');
      assert.equal(await page.locator('#reason').getAttribute('data-reason'), 'access_denied', 'the fail page loaded');
      const notStarted = stack.apiLogs.filter((l) => l.msg === 'transfer not started' && l.reason === 'access_denied');
      assert.equal(notStarted.length, 1, 'the API logged the denial');
      assert.equal(landed.searchParams.get('transfer_id'), notStarted[0]!.transfer_id, 'the fail link names the attempt, as the log does');
      assert.equal(stack.apiLogs.filter((l) => l.msg === 'transfer queued' && l.transfer_id === notStarted[0]!.transfer_id).length, 0);
    });
  });

  test('a page on an origin off CORS_ORIGINS is blocked by the browser, and the API logs it', async () => {
    const gallery = stack.addGallery(sampleFiles({ small: 1, large: 0 }));
    const foreignOrigin = `http://${HOSTS.foreign}:${stack.galleryPort}`;
    await inBrowser(browser, async (page, diary) => {
      const pageUrl = gallery.pageUrl({ host: HOSTS.foreign });
      await page.goto(pageUrl);
      const blocked = page.waitForEvent('console', (m) => /blocked by CORS policy/.test(m.text()));
      await page.getByRole('button', { name: 'Save to Google Drive' }).click();
      await blocked;
      await page.locator('#status', { hasText: 'Could not start the transfer' }).waitFor();
      assert.equal(page.url(), pageUrl, 'the browser stayed on the gallery page');
      await diary.settle();
      const [preflight] = diary.matching('OPTIONS', API_PATH);
      assert.equal(preflight?.status, 403);
      assert.equal(preflight.responseHeaders?.['access-control-allow-origin'], undefined, 'no CORS headers for a foreign origin');
      const posts = diary.matching('POST', API_PATH);
      assert.ok(posts.every((e) => e.status === undefined && e.failure), 'the POST itself got no answer');
      assert.ok(!diary.exchanges.some((e) => new URL(e.url).hostname === HOSTS.google), 'Google was never reached');
      assert.ok(
        stack.apiLogs.some((l) => l.level === 'warn' && l.msg === 'CORS: origin not allowed' && l.origin === foreignOrigin),
        'the API logged the refused origin',
      );
    });
  });

  test("Google's consent page is another site: the return to the callback carries Lax cookies, not Strict ones", async () => {
    const gallery = stack.addGallery(sampleFiles({ small: 2, large: 0 }));
    await inBrowser(browser, async (page, diary, context) => {
      // Probes only: the service itself reads no cookie. Chromium sends a Strict cookie on a navigation only
      // when the whole chain is same-site, a Lax one on any top-level GET navigation.
      await context.addCookies([
        { name: 'probe_lax', value: '1', url: stack.apiOrigin, sameSite: 'Lax' },
        { name: 'probe_strict', value: '1', url: stack.apiOrigin, sameSite: 'Strict' },
      ]);
      await pressSaveToDrive(page, gallery.pageUrl());
      const consentHost = new URL(page.url()).hostname;
      assert.notEqual(consentHost, new URL(stack.apiOrigin).hostname);
      await saveAfterConsent(page, gallery);
      await diary.settle();
      const [callback] = diary.matching('GET', OAUTH_CALLBACK_PATH);
      assert.ok(callback, 'the browser came back to the callback');
      const cookies = callback.requestHeaders.cookie ?? '';
      assert.match(cookies, /\bprobe_lax=1\b/, 'a top-level navigation carries Lax cookies');
      assert.doesNotMatch(cookies, /\bprobe_strict=1\b/, 'Chromium treated the return from Google as cross-site');
    });
  });

  test('a tampered state and an unknown path get short HTML pages, with a restrictive CSP', async () => {
    await inBrowser(browser, async (page) => {
      const tampered = await page.goto(`${stack.apiOrigin}${OAUTH_CALLBACK_PATH}?code=abc&state=v1.${'A'.repeat(80)}`);
      assert.equal(tampered?.status(), 400);
      assert.equal(await page.locator('h1').textContent(), 'Invalid link');
      const headers = await tampered!.allHeaders();
      assert.match(headers['content-type'] ?? '', /^text\/html/);
      assert.match(headers['content-security-policy'] ?? '', /default-src 'none'/);
      assert.equal(headers['referrer-policy'], 'no-referrer');
      assert.equal(page.url().startsWith(stack.apiOrigin), true, 'no redirect to a link from a forged state');

      const missing = await page.goto(`${stack.apiOrigin}/cloud_archive/nowhere`);
      assert.equal(missing?.status(), 404);
      assert.equal(await page.locator('h1').textContent(), 'Page not found');
    });
  });
});

/** After the consent page is up: Allow, the success page, the files. */
async function saveAfterConsent(page: Page, gallery: TestGallery): Promise<void> {
  const landed = await answerConsent(page, 'Allow');
  assert.equal(landed.pathname, '/saved');
  const transferId = landed.searchParams.get('transfer_id')!;
  await stack.completion(transferId);
  assertDriveTree(stack.sandbox.google, gallery.name, gallery.files);
}
