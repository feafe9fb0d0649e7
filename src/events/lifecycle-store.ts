// The lifecycle's SQL: events with a move due, the conditional status change, and the record of
// every change (event_transitions).
import type { ExpressionBuilder } from 'kysely';
import type { Db } from '../platform/db/db.ts';
import type { Database, EventStatus } from '../platform/db/schema.ts';

export interface DueEventRow {
  id: string;
  store_id: string;
  store_name: string;
  title: string;
  status: EventStatus;
  starts_at: string;
  ends_at: string;
}

/**
 * Events the scheduler owes a move at `nowIso`, earliest start first (a bounded batch): scheduled
 * ones inside the warm-up lead, warm-up ones past their start, live ones past their end, and ended
 * ones with no order pending payment (they settle).
 */
export async function dueEvents(db: Db, nowIso: string, warmupLineIso: string, limit: number): Promise<DueEventRow[]> {
  return db.selectFrom('events')
    .innerJoin('stores', 'stores.id', 'events.store_id')
    .select(['events.id', 'events.store_id', 'stores.name as store_name', 'events.title', 'events.status', 'events.starts_at', 'events.ends_at'])
    .where((eb) => eb.or([
      eb.and([eb('events.status', '=', 'scheduled'), eb('events.starts_at', '<=', warmupLineIso)]),
      eb.and([eb('events.status', '=', 'warmup'), eb('events.starts_at', '<=', nowIso)]),
      eb.and([eb('events.status', '=', 'live'), eb('events.ends_at', '<=', nowIso)]),
      eb.and([eb('events.status', '=', 'ended'), eb.not(eb.exists(pendingOrdersOf(eb)))]),
    ]))
    .orderBy('events.starts_at')
    .limit(limit)
    .execute();
}

// Orders has no index on event_id (it is the hot table); pending orders are few (one payment window's worth).
function pendingOrdersOf(eb: ExpressionBuilder<Database, 'events'>) {
  return eb.selectFrom('orders').select('orders.id').where('orders.status', '=', 'pending_payment').whereRef('orders.event_id', '=', 'events.id');
}

export interface Move {
  eventId: string;
  from: EventStatus;
  to: EventStatus;
  /** 'scheduler' or a user id. */
  by: string;
  atIso: string;
  dueAtIso: string | null;
}

/**
 * Changes an event's status from `from` to `to` and records it, inside the caller's transaction;
 * false (and nothing written) when the event is no longer in `from`. The update is conditional, so of
 * two processes making the same move only one sees a row changed (PostgreSQL re-checks the condition
 * once the first commits; SQLite runs one writer at a time). Ending also stamps
 * allocation_returned_at; settling requires that no order of the event is pending payment.
 */
export async function claimMove(trx: Db, move: Move): Promise<boolean> {
  let update = trx.updateTable('events')
    .set({ status: move.to, ...(move.to === 'ended' ? { allocation_returned_at: move.atIso } : {}) })
    .where('id', '=', move.eventId)
    .where('status', '=', move.from);
  if (move.to === 'ended') update = update.where('allocation_returned_at', 'is', null);
  if (move.to === 'settled') update = update.where((eb) => eb.not(eb.exists(pendingOrdersOf(eb))));
  const result = await update.executeTakeFirst();
  if (result.numUpdatedRows !== 1n) return false;
  await recordMove(trx, move);
  return true;
}

/** Records a move already made in the same transaction (for moves with conditions of their own). */
export async function recordMove(trx: Db, move: Move): Promise<void> {
  await trx.insertInto('event_transitions').values({
    event_id: move.eventId, from_status: move.from, to_status: move.to, at: move.atIso, due_at: move.dueAtIso, by: move.by,
  }).execute();
}

export interface TransitionRow {
  id: number;
  from_status: EventStatus;
  to_status: EventStatus;
  at: string;
  due_at: string | null;
  by: string;
}

/** An event's recorded moves, in the order they were made. */
export async function transitionsOf(db: Db, eventId: string, limit: number): Promise<TransitionRow[]> {
  const rows = await db.selectFrom('event_transitions').select(['id', 'from_status', 'to_status', 'at', 'due_at', 'by'])
    .where('event_id', '=', eventId).orderBy('id').limit(limit).execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** A page of the mobile numbers of an event's channel promoters, by promoter id (keyset paging). */
export async function channelPromoterMobiles(db: Db, eventId: string, afterPromoterId: string, limit: number): Promise<Array<{ promoterId: string; mobile: string }>> {
  const rows = await db.selectFrom('events')
    .innerJoin('channel_promoters', 'channel_promoters.channel_id', 'events.channel_id')
    .innerJoin('users', 'users.id', 'channel_promoters.promoter_id')
    .select(['users.id as promoter_id', 'users.mobile'])
    .where('events.id', '=', eventId).where('users.mobile', 'is not', null).where('users.disabled_at', 'is', null)
    .where('users.id', '>', afterPromoterId)
    .orderBy('users.id').limit(limit).execute();
  return rows.map((r) => ({ promoterId: r.promoter_id, mobile: r.mobile as string }));
}
