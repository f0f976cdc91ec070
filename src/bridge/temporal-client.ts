import type { Client } from '@temporalio/client';
import { TemporalConnectionConfig, connectClient, temporalConnectionOptions } from '../temporal/connection';

/**
 * A Temporal client connected on first use, and again on the next use after a failed connect — so a process
 * starts (and stays up) while Temporal is down. Once connected, the gRPC channel reconnects by itself.
 */
export class LazyTemporalClient {
  #client: Promise<Client> | null = null;
  #connected: Client | null = null;
  #closed = false;

  constructor(private readonly config: TemporalConnectionConfig) {
    temporalConnectionOptions(config); // a bad TLS setting stops the process at start-up, not at the first transfer
  }

  get(): Promise<Client> {
    if (this.#closed) return Promise.reject(new Error('Temporal client is closed'));
    if (!this.#client) {
      const connecting = connectClient(this.config);
      this.#client = connecting;
      connecting.then(
        (client) => {
          // Closed while connecting: nobody will use it.
          if (this.#closed) void client.connection.close();
          else this.#connected = client;
        },
        () => {
          if (this.#client === connecting) this.#client = null;
        },
      );
    }
    return this.#client;
  }

  /** Does not wait for a connect in progress (it can take its full timeout against a down server). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#client = null;
    await this.#connected?.connection.close();
    this.#connected = null;
  }
}
