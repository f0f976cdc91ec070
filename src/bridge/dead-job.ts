import type { Config } from '../config';
import { decodeJob } from './decode';
import { transferJobSchema } from '../shared/job';

/**
 * What support sees of a job in `<queue>.dead`: who it was for and why it died, never the body itself (it
 * carries the sealed refresh token). Every value shown has passed its field's rule in the job schema, so nothing
 * else a malformed message carries can reach a terminal or a ticket.
 */

/** The parts of an AMQP message this needs (amqplib's GetMessage has them). */
export interface DeadMessage {
  content: Buffer;
  properties: { messageId?: unknown; headers?: Record<string, unknown> };
}

/** One entry of RabbitMQ's `x-death` header: one (queue, reason) pair and how often it happened. */
export interface Death {
  reason: string;
  count: number;
  /** When the message first died from this queue for this reason (ISO), if the broker said. */
  firstAt: string | null;
  queue: string;
}

export interface DeadJob {
  transferId: string | null;
  cloudType: string | null;
  galleryId: string | null;
  archiveType: string | null;
  createdAt: string | null;
  deaths: Death[];
  /** Why the bridge would dead-letter it again (names fields and rules, never values); null when it would accept it. */
  problem: string | null;
}

const SHOWN_FIELDS = ['transfer_id', 'cloud_type', 'gallery_id', 'archive_type', 'created_at'] as const;
type ShownField = (typeof SHOWN_FIELDS)[number];

export function describeDeadJob(message: DeadMessage, config: Pick<Config, 'GALLERY_API_URL'>): DeadJob {
  const body = parseObject(message.content);
  const field = (name: ShownField): string | null => {
    const value = body?.[name];
    return transferJobSchema.shape[name].safeParse(value).success ? (value as string) : null;
  };
  const decoded = decodeJob(message.content, config);
  return {
    // The API sets the message id to the transfer id, so a body too broken to read still has a name.
    transferId: field('transfer_id') ?? validTransferId(message.properties.messageId),
    cloudType: field('cloud_type'),
    galleryId: field('gallery_id'),
    archiveType: field('archive_type'),
    createdAt: field('created_at'),
    deaths: parseDeaths(message.properties.headers?.['x-death']),
    problem: decoded.ok ? null : decoded.reason,
  };
}

/** One line per job, then one per death, e.g. `  died: rejected ×1, first 2026-…Z, from queue cloud_archive.transfers`. */
export function formatDeadJob(job: DeadJob): string {
  const shown = (value: string | null) => value ?? '?';
  const lines = [
    `transfer_id=${shown(job.transferId)} cloud_type=${shown(job.cloudType)} gallery_id=${shown(job.galleryId)} ` +
      `archive_type=${shown(job.archiveType)} created_at=${shown(job.createdAt)}`,
  ];
  if (job.deaths.length === 0) lines.push('  died: ? (no x-death header)');
  for (const death of job.deaths) {
    lines.push(`  died: ${death.reason} ×${death.count}, first ${death.firstAt ?? '?'}, from queue ${death.queue}`);
  }
  if (job.problem) lines.push(`  the bridge rejects it: ${job.problem}`);
  return lines.join('\n');
}

/**
 * RabbitMQ's `x-death` (most recent first): [{ reason, count, queue, time, exchange, routing-keys }]; amqplib
 * decodes the AMQP timestamp (seconds) as { '!': 'timestamp', value }. Anything else is skipped, not trusted.
 */
export function parseDeaths(header: unknown): Death[] {
  if (!Array.isArray(header)) return [];
  return header.flatMap((entry): Death[] => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { reason, count, queue, time } = entry as Record<string, unknown>;
    if (typeof reason !== 'string' || typeof queue !== 'string') return [];
    return [{ reason: safeWord(reason), count: typeof count === 'number' ? count : 0, firstAt: timestamp(time), queue: safeWord(queue) }];
  });
}

function timestamp(value: unknown): string | null {
  const seconds = typeof value === 'object' && value !== null ? (value as { value?: unknown }).value : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : null;
}

/** Reasons and queue names are the broker's, but the header travels with the message: show only plain names. */
function safeWord(value: string): string {
  return /^[\w.:-]{1,255}$/.test(value) ? value : '?';
}

function validTransferId(value: unknown): string | null {
  return transferJobSchema.shape.transfer_id.safeParse(value).success ? (value as string) : null;
}

function parseObject(content: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(content.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
