import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { createApp } from '../../src/api/app';
import { PREFLIGHT_MAX_AGE_SECONDS } from '../../src/api/cors';
import { formatOriginList, isOriginAllowed, parseOriginList } from '../../src/api/cors-origins';
import { TransferStatusSource } from '../../src/api/transfers/status-source';
import { TransferWatchers } from '../../src/api/transfers/watchers';
import { ConfigError, parseConfig } from '../../src/config';
import { GOOGLE_CALLBACK_PATH as OAUTH_CALLBACK_PATH } from '../../src/providers/google-drive/destination';

/** CORS_ORIGINS parsing and matching, and the API's CORS answers over real HTTP (no broker needed: nothing is published). */

const BASE_ENV = {
  GOOGLE_CLIENT_ID: 'test-client.apps.googleusercontent.com',
  GOOGLE_CLIENT_SECRET: 'test-client-secret',
  COMPLETION_CALLBACK_URL: 'https://app.litegallery.io/api/cloud_archive/callback',
  CALLBACK_SECRET: 'callback-secret-16+',
  SECRET_KEY: 'a-test-secret-key-of-at-least-32-chars',
  PUBLIC_URL: 'https://api.example.test',
};

describe('CORS_ORIGINS', () => {
  test('parses origins and subdomain patterns, with default ports made explicit', () => {
    assert.deepEqual(parseOriginList(' https://*.Lite.Gallery , http://localhost:5173,https://app.litegallery.io:443 '), [
      { scheme: 'https', host: 'lite.gallery', wildcard: true, port: 443 },
      { scheme: 'http', host: 'localhost', wildcard: false, port: 5173 },
      { scheme: 'https', host: 'app.litegallery.io', wildcard: false, port: 443 },
    ]);
    assert.equal(formatOriginList(parseOriginList('https://*.lite.gallery,http://[::1]:8080')), 'https://*.lite.gallery,http://[::1]:8080');
  });

  const invalid: Array<[string, RegExp]> = [
    ['*', /"\*" is not allowed/],
    ['null', /"null" is not allowed/],
    ['lite.gallery', /is not an origin/],
    ['https://testerlite.lite.gallery/', /without a path/],
    ['https://testerlite.lite.gallery/test_16', /without a path/],
    ['ftp://lite.gallery', /is not an origin/],
    ['https://*', /is not an origin/],
    ['https://a.*.gallery', /is not an origin/],
    ['https://user@lite.gallery', /is not an origin/],
    ['https://lite.gallery:0', /invalid port/],
    ['https://lite.gallery:70000', /invalid port/],
    [' , ', /at least one origin/],
  ];
  for (const [value, message] of invalid) {
    test(`rejects ${JSON.stringify(value)}`, () => assert.throws(() => parseOriginList(value), message));
  }

  test('a bad value stops start-up with a message naming the variable; the default covers the gallery domains', () => {
    assert.throws(
      () => parseConfig({ ...BASE_ENV, CORS_ORIGINS: 'https://ok.lite.gallery,*' }),
      (err: unknown) => err instanceof ConfigError && /CORS_ORIGINS: "\*" is not allowed/.test(err.message),
    );
    const config = parseConfig(BASE_ENV);
    assert.equal(formatOriginList(config.CORS_ORIGINS), 'https://*.lite.gallery,https://*.litegallery.io');
  });

  describe('matching an Origin header', () => {
    const rules = parseOriginList('https://*.lite.gallery,https://app.litegallery.io,http://127.0.0.1:5173');
    const cases: Array<[string | undefined, boolean]> = [
      ['https://testerlite.lite.gallery', true],
      ['https://a.b.lite.gallery', true], // any depth, like the host allowlists
      ['https://app.litegallery.io', true],
      ['http://127.0.0.1:5173', true],
      ['https://lite.gallery', false], // *.domain is not the domain itself
      ['https://evillite.gallery', false],
      ['https://lite.gallery.evil.example', false],
      ['http://testerlite.lite.gallery', false], // scheme is part of the origin
      ['https://testerlite.lite.gallery:8443', false], // and so is the port
      ['http://127.0.0.1:5174', false],
      ['https://x.litegallery.io', false],
      ['null', false], // sandboxed frames, file: pages
      ['https://testerlite.lite.gallery/path', false], // not a serialised origin
      ['not a url', false],
      ['', false],
      [undefined, false],
    ];
    for (const [origin, allowed] of cases) {
      test(`${JSON.stringify(origin)} → ${allowed ? 'allowed' : 'refused'}`, () => assert.equal(isOriginAllowed(origin, rules), allowed));
    }
  });
});

