import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface EmulatorServer {
  /** Starts listening (port 0 = ephemeral) and resolves with a base URL such as http://127.0.0.1:PORT. */
  listen(port?: number, host?: string): Promise<{ url: string }>;
  /** Stops listening and drops open keep-alive connections so tests end promptly. */
  close(): Promise<void>;
}

export function createEmulatorServer(handler: RequestHandler): EmulatorServer {
  const server = createServer((req, res) => {
    handler(req, res).catch((err: unknown) => {
      console.error('emulator handler crashed', err);
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    });
  });
  return {
    listen: (port = 0, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve({ url: `http://${hostPart}:${address.port}` });
        });
      }),
    close: () =>
      new Promise((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
