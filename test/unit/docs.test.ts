import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { createApp } from '../../src/api/app';
import { parseConfig } from '../../src/config';

/** The docs page and the Swagger UI files it loads, and nothing else of swagger-ui-dist. */
describe('API docs', () => {
  let server: http.Server;
  let base: string;

  before(async () => {
    const config = parseConfig({
      GOOGLE_CLIENT_ID: 'x', GOOGLE_CLIENT_SECRET: 'y', COMPLETION_CALLBACK_URL: 'http://a.example/cb',
      CALLBACK_SECRET: '1234567890123456', SECRET_KEY: 'k'.repeat(40),
    });
    const publisher = { publish: () => Promise.reject(new Error('no queue in this test')) };
    const claim = () => Promise.reject(new Error('no consent in this test'));
    server = http.createServer(createApp({ config, publisher, claim, logger: pino({ level: 'silent' }), readiness: async () => ({ amqp: true, temporal: true }) }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  test('every asset the docs page references is served', async () => {
    const html = await (await fetch(`${base}/cloud_archive/docs`)).text();
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.deepEqual(refs.sort(), ['/cloud_archive/docs/assets/swagger-ui-bundle.js', '/cloud_archive/docs/assets/swagger-ui.css', '/cloud_archive/docs/init.js']);
    for (const ref of refs) {
      const res = await fetch(`${base}${ref}`);
      assert.equal(res.status, 200, ref);
      assert.match(res.headers.get('content-type') ?? '', ref.endsWith('.css') ? /^text\/css/ : /javascript/, ref);
      assert.ok((await res.arrayBuffer()).byteLength > 0, ref);
    }
  });

  test('the rest of swagger-ui-dist is not served', async () => {
    const others = [
      'index.html', 'oauth2-redirect.html', 'oauth2-redirect.js', 'swagger-initializer.js', 'index.js', 'index.css',
      'swagger-ui-bundle.js.map', 'swagger-ui.js', 'swagger-ui-es-bundle.js', 'swagger-ui-standalone-preset.js',
      'package.json', 'README.md', 'absolute-path.js', 'favicon-32x32.png', '', '../package.json', '%2e%2e/package.json',
    ];
    for (const name of others) {
      const res = await fetch(`${base}/cloud_archive/docs/assets/${name}`);
      assert.equal(res.status, 404, `${name || '(the directory)'} answered ${res.status}`);
      await res.arrayBuffer();
    }
  });
});