describe('the API answering cross-origin calls', () => {
  const GALLERY = 'https://testerlite.lite.gallery';
  const FOREIGN = 'https://evil.example';
  const logs: Array<Record<string, unknown>> = [];
  let server: http.Server;
  let port: number;

  before(async () => {
    const config = parseConfig({ ...BASE_ENV, CORS_ORIGINS: 'https://*.lite.gallery' });
    const logger = pino(
      { level: 'info', formatters: { level: (label) => ({ level: label }) } },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      }),
    );
    const publisher = { publish: async () => assert.fail('nothing is published in these tests') };
    const claim = async () => assert.fail('no consent link is claimed in these tests');
    // Transfer status without Temporal: reading a transfer fails (500), which is enough to see the CORS headers.
    const source = new TransferStatusSource({ get: () => Promise.reject(new Error('Temporal is not part of these tests')) });
    const transfers = { source, watchers: new TransferWatchers(source, logger) };
    server = http.createServer(createApp({ config, publisher, claim, logger, readiness: async () => ({ amqp: true, temporal: true }), transfers }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** node:http rather than fetch: fetch would not let a test set Origin freely. */
  function request(method: string, path: string, headers: Record<string, string>, body?: string) {
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (p: Buffer) => parts.push(p));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  const preflight = (origin: string) =>
    request('OPTIONS', '/cloud_archive', { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' });

  const validBody = JSON.stringify({
    redirect_success_link: 'https://testerlite.lite.gallery/saved',
    redirect_fail_link: 'https://testerlite.lite.gallery/failed',
    archive_url: 'https://arch-d.lite.gallery/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3?mod=web',
    gallery_name: 'Gallery',
    archive_type: 'webs',
    cloud_type: 'google_drive',
  });

  test('a preflight from an allowed origin: 204, the origin echoed, credentials, POST, content-type, max-age', async () => {
    const res = await preflight(GALLERY);
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-origin'], GALLERY);
    assert.equal(res.headers['access-control-allow-credentials'], 'true');
    assert.equal(res.headers['access-control-allow-methods'], 'POST');
    assert.equal(res.headers['access-control-allow-headers'], 'content-type');
    assert.equal(res.headers['access-control-max-age'], String(PREFLIGHT_MAX_AGE_SECONDS));
    assert.match(String(res.headers.vary), /\bOrigin\b/);
  });

  test('a preflight from a foreign origin: 403 without CORS headers, and a log line naming the origin', async () => {
    const res = await preflight(FOREIGN);
    assert.equal(res.status, 403);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    assert.equal(res.headers['access-control-allow-credentials'], undefined);
    assert.equal(res.headers['access-control-allow-methods'], undefined);
    assert.match(String(res.headers.vary), /\bOrigin\b/);
    assert.equal((JSON.parse(res.body) as { error: string }).error, 'origin_not_allowed');
    assert.ok(logs.some((l) => l.level === 'warn' && l.msg === 'CORS: origin not allowed' && l.origin === FOREIGN));
  });

  test('the POST from an allowed origin gets the consent URL, readable by the page', async () => {
    const res = await request('POST', '/cloud_archive', { origin: GALLERY, 'content-type': 'application/json' }, validBody);
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], GALLERY);
    assert.equal(res.headers['access-control-allow-credentials'], 'true');
    assert.match(String(res.headers.vary), /\bOrigin\b/);
    assert.equal(res.headers['set-cookie'], undefined, 'no cookie: the callback needs none');
    assert.ok((JSON.parse(res.body) as { redirect_to: string }).redirect_to);
  });

  test('errors carry the CORS headers too, so the page can show their message', async () => {
    const res = await request('POST', '/cloud_archive', { origin: GALLERY, 'content-type': 'application/json' }, '{"gallery_name": 1}');
    assert.equal(res.status, 400);
    assert.equal(res.headers['access-control-allow-origin'], GALLERY);
    assert.equal((JSON.parse(res.body) as { error: string }).error, 'missing_field');
  });

  test('the POST from a foreign origin gets no CORS headers (the browser hides the answer) and is logged', async () => {
    const before = logs.length;
    const res = await request('POST', '/cloud_archive', { origin: 'https://lite.gallery', 'content-type': 'application/json' }, validBody);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    assert.equal(res.headers['access-control-allow-credentials'], undefined);
    assert.match(String(res.headers.vary), /\bOrigin\b/);
    assert.ok(logs.slice(before).some((l) => l.msg === 'CORS: origin not allowed' && l.origin === 'https://lite.gallery'));
  });

  test('without an Origin (server to server) nothing CORS is added, and nothing is logged', async () => {
    const before = logs.length;
    const res = await request('POST', '/cloud_archive', { 'content-type': 'application/json' }, validBody);
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    assert.equal(logs.slice(before).filter((l) => l.msg === 'CORS: origin not allowed').length, 0);
  });

  test('a transfer and its event stream: GET from an allowed origin (error answers too), preflights for Last-Event-ID', async () => {
    const transfer = '/cloud_archive/transfers/AAAAAAAAAAAAAAAAAAAAAA';
    for (const path of [transfer, `${transfer}/events`]) {
      const pre = await request('OPTIONS', path, { origin: GALLERY, 'access-control-request-method': 'GET', 'access-control-request-headers': 'last-event-id' });
      assert.equal(pre.status, 204, path);
      assert.equal(pre.headers['access-control-allow-origin'], GALLERY);
      assert.equal(pre.headers['access-control-allow-methods'], 'GET');
      assert.equal(pre.headers['access-control-allow-headers'], 'last-event-id');
      const foreign = await request('OPTIONS', path, { origin: FOREIGN, 'access-control-request-method': 'GET' });
      assert.equal(foreign.status, 403);
      assert.equal(foreign.headers['access-control-allow-origin'], undefined);
    }
    const read = await request('GET', transfer, { origin: GALLERY });
    assert.equal(read.status, 500, 'Temporal is not there');
    assert.equal(read.headers['access-control-allow-origin'], GALLERY, 'the page can read the error');
    assert.match(String(read.headers.vary), /Origin/);
    const refused = await request('GET', transfer, { origin: FOREIGN });
    assert.equal(refused.headers['access-control-allow-origin'], undefined);
  });

  test('the OAuth callback is a navigation, not a CORS endpoint', async () => {
    const res = await request('OPTIONS', OAUTH_CALLBACK_PATH, { origin: GALLERY, 'access-control-request-method': 'GET' });
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });

  test('a browser navigation that fails gets an HTML page with a restrictive CSP; an API client gets JSON', async () => {
    const page = await request('GET', '/cloud_archive/nowhere', { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' });
    assert.equal(page.status, 404);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /<h1>Page not found<\/h1>/);
    const csp = String(page.headers['content-security-policy']);
    for (const directive of ["default-src 'none'", "form-action 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) assert.ok(csp.includes(directive), csp);
    assert.equal(page.headers['referrer-policy'], 'no-referrer');

    const json = await request('GET', '/cloud_archive/nowhere', { accept: '*/*' });
    assert.equal(json.status, 404);
    assert.equal((JSON.parse(json.body) as { error: string }).error, 'not_found');
  });
});
