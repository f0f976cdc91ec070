import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config';
import { temporalConnectionOptions } from '../../src/temporal/connection';

const REQUIRED = {
  GOOGLE_CLIENT_ID: 'id',
  GOOGLE_CLIENT_SECRET: 'secret',
  COMPLETION_CALLBACK_URL: 'https://app.litegallery.io/api/cloud_archive/callback',
  CALLBACK_SECRET: 'x'.repeat(16),
  SECRET_KEY: 'y'.repeat(32),
};
const options = (env: Record<string, string>) => temporalConnectionOptions(parseConfig({ ...REQUIRED, ...env }));

describe('Temporal connection options (local server, Temporal Cloud, mTLS)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'temporal-tls-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  test('plain gRPC by default', () => {
    assert.deepEqual(options({ TEMPORAL_ADDRESS: 'temporal:7233' }), { address: 'temporal:7233' });
  });

  test('TLS without client credentials', () => {
    assert.deepEqual(options({ TEMPORAL_TLS: 'true' }), { address: '127.0.0.1:7233', tls: true });
  });

  test('an API key (Temporal Cloud) implies TLS', () => {
    assert.deepEqual(options({ TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233', TEMPORAL_API_KEY: 'key' }), {
      address: 'eu-west-1.aws.api.temporal.io:7233',
      tls: true,
      apiKey: 'key',
    });
  });

  test('an mTLS client pair and a private CA are read from their files', () => {
    const result = options({
      TEMPORAL_TLS_CERT_PATH: file('client.pem', 'CERT'),
      TEMPORAL_TLS_KEY_PATH: file('client.key', 'KEY'),
      TEMPORAL_TLS_CA_PATH: file('ca.pem', 'CA'),
    });
    assert.deepEqual(result, {
      address: '127.0.0.1:7233',
      tls: { clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') }, serverRootCACertificate: Buffer.from('CA') },
    });
  });

  test('a certificate without its key, or an unreadable file, is a configuration error naming the variable', () => {
    assert.throws(() => options({ TEMPORAL_TLS_CERT_PATH: file('only.pem', 'CERT') }), (err: Error) => err instanceof ConfigError && /TEMPORAL_TLS_KEY_PATH/.test(err.message));
    assert.throws(
      () => options({ TEMPORAL_TLS_CERT_PATH: join(dir, 'missing.pem'), TEMPORAL_TLS_KEY_PATH: file('k.key', 'KEY') }),
      (err: Error) => err instanceof ConfigError && /TEMPORAL_TLS_CERT_PATH: cannot read .*missing\.pem \(ENOENT\)/.test(err.message),
    );
  });
});
