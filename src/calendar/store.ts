// The calendar's SQL. Every write is conditional and its row count is the answer: the primary key
// of calendar_days lets one row per channel-day in, and calendar_months' conditional increment
// (backed by CHECK used <= cap) lets at most `cap` days per channel-month be taken.
import type { Db, SqlDialect } from '../platform/db/db.ts';
import type { CalendarDayState, CalendarDaysTable, CalendarMonthsTable } from '../platform/db/schema.ts';

export type DayRow = CalendarDaysTable;
export type MonthRow = CalendarMonthsTable;

/** Takes over a lapsed hold of any event on the day (its month slot goes with it). */
export async function reclaimLapsedHold(db: Db, row: { channelId: string; day: string; eventId: string; state: CalendarDayState; holdUntil: string | null; nowIso: string }): Promise<boolean> {
  const result = await db.updateTable('calendar_days')
    .set({ event_id: row.eventId, state: row.state, hold_until: row.holdUntil, updated_at: row.nowIso })
    .where('channel_id', '=', row.channelId)
    .where('day', '=', row.day)
    .where('state', '=', 'held')
    .where('hold_until', '<=', row.nowIso)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Inserts the day row unless the day is taken; true when this call took it. */
export async function insertDay(db: Db, row: DayRow): Promise<boolean> {
  const result = await db.insertInto('calendar_days').values(row)
    .onConflict((oc) => oc.columns(['channel_id', 'day']).doNothing())
    .executeTakeFirst();
  return result.numInsertedOrUpdatedRows === 1n;
}

export async function findDay(db: Db, channelId: string, day: string): Promise<DayRow | undefined> {
  return db.selectFrom('calendar_days').selectAll().where('channel_id', '=', channelId).where('day', '=', day).executeTakeFirst();
}

/** Moves the event's own row to a new state (and hold expiry); false when the event does not hold the day. */
export async function setOwnDay(db: Db, row: { channelId: string; day: string; eventId: string; state: CalendarDayState; holdUntil: string | null; nowIso: string; onlyIfHeld: boolean }): Promise<boolean> {
  let query = db.updateTable('calendar_days')
    .set({ state: row.state, hold_until: row.holdUntil, updated_at: row.nowIso })
    .where('channel_id', '=', row.channelId)
    .where('day', '=', row.day)
    .where('event_id', '=', row.eventId);
  if (row.onlyIfHeld) query = query.where('state', '=', 'held');
  const result = await query.executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function deleteOwnDay(db: Db, channelId: string, day: string, eventId: string): Promise<boolean> {
  const result = await db.deleteFrom('calendar_days')
    .where('channel_id', '=', channelId).where('day', '=', day).where('event_id', '=', eventId)
    .executeTakeFirst();
  return result.numDeletedRows === 1n;
}

/** Deletes the day's hold if it has lapsed; of two sweeps racing on it, one sees the row go. */
export async function deleteLapsedHold(db: Db, channelId: string, day: string, nowIso: string): Promise<boolean> {
  const result = await db.deleteFrom('calendar_days')
    .where('channel_id', '=', channelId).where('day', '=', day)
    .where('state', '=', 'held').where('hold_until', '<=', nowIso)
    .executeTakeFirst();
  return result.numDeletedRows === 1n;
}

/** Lapsed holds, oldest expiry first; of one channel-month when given. */
export async function lapsedHolds(db: Db, nowIso: string, limit: number, of?: { channelId: string; month: string }): Promise<Array<Pick<DayRow, 'channel_id' | 'day' | 'month'>>> {
  let query = db.selectFrom('calendar_days').select(['channel_id', 'day', 'month'])
    .where('state', '=', 'held').where('hold_until', '<=', nowIso);
  if (of) query = query.where('channel_id', '=', of.channelId).where('month', '=', of.month);
  return query.orderBy('hold_until').limit(limit).execute();
}

/**
 * The channel's current slot cap, or undefined when there is no such channel. With
 * shareLock 'postgres' the row is share-locked until the transaction ends, so a concurrent cap change waits for this
 * transaction (and then updates the month row it made) or is seen by it.
 */
export async function channelCap(db: Db, channelId: string, shareLock?: SqlDialect): Promise<number | undefined> {
  const query = db.selectFrom('channels').select('monthly_slot_cap').where('id', '=', channelId);
  const row = await (shareLock === 'postgres' ? query.forShare() : query).executeTakeFirst();
  return row?.monthly_slot_cap;
}

export async function ensureMonth(db: Db, channelId: string, month: string, cap: number): Promise<void> {
  await db.insertInto('calendar_months').values({ channel_id: channelId, month, used: 0, cap })
    .onConflict((oc) => oc.columns(['channel_id', 'month']).doNothing())
    .execute();
}

/** used + 1 if below the cap; the row count says whether a slot was taken. */
export async function takeMonthSlot(db: Db, channelId: string, month: string): Promise<boolean> {
  const result = await db.updateTable('calendar_months')
    .set((eb) => ({ used: eb('used', '+', 1) }))
    .where('channel_id', '=', channelId).where('month', '=', month)
    .whereRef('used', '<', 'cap')
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** used - 1 (never below 0); false means the count was already 0, which a caller treats as a bug. */
export async function giveBackMonthSlot(db: Db, channelId: string, month: string): Promise<boolean> {
  const result = await db.updateTable('calendar_months')
    .set((eb) => ({ used: eb('used', '-', 1) }))
    .where('channel_id', '=', channelId).where('month', '=', month)
    .where('used', '>', 0)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function findMonth(db: Db, channelId: string, month: string): Promise<MonthRow | undefined> {
  return db.selectFrom('calendar_months').selectAll().where('channel_id', '=', channelId).where('month', '=', month).executeTakeFirst();
}

export async function daysOfMonth(db: Db, channelId: string, month: string): Promise<DayRow[]> {
  return db.selectFrom('calendar_days').selectAll().where('channel_id', '=', channelId).where('month', '=', month).orderBy('day').execute();
}

/** The channel's months from `fromMonth` on that already hold more days than `cap`. */
export async function monthsAbove(db: Db, channelId: string, cap: number, fromMonth: string): Promise<Array<Pick<MonthRow, 'month' | 'used'>>> {
  return db.selectFrom('calendar_months').select(['month', 'used'])
    .where('channel_id', '=', channelId).where('month', '>=', fromMonth).where('used', '>', cap)
    .orderBy('month').execute();
}

/** A new cap for the channel's months from `fromMonth` on (the CHECK refuses one below a month's count). */
export async function applyCap(db: Db, channelId: string, cap: number, fromMonth: string): Promise<void> {
  await db.updateTable('calendar_months').set({ cap })
    .where('channel_id', '=', channelId).where('month', '>=', fromMonth)
    .execute();
}
