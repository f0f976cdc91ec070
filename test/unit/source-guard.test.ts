import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { type AddressInfo, isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config';
import { TransferError } from '../../src/shared/errors';
import { parseHostList } from '../../src/shared/hosts';
import { checkHop, isAddressAllowed } from '../../src/source/guard';
import { SourceHttp, sourceHttpFor } from '../../src/source/http';

/**
 * The download guard through the real HTTP client, with ALLOW_PRIVATE_SOURCE_ADDRESSES off as in production (every
 * test stack runs with it on). What the README promises: "every redirect hop of a download is re-checked, and
 * downloads refuse link-local/metadata addresses (and private ones unless ALLOW_PRIVATE_SOURCE_ADDRESSES)"; with
 * this change also: only globally routable unicast addresses, and https only unless ALLOW_HTTP_SOURCES.
 *
 * A canary listens on every local address (`::`, dual-stack): any request the guard lets through to this machine
 * reaches it, so "refused" is checked as "refused, and nothing arrived". With the switch off no loopback server can
 * be reached, so the redirect tests start at a gallery on 127.0.0.1 that the test's policy alone admits (exactly
 * that address, nothing else) and check what the guard does with the hop.
 */

let canary: Server;
let canaryPort: number;
let canaryHits = 0;
let gallery: Server;
let galleryHost: string;
let galleryHits = 0;

/** `/ok` answers 200; `/to?u=<url>` redirects there. */
function galleryHandler(count: () => void) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/to') return res.writeHead(302, { location: url.searchParams.get('u')! }).end();
    count();
    res.end('ok');
  };
}

async function listen(server: Server, host: string): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

before(async () => {
  canary = createServer((_req, res) => {
    canaryHits++;
    res.end('reached');
  });
  canaryPort = await listen(canary, '::');
  gallery = createServer(galleryHandler(() => galleryHits++));
  galleryHost = `127.0.0.1:${await listen(gallery, '127.0.0.1')}`;
});
after(async () => {
  canary?.closeAllConnections();
  gallery?.closeAllConnections();
  await new Promise((r) => canary?.close(r));
  await new Promise((r) => gallery?.close(r));
});

/** Names the tests point at addresses; everything else (localhost) goes to the system resolver. */
const NAMES: Record<string, string[]> = {
  'unspecified.test': ['::'],
  'loopback6.test': ['::1'],
  'mapped.test': ['::ffff:127.0.0.1'],
  'nat64.test': ['64:ff9b::a9fe:a9fe'],
  'metadata.test': ['169.254.169.254'],
  'metadata6.test': ['fd00:ec2::254'],
  'private.test': ['10.0.0.1'],
  'mixed.test': ['93.184.216.34', '127.0.0.1'],
};
const lookup = ((hostname: string, options: object, callback: (err: Error | null, addresses: LookupAddress[]) => void) => {
  const addresses = NAMES[hostname];
  if (!addresses) return dnsLookup(hostname, { ...options, all: true }, callback);
  callback(null, addresses.map((address) => ({ address, family: isIP(address) })));
}) as unknown as typeof dnsLookup;

function config(env: Record<string, string>) {
  return parseConfig({
    GOOGLE_CLIENT_ID: 'id',
    GOOGLE_CLIENT_SECRET: 'secret',
    COMPLETION_CALLBACK_URL: 'https://app.litegallery.io/api/cloud_archive/callback',
    CALLBACK_SECRET: 'c'.repeat(16),
    SECRET_KEY: 's'.repeat(32),
    SOURCE_STALL_SECONDS: '10',
    ...env,
  });
}

/** What a GET ends in: `HTTP <status>`, or the guard's error code. Hosts on the allowlist: the URL's and `also`. */
async function outcome(http: SourceHttp, url: string, also: string[] = []): Promise<string> {
  try {
    const res = await http.get(url, { allowlist: parseHostList([new URL(url).host, ...also].join(',')) });
    res.discard();
    return `HTTP ${res.statusCode}`;
  } catch (err) {
    return err instanceof TransferError ? err.code : `${(err as Error).name}: ${(err as Error).message}`;
  }
}

async function outcomes(http: SourceHttp, urls: string[], also: (url: string) => string[] = () => []): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const url of urls) result[url] = await outcome(http, url, also(url));
  return result;
}

const every = (urls: string[], value: string) => Object.fromEntries(urls.map((u) => [u, value]));

