// Notifications' SQL: notices (insert-or-ignore on their dedupe key, read per audience) and the
// outbox (insert-or-ignore, claimed with a lease, FOR UPDATE SKIP LOCKED on PostgreSQL).
import { sql, type ExpressionBuilder } from 'kysely';
import type { Db, SqlDialect } from '../platform/db/db.ts';
import type { Database, NoticesTable, OutboxChannel } from '../platform/db/schema.ts';

export type NoticeRow = NoticesTable;

export interface NewOutboxRow {
  channel: OutboxChannel;
  recipient: string;
  body: string;
  dedupe_key: string;
  created_at: string;
}

/** Inserts the notices whose dedupe key is new; returns how many were written. */
export async function insertNotices(db: Db, rows: NoticeRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const written = await db.insertInto('notices').values(rows)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id').execute();
  return written.length;
}

/** Queues the messages whose dedupe key is new; returns how many were queued. */
export async function insertOutbox(db: Db, rows: NewOutboxRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const written = await db.insertInto('outbox')
    .values(rows.map((r) => ({ ...r, status: 'pending' as const, attempts: 0, next_attempt_at: r.created_at, last_error: null, sent_at: null })))
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id').execute();
  return written.length;
}

/** Who a reader is, as far as notices go. */
export interface NoticeReader {
  userId: string;
  /** The store a merchant acts for. */
  storeId: string | null;
  /** Operators read platform notices. */
  readsPlatform: boolean;
}

function visibleTo(reader: NoticeReader) {
  return (eb: ExpressionBuilder<Database, 'notices'>) => {
    const ors = [eb('notices.user_id', '=', reader.userId)];
    if (reader.storeId !== null) ors.push(eb.and([eb('notices.audience', '=', 'store'), eb('notices.store_id', '=', reader.storeId)]));
    if (reader.readsPlatform) ors.push(eb('notices.audience', '=', 'platform'));
    return eb.or(ors);
  };
}

/** A page of the reader's notices, newest first (ids are ULIDs: they sort by time). */
export async function noticesOf(db: Db, reader: NoticeReader, limit: number, beforeId: string | undefined, unreadOnly: boolean): Promise<NoticeRow[]> {
  let query = db.selectFrom('notices').selectAll().where(visibleTo(reader));
  if (beforeId !== undefined) query = query.where('id', '<', beforeId);
  if (unreadOnly) query = query.where('read_at', 'is', null);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

/** Marks a notice read if the reader may see it (first read wins); the notice, or undefined. */
export async function markRead(db: Db, reader: NoticeReader, noticeId: string, nowIso: string): Promise<NoticeRow | undefined> {
  await db.updateTable('notices').set({ read_at: nowIso }).where('id', '=', noticeId).where('read_at', 'is', null).where(visibleTo(reader)).execute();
  return db.selectFrom('notices').selectAll().where('id', '=', noticeId).where(visibleTo(reader)).executeTakeFirst();
}

export interface ClaimedMessage {
  id: number;
  channel: OutboxChannel;
  recipient: string;
  body: string;
  attempts: number;
}

/**
 * Claims due messages: pushing next_attempt_at to the lease's end is the claim, so another process
 * (or this one after a crash) takes a message only once the lease ran out.
 */
export async function claimDue(db: Db, dialect: SqlDialect, nowIso: string, leaseUntilIso: string, limit: number): Promise<ClaimedMessage[]> {
  const skipLocked = dialect === 'postgres' ? sql`for update skip locked` : sql``;
  const result = await sql<ClaimedMessage>`
    update outbox set next_attempt_at = ${leaseUntilIso}, attempts = attempts + 1
    where id in (
      select id from outbox where status = 'pending' and next_attempt_at <= ${nowIso}
      order by next_attempt_at limit ${limit} ${skipLocked}
    )
    returning id, channel, recipient, body, attempts`.execute(db);
  return result.rows.map((r) => ({ ...r, id: Number(r.id), attempts: Number(r.attempts) }));
}

export async function markSent(db: Db, id: number, nowIso: string): Promise<void> {
  await db.updateTable('outbox').set({ status: 'sent', sent_at: nowIso, last_error: null }).where('id', '=', id).where('status', '=', 'pending').execute();
}

/** After a failed send: try again at `retryAtIso`, or give up (failed) when `giveUp`. */
export async function markFailedTry(db: Db, id: number, error: string, retryAtIso: string, giveUp: boolean): Promise<void> {
  await db.updateTable('outbox')
    .set({ last_error: error.slice(0, 500), next_attempt_at: retryAtIso, ...(giveUp ? { status: 'failed' as const } : {}) })
    .where('id', '=', id).where('status', '=', 'pending').execute();
}
