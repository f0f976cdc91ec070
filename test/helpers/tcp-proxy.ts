import net from 'node:net';

export interface TcpProxy {
  url: string;
  /** Drops every open connection (a broker restart). */
  cut(): void;
  /** Silences open connections (half-open TCP); resolves `swallowed` once bytes sent into the silence. */
  freeze(): void;
  swallowed: Promise<void>;
  /** Open connections keep delivering what the client sends but drop everything the server answers. */
  muteReplies(): void;
  /** Cuts, then refuses new connections (closed at once), like a stopped broker's port. */
  down(): void;
  /** Accepts and forwards new connections again after down(), like a broker that is back. */
  up(): void;
  /** Resolves once this many connections have been refused since the proxy started. */
  refused(count: number): Promise<void>;
  close(): Promise<void>;
}

/** Forwards TCP (to RabbitMQ, in these tests) with the faults above, for tests of what the client makes of them. */
export async function startProxy(target: URL): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; frozen: boolean; muted: boolean }>();
  let refusing = false;
  let refusals = 0;
  const refusalWaiters: Array<{ count: number; resolve: () => void }> = [];
  const refuse = (client: net.Socket): void => {
    client.destroy();
    refusals += 1;
    for (const waiter of refusalWaiters.filter((w) => w.count <= refusals)) {
      refusalWaiters.splice(refusalWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  let noteSwallowed!: () => void;
  const swallowed = new Promise<void>((resolve) => (noteSwallowed = resolve));
  const server = net.createServer((client) => {
    if (refusing) return refuse(client);
    const upstream = net.connect(Number(target.port), target.hostname);
    const pair = { client, upstream, frozen: false, muted: false };
    pairs.add(pair);
    client.on('data', (chunk) => (pair.frozen ? noteSwallowed() : upstream.write(chunk)));
    upstream.on('data', (chunk) => pair.frozen || pair.muted || client.write(chunk));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    for (const socket of [client, upstream]) socket.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.port = String((server.address() as net.AddressInfo).port);
  const cut = (): void => pairs.forEach((p) => (p.client.destroy(), p.upstream.destroy()));
  return {
    url: url.toString(),
    cut,
    freeze: () => pairs.forEach((p) => (p.frozen = true)),
    swallowed,
    muteReplies: () => pairs.forEach((p) => (p.muted = true)),
    down: () => ((refusing = true), cut()),
    up: () => void (refusing = false),
    refused: (count) => (refusals >= count ? Promise.resolve() : new Promise((resolve) => refusalWaiters.push({ count, resolve }))),
    close: async () => {
      cut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

