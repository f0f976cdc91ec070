import { DriveError } from '../errors';
import { newUploadId } from '../ids';
import type { NewFile } from '../drive/metadata';
import type { UploadRecord } from '../stats';
import type { ContentAccumulator } from './content';

export interface UploadSession {
  id: string;
  user: string;
  createdAt: number;
  meta: NewFile;
  mimeType: string;
  /** Known total size: from X-Upload-Content-Length, or from the first chunk that named it. */
  total?: number;
  /** Bytes persisted so far; only complete chunks (or an injected partial commit) get here. */
  committed: ContentAccumulator;
  /** `fields` of the init request: they shape the final answer. */
  fields: string | null;
  corrupt: boolean;
  /** Set by an injected 'expireSession' or a failed completion: the session answers 404 from now on. */
  dead: boolean;
  /** Id of the file created when the last byte arrived. */
  fileId?: string;
  record: UploadRecord;
}

export const sessionNotFound = (): DriveError =>
  new DriveError(404, 'notFound', 'Upload session not found or expired; restart the upload with a new session.');

export class SessionStore {
  private readonly sessions = new Map<string, UploadSession>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs: () => number,
  ) {}

  create(init: Omit<UploadSession, 'id' | 'createdAt' | 'corrupt' | 'dead'>): UploadSession {
    const session: UploadSession = { ...init, id: newUploadId(), createdAt: this.now(), corrupt: false, dead: false };
    this.sessions.set(session.id, session);
    return session;
  }

  /** Ids of every session still known (the secret part of a session URI). */
  ids(): string[] {
    return [...this.sessions.keys()];
  }

  /** "A resumable session URI expires after one week." Expired sessions are forgotten. */
  find(id: string | null, user: string): UploadSession {
    const session = id === null ? undefined : this.sessions.get(id);
    if (!session || session.user !== user || session.dead) throw sessionNotFound();
    if (this.now() - session.createdAt >= this.ttlMs()) {
      this.sessions.delete(session.id);
      throw sessionNotFound();
    }
    return session;
  }
}
