import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { type Config, ConfigError } from '../config';

export type TemporalConnectionConfig = Pick<
  Config,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_NAMESPACE'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_API_KEY'
  | 'TEMPORAL_TLS_CERT_PATH'
  | 'TEMPORAL_TLS_KEY_PATH'
  | 'TEMPORAL_TLS_CA_PATH'
>;

export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

/**
 * The options shared by the client `Connection` (api, bridge) and the worker's `NativeConnection`: plain gRPC for a
 * local server; TLS with an API key or an mTLS client pair for Temporal Cloud or a secured self-hosted frontend.
 * Reads the PEM files on every call, so a reconnect picks up rotated certificates.
 */
export function temporalConnectionOptions(config: TemporalConnectionConfig): TemporalConnectionOptions {
  const { TEMPORAL_TLS_CERT_PATH: certPath, TEMPORAL_TLS_KEY_PATH: keyPath, TEMPORAL_TLS_CA_PATH: caPath } = config;
  if (Boolean(certPath) !== Boolean(keyPath)) {
    throw new ConfigError('Invalid configuration:\n  TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together');
  }
  const tls: TLSConfig = {};
  if (certPath && keyPath) tls.clientCertPair = { crt: readPem('TEMPORAL_TLS_CERT_PATH', certPath), key: readPem('TEMPORAL_TLS_KEY_PATH', keyPath) };
  if (caPath) tls.serverRootCACertificate = readPem('TEMPORAL_TLS_CA_PATH', caPath);
  // Temporal Cloud refuses an API key or client certificate over plain text, so either one implies TLS.
  const useTls = config.TEMPORAL_TLS || Boolean(config.TEMPORAL_API_KEY) || Object.keys(tls).length > 0;
  return {
    address: config.TEMPORAL_ADDRESS,
    ...(useTls ? { tls: Object.keys(tls).length > 0 ? tls : true } : {}),
    ...(config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY } : {}),
  };
}

function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  ${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

export async function connectClient(config: TemporalConnectionConfig): Promise<Client> {
  const connection = await Connection.connect(temporalConnectionOptions(config));
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}
