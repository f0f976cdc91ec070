import { jsonReply, type Reply } from '../shared/http';
import { Link } from '../shared/link';
import { createEmulatorServer } from '../shared/server';
import type { YandexContext } from './context';
import { WriteRateLimiter } from '../shared/write-rate-limiter';
import { resourceRoutes } from './disk/resources';
import { DiskStore } from './disk/store';
import { FaultInjector } from './faults';
import { authorizeRoutes, DEFAULT_USER } from './oauth/authorize';
import { tokenRoutes } from './oauth/tokenEndpoints';
import { TokenStore } from './oauth/tokens';
import { resolveOptions, type YandexEmulatorOptions } from './options';
import { createDispatcher } from './router';
import { YandexStats } from './stats';
import { diskTree, type YandexNode } from './tree';
import { BackgroundFetches } from './upload/background';
import { UploadLinkStore } from './upload/links';
import { OperationStore, operationRoutes } from './upload/operations';
import { uploadRoutes } from './upload/routes';

export type { YandexEmulatorOptions } from './options';
export type { YandexNode } from './tree';
export type { ChaosOptions, FaultAction, FaultContext, FaultRule, OpKind, StatusFault } from './faults';
export { FaultInjector, OP_KINDS } from './faults';
export { YandexStats } from './stats';
export { DEFAULT_USER } from './oauth/authorize';

export interface YandexEmulator {
  /** Resolves with a base URL like http://127.0.0.1:PORT; OAuth, Disk API and upload hrefs hang off it. */
  listen(port?: number, host?: string): Promise<{ url: string }>;
  /** Stops the server and aborts background "upload by URL" downloads. */
  close(): Promise<void>;
  /** Every finalised resource of the user's Disk (default user@yandex.ru), sorted by path. */
  tree(user?: string): YandexNode[];
  readonly stats: YandexStats;
  /** The bytes of a file ("/a/b.jpg" or "disk:/a/b.jpg"), if it was small enough to keep (keepContentMaxBytes). */
  fileContent(path: string, user?: string): Buffer | undefined;
  /** The user deletes a resource ("/a" or "disk:/a") in Disk's own interface: it goes to the trash, off the Disk's paths. */
  userTrashes(path: string, user?: string): void;
  /** The next API call with any access token issued so far gets 401. */
  expireAllAccessTokens(): void;
  /** Access and refresh tokens revoked via /revoke_token. */
  revokedTokens(): string[];
  /** Every code, token, upload href and operation id handed out so far. */
  issuedSecrets(): { codes: string[]; accessTokens: string[]; refreshTokens: string[]; uploadHrefs: string[]; operationIds: string[] };
  readonly faults: FaultInjector;
  /** Changes latency, rates, quotas, consent mode... for the requests that follow. */
  setOptions(partial: Partial<YandexEmulatorOptions>): void;
}

export function createYandexEmulator(options: YandexEmulatorOptions): YandexEmulator {
  const now = (): number => ctx.opts.now();
  const ctx: YandexContext = {
    opts: resolveOptions(options),
    tokens: new TokenStore(now, () => ctx.opts.accessTokenTtlSeconds),
    disks: new DiskStore(now),
    links: new UploadLinkStore(now),
    operations: new OperationStore(now),
    faults: new FaultInjector(),
    stats: new YandexStats(),
    limiter: new WriteRateLimiter(() => ctx.opts, now),
    uploadLink: new Link(() => ctx.opts.uploadBytesPerSecond),
    fetchLink: new Link(() => ctx.opts.fetchBytesPerSecond),
    background: new BackgroundFetches(),
  };
  const tree = (user = DEFAULT_USER): YandexNode[] => diskTree(ctx.disks.of(user));
  // Test/demo inspection over HTTP; deliberately outside the Yandex API surface and unauthenticated.
  const internal = (url: URL): Reply | undefined =>
    url.pathname === '/__emulator/tree' ? jsonReply(200, tree(url.searchParams.get('user') ?? undefined)) : undefined;
  const routes = [...authorizeRoutes(ctx), ...tokenRoutes(ctx), ...resourceRoutes(ctx), ...uploadRoutes(ctx), ...operationRoutes(ctx)];
  const server = createEmulatorServer(createDispatcher(ctx, routes, internal));

  return {
    listen: (port, host) => server.listen(port, host),
    close: async () => {
      await ctx.background.close();
      await server.close();
    },
    tree,
    stats: ctx.stats,
    fileContent: (path, user = DEFAULT_USER) => ctx.disks.of(user).find(path.replace(/^disk:/, ''))?.content?.bytes,
    userTrashes: (path, user = DEFAULT_USER) => ctx.disks.of(user).remove(path.replace(/^disk:/, ''), true),
    expireAllAccessTokens: () => ctx.tokens.expireAllAccessTokens(),
    revokedTokens: () => ctx.tokens.revokedTokens(),
    issuedSecrets: () => ({ ...ctx.tokens.issued(), uploadHrefs: ctx.links.hrefs(), operationIds: ctx.operations.ids() }),
    faults: ctx.faults,
    setOptions: (partial) => {
      ctx.opts = resolveOptions({ ...ctx.opts, ...partial });
    },
  };
}
