import { jsonReply, type Reply } from '../shared/http';
import { Link } from '../shared/link';
import { createEmulatorServer } from '../shared/server';
import type { GoogleContext } from './context';
import { DriveDailyUploads, type DailyUploadUse } from './drive/daily-uploads';
import { DriveWriteRateLimiter } from './drive/rateLimiter';
import { fileRoutes } from './drive/files';
import { DriveStore } from './drive/store';
import { FaultInjector } from './faults';
import { authorizeRoutes, DEFAULT_USER } from './oauth/authorize';
import { tokenRoutes } from './oauth/tokenEndpoints';
import { TokenStore } from './oauth/tokens';
import { resolveOptions, type GoogleEmulatorOptions } from './options';
import { createDispatcher } from './router';
import { GoogleStats } from './stats';
import { driveTree, type DriveNode } from './tree';
import { SessionStore } from './upload/sessions';
import { uploadRoutes } from './upload/routes';
import { aboutRoutes } from './drive/about';
import { photosHelpers, photosRoutes, type PhotosHelpers } from './photos';
import { PhotosLibraries } from './photos/library';
import { PhotosQuota } from './photos/quota';
import { PhotosUploads } from './photos/uploads';

export type { GoogleEmulatorOptions } from './options';
export type { DriveNode } from './tree';
export type { ChaosOptions, FaultAction, FaultContext, FaultRule, OpKind, StatusFault } from './faults';
export { FaultInjector, OP_KINDS } from './faults';
export { GoogleStats } from './stats';
export type { RateLimitAnswer } from './errors';
export { DRIVE_FILE_SCOPE, DRIVE_SCOPE, PHOTOS_APPENDONLY_SCOPE, PHOTOS_READ_APP_CREATED_SCOPE } from './oauth/scopes';
export type { DailyQuotaUse, PhotosAlbumNode, PhotosHelpers, PhotosItemNode, PhotosTree } from './photos';
export { DEFAULT_USER } from './oauth/authorize';
export type { DailyUploadUse } from './drive/daily-uploads';

export interface GoogleEmulator {
  /** Resolves with a base URL like http://127.0.0.1:PORT; OAuth and Drive paths hang off it. */
  listen(port?: number, host?: string): Promise<{ url: string }>;
  close(): Promise<void>;
  /** The user's non-trashed items (default user: user@example.com, the default login_hint). */
  tree(userEmail?: string): DriveNode[];
  readonly stats: GoogleStats;
  /** Bytes received over the wire for a file (by name or id) across all its sessions and retries. */
  uploadBytesReceivedFor(fileNameOrId: string): number;
  /** What the user does in Drive's own interface: moves an item to the trash (its descendants count as trashed too). */
  userTrashes(fileId: string, userEmail?: string): void;
  /** The bytes of a file, if it was small enough to keep (keepContentMaxBytes). */
  fileContent(fileId: string, userEmail?: string): Buffer | undefined;
  /** The next Drive call with any token issued so far gets 401. */
  expireAllAccessTokens(): void;
  /** Refresh tokens revoked via /revoke (directly or through one of their access tokens). */
  revokedRefreshTokens(): string[];
  /** Every authorization code, access token, refresh token and upload session id (Drive and Photos) handed out so far. */
  issuedSecrets(): { codes: string[]; accessTokens: string[]; refreshTokens: string[]; uploadSessionIds: string[] };
  readonly faults: FaultInjector;
  /** Drive: the user's uploads today against driveUploadBytesPerDay. */
  dailyUploads(userEmail?: string): DailyUploadUse;
  /** The Photos Library API side: albums and items, the daily quota, user-made albums. */
  readonly photos: PhotosHelpers;
  /** Changes latency, rates, quotas, consent mode... for the requests that follow. */
  setOptions(partial: Partial<GoogleEmulatorOptions>): void;
}

export function createGoogleEmulator(options: GoogleEmulatorOptions): GoogleEmulator {
  const opts = resolveOptions(options);
  const now = (): number => ctx.opts.now();
  const ctx: GoogleContext = {
    opts,
    tokens: new TokenStore(now, () => ctx.opts.accessTokenTtlSeconds),
    drives: new DriveStore(now),
    sessions: new SessionStore(now, () => ctx.opts.sessionTtlMs),
    faults: new FaultInjector(),
    stats: new GoogleStats(),
    limiter: new DriveWriteRateLimiter(() => ctx.opts, now),
    dailyUploads: new DriveDailyUploads(() => ctx.opts, now),
    uploadLink: new Link(() => ctx.opts.uploadBytesPerSecond),
    photos: {
      quota: new PhotosQuota(() => ctx.opts, now),
      uploads: new PhotosUploads(now, () => ({ tokenMs: ctx.opts.photosUploadTokenTtlMs, sessionMs: ctx.opts.photosUploadSessionTtlMs })),
      libraries: new PhotosLibraries(),
    },
  };
  const photos = photosHelpers(ctx);
  const tree = (user = DEFAULT_USER): DriveNode[] => driveTree(ctx.drives.of(user));
  // Test/demo inspection over HTTP; deliberately outside the Google API surface and unauthenticated.
  const internal = (url: URL): Reply | undefined => {
    const user = url.searchParams.get('user') ?? undefined;
    if (url.pathname === '/__emulator/tree') return jsonReply(200, tree(user));
    return url.pathname === '/__emulator/photos/tree' ? jsonReply(200, photos.tree(user)) : undefined;
  };
  const routes = [...authorizeRoutes(ctx), ...tokenRoutes(ctx), ...fileRoutes(ctx), ...aboutRoutes(ctx), ...uploadRoutes(ctx), ...photosRoutes(ctx)];
  const server = createEmulatorServer(createDispatcher(ctx, routes, internal));

  return {
    listen: (port, host) => server.listen(port, host),
    close: () => server.close(),
    tree,
    stats: ctx.stats,
    uploadBytesReceivedFor: (fileNameOrId) => ctx.stats.uploadBytesReceivedFor(fileNameOrId),
    userTrashes: (fileId, user = DEFAULT_USER) => {
      const drive = ctx.drives.of(user);
      drive.update(drive.get(fileId), { trashed: true });
    },
    fileContent: (fileId, user = DEFAULT_USER) => ctx.drives.of(user).find(fileId)?.content?.bytes,
    expireAllAccessTokens: () => ctx.tokens.expireAllAccessTokens(),
    revokedRefreshTokens: () => ctx.tokens.revokedRefreshTokens(),
    issuedSecrets: () => ({ ...ctx.tokens.issued(), uploadSessionIds: [...ctx.sessions.ids(), ...ctx.photos.uploads.sessionIds()] }),
    faults: ctx.faults,
    dailyUploads: (user = DEFAULT_USER) => ctx.dailyUploads.use(user),
    photos,
    setOptions: (partial) => {
      ctx.opts = resolveOptions({ ...ctx.opts, ...partial });
    },
  };
}