describe('download guard, ALLOW_PRIVATE_SOURCE_ADDRESSES off (production)', () => {
  const off = config({ ALLOW_PRIVATE_SOURCE_ADDRESSES: 'false', ALLOW_HTTP_SOURCES: 'true' });

  test('per hop (pure): scheme, credentials, host allowlist and address literals', () => {
    const rules = (allowHttp: boolean) => ({
      allowlist: parseHostList('up-d.lite.gallery,127.0.0.1:9000,[::]:9000,169.254.169.254,8.8.8.8'),
      allowHttp,
      addressAllowed: (a: string) => isAddressAllowed(a, false),
    });
    const verdict = (url: string, allowHttp: boolean) => {
      try {
        return checkHop(url, rules(allowHttp)).host;
      } catch (err) {
        return (err as TransferError).code;
      }
    };
    const table: Array<[string, boolean, string]> = [
      ['https://up-d.lite.gallery/p.jpg', false, 'up-d.lite.gallery'],
      ['http://up-d.lite.gallery/p.jpg', false, 'source_url_invalid'],
      ['http://up-d.lite.gallery/p.jpg', true, 'up-d.lite.gallery'],
      ['ftp://up-d.lite.gallery/p.jpg', true, 'source_url_invalid'],
      ['file:///etc/passwd', true, 'source_url_invalid'],
      ['https://user:pw@up-d.lite.gallery/p.jpg', false, 'source_url_invalid'],
      ['https://evil.example/p.jpg', false, 'source_host_not_allowed'],
      ['https://up-d.lite.gallery.evil.example/p.jpg', false, 'source_host_not_allowed'],
      ['https://8.8.8.8/p.jpg', false, '8.8.8.8'],
      ['http://127.0.0.1:9000/p.jpg', true, 'source_blocked'],
      ['http://[::]:9000/p.jpg', true, 'source_blocked'],
      ['https://169.254.169.254/latest/meta-data/', false, 'source_blocked'],
      ['not a url', true, 'source_url_invalid'],
    ];
    assert.deepEqual(
      table.map(([url, allowHttp]) => [url, allowHttp, verdict(url, allowHttp)]),
      table,
    );
  });

  test('address literals in the URL are refused before anything connects', async () => {
    canaryHits = 0;
    const urls = [
      `http://127.0.0.1:${canaryPort}/`,
      `http://127.0.0.2:${canaryPort}/`,
      `http://0.0.0.0:${canaryPort}/`,
      `http://[::]:${canaryPort}/`,
      `http://[::1]:${canaryPort}/`,
      `http://[::ffff:127.0.0.1]:${canaryPort}/`,
      `http://[64:ff9b::7f00:1]:${canaryPort}/`,
      `http://10.0.0.1:${canaryPort}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
    ];
    const http = sourceHttpFor(off);
    try {
      assert.deepEqual(await outcomes(http, urls), every(urls, 'source_blocked'));
    } finally {
      await http.close();
    }
    assert.equal(canaryHits, 0, 'nothing reached this machine');
  });

  test('host names that resolve to such addresses are refused at connect time (the system resolver for localhost)', async () => {
    canaryHits = 0;
    const urls = [
      `http://localhost:${canaryPort}/`,
      ...Object.keys(NAMES).map((name) => `http://${name}:${canaryPort}/`),
    ];
    const http = sourceHttpFor(off, { lookup });
    try {
      assert.deepEqual(await outcomes(http, urls), every(urls, 'source_blocked'));
    } finally {
      await http.close();
    }
    assert.equal(canaryHits, 0, 'nothing reached this machine');
  });

  test('a redirect hop to such an address or name is refused', async () => {
    // The production policy, plus exactly the test gallery's address so that the first hop can be made at all.
    const http = new SourceHttp({ addressAllowed: (a) => a === '127.0.0.1' || isAddressAllowed(a, false), allowHttp: true, stallMs: 10_000, lookup });
    const via = (target: string) => `http://${galleryHost}/to?u=${encodeURIComponent(target)}`;
    const targetHost = (url: string) => [new URL(new URL(url).searchParams.get('u')!).host];
    try {
      galleryHits = 0;
      assert.equal(await outcome(http, via(`http://${galleryHost}/ok`)), 'HTTP 200', 'the first hop and an allowed second hop work');
      assert.equal(galleryHits, 1);

      canaryHits = 0;
      const targets = [
        `http://[::]:${canaryPort}/`,
        `http://[::1]:${canaryPort}/`,
        `http://127.0.0.2:${canaryPort}/`,
        `http://[::ffff:127.0.0.1]:${canaryPort}/`,
        `http://unspecified.test:${canaryPort}/`,
        `http://loopback6.test:${canaryPort}/`,
        `http://mapped.test:${canaryPort}/`,
        'http://metadata.test/latest/meta-data/',
        'http://169.254.169.254/latest/meta-data/',
      ].map(via);
      assert.deepEqual(await outcomes(http, targets, targetHost), every(targets, 'source_blocked'));
      assert.equal(canaryHits, 0, 'no redirect reached this machine');
    } finally {
      await http.close();
    }
  });
});

