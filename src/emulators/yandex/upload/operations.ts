import { jsonReply, type Reply } from '../../shared/http';
import type { YandexContext } from '../context';
import { tokenOwner } from '../disk/auth';
import { operationNotFound } from '../errors';
import { newOperationId } from '../ids';
import type { Exchange, Route } from '../router';

export type OperationStatus = 'in-progress' | 'success' | 'failed';

interface Operation {
  id: string;
  user: string;
  status: OperationStatus;
  /** A success shows only once the file is finalised. */
  visibleAt: number;
  /** An upload-link operation whose href died unused has failed. */
  expiresAt?: number;
}

/** Asynchronous operations: uploads by URL, and the upload behind each upload href. */
export class OperationStore {
  private readonly operations = new Map<string, Operation>();

  constructor(private readonly now: () => number) {}

  create(user: string, expiresAt?: number): string {
    const id = newOperationId();
    this.operations.set(id, { id, user, status: 'in-progress', visibleAt: 0, expiresAt });
    return id;
  }

  succeed(id: string, visibleAt: number): void {
    this.settle(id, 'success', visibleAt);
  }

  fail(id: string): void {
    this.settle(id, 'failed', 0);
  }

  status(id: string, user: string): OperationStatus {
    const op = this.operations.get(id);
    if (!op || op.user !== user) throw operationNotFound();
    const now = this.now();
    if (op.status === 'success' && now < op.visibleAt) return 'in-progress';
    if (op.status === 'in-progress' && op.expiresAt !== undefined && now >= op.expiresAt) return 'failed';
    return op.status;
  }

  ids(): string[] {
    return [...this.operations.keys()];
  }

  private settle(id: string, status: OperationStatus, visibleAt: number): void {
    const op = this.operations.get(id);
    if (op) Object.assign(op, { status, visibleAt });
  }
}

export function operationRoutes(ctx: YandexContext): Route[] {
  async function status(ex: Exchange): Promise<Reply> {
    const id = ex.params[0]!;
    ex.fault();
    return jsonReply(200, { status: ctx.operations.status(id, ex.user) });
  }
  return [
    {
      methods: ['GET'],
      path: /^\/v1\/disk\/operations\/([^/]+)$/,
      group: 'disk',
      op: 'operation',
      user: (ex) => tokenOwner(ctx, ex.req),
      handle: status,
    },
  ];
}
