import { newUploadId, newUploadToken } from '../ids';
import type { UploadRecord } from '../stats';
import type { ContentAccumulator, StoredContent } from '../upload/content';
import type { Caller } from '../router';

/** Bytes waiting for batchCreate: what an upload token stands for. */
export interface UploadedBytes {
  caller: Caller;
  content: StoredContent;
  /** X-Goog-Upload-File-Name; batchCreate's fileName wins. */
  fileName?: string;
  /** X-Goog-Upload-Content-Type. */
  contentType?: string;
  createdAt: number;
  used: boolean;
}

/** The X-Goog-Upload-Status of a resumable session. */
export type SessionStatus = 'active' | 'final' | 'cancelled';

export interface PhotosSession {
  id: string;
  caller: Caller;
  createdAt: number;
  /** X-Goog-Upload-Raw-Size of the start request. */
  rawSize: number;
  fileName?: string;
  contentType?: string;
  /** Bytes persisted so far: whole chunks, or the prefix an injected partial commit kept. */
  committed: ContentAccumulator;
  status: SessionStatus;
  /** Set once finalized: a repeated finalize or a query gets it again. */
  token?: string;
  record: UploadRecord;
}

/** Resumable sessions and upload tokens. Both belong to one user of one OAuth client. */
export class PhotosUploads {
  private readonly sessions = new Map<string, PhotosSession>();
  private readonly tokens = new Map<string, UploadedBytes>();

  constructor(
    private readonly now: () => number,
    private readonly ttls: () => { tokenMs: number; sessionMs: number },
  ) {}

  startSession(init: Omit<PhotosSession, 'id' | 'createdAt' | 'status'>): PhotosSession {
    const session: PhotosSession = { ...init, id: newUploadId(), createdAt: this.now(), status: 'active' };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The caller's session; an expired one is cancelled. */
  findSession(id: string | null, caller: Caller): PhotosSession | undefined {
    const session = id === null ? undefined : this.sessions.get(id);
    if (!session || session.caller.user !== caller.user || session.caller.clientId !== caller.clientId) return undefined;
    if (session.status === 'active' && this.now() - session.createdAt >= this.ttls().sessionMs) session.status = 'cancelled';
    return session;
  }

  sessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  issueToken(bytes: Omit<UploadedBytes, 'createdAt' | 'used'>): string {
    const token = newUploadToken();
    this.tokens.set(token, { ...bytes, createdAt: this.now(), used: false });
    return token;
  }

  /** The bytes behind a token if batchCreate may use it: the caller's, unused, younger than a day. */
  usable(token: string, caller: Caller): UploadedBytes | undefined {
    const bytes = this.tokens.get(token);
    if (!bytes || bytes.used || bytes.caller.user !== caller.user || bytes.caller.clientId !== caller.clientId) return undefined;
    return this.now() - bytes.createdAt < this.ttls().tokenMs ? bytes : undefined;
  }

  uploadTokens(): string[] {
    return [...this.tokens.keys()];
  }
}