describe('download guard, ALLOW_PRIVATE_SOURCE_ADDRESSES on (local emulators)', () => {
  test('loopback is reached; unspecified, link-local and metadata addresses are still refused', async () => {
    canaryHits = 0;
    const http = sourceHttpFor(config({ ALLOW_PRIVATE_SOURCE_ADDRESSES: 'true', ALLOW_HTTP_SOURCES: 'true' }), { lookup });
    try {
      const reached = [`http://127.0.0.1:${canaryPort}/`, `http://localhost:${canaryPort}/`, `http://loopback6.test:${canaryPort}/`];
      const refused = [
        `http://[::]:${canaryPort}/`,
        `http://0.0.0.0:${canaryPort}/`,
        `http://unspecified.test:${canaryPort}/`,
        'http://169.254.169.254/latest/meta-data/',
        'http://metadata.test/latest/meta-data/',
        'http://metadata6.test/latest/meta-data/',
        'http://nat64.test/latest/meta-data/',
      ];
      assert.deepEqual(await outcomes(http, [...reached, ...refused]), { ...every(reached, 'HTTP 200'), ...every(refused, 'source_blocked') });
    } finally {
      await http.close();
    }
    assert.equal(canaryHits, 3, 'the canary is reachable: the refusals above are the guard’s doing');
  });
});

describe('https only, unless ALLOW_HTTP_SOURCES', () => {
  let dir: string;
  let secure: ReturnType<typeof createTlsServer>;
  let secureHost: string;
  let ca: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'source-guard-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    ca = readFileSync(join(dir, 'cert.pem'), 'utf8');
    secure = createTlsServer({ key: readFileSync(join(dir, 'key.pem')), cert: ca }, galleryHandler(() => undefined));
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    secureHost = `127.0.0.1:${(secure.address() as AddressInfo).port}`;
  });
  after(async () => {
    secure?.closeAllConnections();
    await new Promise((r) => secure?.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const client = (allowHttp: boolean) =>
    new SourceHttp({ addressAllowed: (a) => a === '127.0.0.1' || isAddressAllowed(a, false), allowHttp, stallMs: 10_000, ca });

  test('an http URL and an https→http redirect hop are refused; with the setting both are fetched', async () => {
    const plain = `http://${galleryHost}/ok`;
    const downgrade = `https://${secureHost}/to?u=${encodeURIComponent(plain)}`;
    const strict = client(false);
    const relaxed = client(true);
    try {
      galleryHits = 0;
      assert.equal(await outcome(strict, `https://${secureHost}/ok`), 'HTTP 200', 'https works');
      assert.equal(await outcome(strict, plain), 'source_url_invalid');
      assert.equal(await outcome(strict, downgrade, [galleryHost]), 'source_url_invalid');
      assert.equal(galleryHits, 0, 'the http server was never asked');
      assert.equal(await outcome(relaxed, downgrade, [galleryHost]), 'HTTP 200');
      assert.equal(galleryHits, 1);
    } finally {
      await strict.close();
      await relaxed.close();
    }
  });

  test('production configuration: GALLERY_API_URL must be https unless ALLOW_HTTP_SOURCES', () => {
    assert.throws(() => config({ GALLERY_API_URL: 'http://gallery.internal' }), /GALLERY_API_URL: must be https/);
    assert.equal(config({ GALLERY_API_URL: 'http://gallery.internal', ALLOW_HTTP_SOURCES: 'true' }).ALLOW_HTTP_SOURCES, true);
    assert.equal(config({}).ALLOW_HTTP_SOURCES, false, 'off by default');
  });
});
