// The channel calendar: one brand per channel per day (Asia/Shanghai days) and at most the
// channel's cap of days per month, held by a submitted application or booked by a scheduled event.
// Every operation is a few conditional writes in one transaction, yours (pass `trx`) or its own;
// the database decides every race, so the rules hold across processes (see docs/architecture.md).
import type { AppContext } from '../platform/context.ts';
import type { Db } from '../platform/db/db.ts';
import type { CalendarDayState } from '../platform/db/schema.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { dayStateAt, daysOfMonth, isDay, isHoldLapsed, isMonth, monthOf, shanghaiDay, shanghaiMonth, type DayState } from './rules.ts';
import * as store from './store.ts';

/** What a hold or a booking came to: the day is this event's, or why not. */
export type CalendarResult = { ok: true } | { ok: false; code: 'DAY_TAKEN' | 'MONTH_FULL' };

export interface HoldInput {
  channelId: string;
  /** 'YYYY-MM-DD' in Asia/Shanghai. */
  day: string;
  /** The event (or application) the day is for; at most 64 characters. */
  eventId: string;
  /** When the hold lapses, epoch ms; must be later than now. */
  holdUntilMs: number;
}

export interface DayInput {
  channelId: string;
  day: string;
  eventId: string;
}

export interface CalendarDay {
  day: string;
  state: DayState;
  /** Staff only: the event holding or booking the day. */
  eventId?: string;
  /** Staff only, held days: when the hold lapses (UTC ISO). */
  holdUntil?: string;
}

export interface MonthView {
  channelId: string;
  /** 'YYYY-MM' in Asia/Shanghai. */
  month: string;
  cap: number;
  /** Days held (not lapsed) or booked this month. */
  used: number;
  days: CalendarDay[];
}

/**
 * The calendar's service API. Each write takes `trx` first: a Kysely transaction to compose the
 * step into the caller's own transaction (nothing is committed or rolled back here; a refusal
 * leaves no trace in it), or undefined to run in a transaction of its own. On SQLite, begin
 * a composed transaction with a write (or call these first): a transaction that read first cannot
 * be upgraded to a writer while another process writes.
 */
export interface CalendarService {
  /**
   * Holds a free day for an event until `holdUntilMs`, taking one slot of the day's month. A hold
   * past its expiry counts as free and is taken over atomically (its slot passes on). Holding a day
   * the event already holds moves its expiry; one it already booked stays booked. Refuses a day
   * before today (Asia/Shanghai) and an unknown channel (NOT_FOUND), by throwing.
   */
  holdDay(trx: Db | undefined, input: HoldInput): Promise<CalendarResult>;
  /** Books the day for the event: its own hold becomes booked (no new slot), or a free day is taken with a slot. Idempotent. */
  bookDay(trx: Db | undefined, input: DayInput): Promise<CalendarResult>;
  /** Frees the day if this event holds or booked it and gives its month slot back; idempotent (released: false the second time). */
  releaseDay(trx: Db | undefined, input: DayInput): Promise<{ released: boolean }>;
  /** The 'calendar.holds' sweep: frees holds past their expiry and returns their slots, once each; returns how many. */
  releaseLapsedHolds(nowMs?: number): Promise<number>;
  /** Every day of a channel's month with its state (staff detail included), the cap and the count; NOT_FOUND for no channel. */
  monthView(channelId: string, month: string): Promise<MonthView>;
  /**
   * Sets a new cap on the channel's months from this month (Asia/Shanghai) on, inside the channels
   * feature's transaction (which has already written the channel row, so holds wait or see it);
   * CONFLICT, with the months and their counts, when a month already holds more days.
   */
  applyCap(trx: Db, channelId: string, cap: number): Promise<void>;
}

const OK: CalendarResult = { ok: true };

export function createCalendarService(ctx: AppContext): CalendarService {
  const { db, clock } = ctx;
  const dialect = ctx.handle.dialect;

  /** Runs `work` in the caller's transaction, or in one of its own. */
  function inTransaction<T>(trx: Db | undefined, work: (ex: Db) => Promise<T>): Promise<T> {
    if (trx?.isTransaction) return work(trx);
    return (trx ?? db).transaction().execute(work);
  }

  function checkInput(input: DayInput, nowMs: number): void {
    const issues: Array<{ path: string; message: string }> = [];
    if (!isDay(input.day)) issues.push({ path: '/day', message: 'a day YYYY-MM-DD' });
    else if (input.day < shanghaiDay(nowMs)) issues.push({ path: '/day', message: 'a day not yet past (Asia/Shanghai)' });
    if (input.eventId.length === 0 || input.eventId.length > 64) issues.push({ path: '/eventId', message: '1-64 characters' });
    if (issues.length > 0) throw new AppError('VALIDATION_FAILED', undefined, { issues });
  }

  /** Gives a month slot back; a count already at 0 means the two tables disagree: stop loudly. */
  async function giveBack(ex: Db, channelId: string, month: string): Promise<void> {
    if (!(await store.giveBackMonthSlot(ex, channelId, month))) throw new Error(`calendar month ${channelId} ${month} gave back a slot it did not count`);
  }

  /** Frees lapsed holds of one channel-month inside `ex`; returns how many. */
  async function releaseLapsedInMonth(ex: Db, channelId: string, month: string, nowIso: string): Promise<number> {
    let freed = 0;
    for (const row of await store.lapsedHolds(ex, nowIso, ctx.config.limits.jobBatchMax, { channelId, month })) {
      if (!(await store.deleteLapsedHold(ex, row.channel_id, row.day, nowIso))) continue;
      await giveBack(ex, row.channel_id, row.month);
      freed += 1;
    }
    return freed;
  }

  /** One slot of the month, if the cap allows; lapsed holds of the month are freed first when it is full. */
  async function takeSlot(ex: Db, channelId: string, month: string, cap: number, nowIso: string): Promise<boolean> {
    await store.ensureMonth(ex, channelId, month, cap);
    if (await store.takeMonthSlot(ex, channelId, month)) return true;
    if ((await releaseLapsedInMonth(ex, channelId, month, nowIso)) === 0) return false;
    return store.takeMonthSlot(ex, channelId, month);
  }

  /**
   * Takes the day for the event in `state`. The first statement is a write (so an SQLite
   * transaction starts as the writer); each later step is conditional and its row count decides.
   */
  async function claimDay(ex: Db, input: DayInput, state: CalendarDayState, holdUntil: string | null, nowIso: string): Promise<CalendarResult> {
    const { channelId, day, eventId } = input;
    const month = monthOf(day);
    // A lapsed hold of any event: take it over in place, its month slot with it.
    if (await store.reclaimLapsedHold(ex, { channelId, day, eventId, state, holdUntil, nowIso })) return OK;
    const cap = await store.channelCap(ex, channelId, dialect);
    if (cap === undefined) throw new AppError('NOT_FOUND', 'No such channel.', { channelId });
    // A free day: the primary key lets exactly one insert through.
    if (!(await store.insertDay(ex, { channel_id: channelId, day, month, state, event_id: eventId, hold_until: holdUntil, updated_at: nowIso }))) {
      const existing = await store.findDay(ex, channelId, day);
      if (existing?.event_id !== eventId) return { ok: false, code: 'DAY_TAKEN' };
      // The event's own day: a booking stays booked; a hold moves its expiry or becomes booked.
      if (existing.state === 'held') await store.setOwnDay(ex, { channelId, day, eventId, state, holdUntil, nowIso, onlyIfHeld: true });
      return OK;
    }
    if (await takeSlot(ex, channelId, month, cap, nowIso)) return OK;
    // No slot: take the day back out, so the caller's transaction holds no trace of the attempt.
    await store.deleteOwnDay(ex, channelId, day, eventId);
    return { ok: false, code: 'MONTH_FULL' };
  }

  const service: CalendarService = {
    async holdDay(trx, input) {
      const nowMs = clock.nowMs();
      checkInput(input, nowMs);
      if (!Number.isSafeInteger(input.holdUntilMs) || input.holdUntilMs <= nowMs) {
        throw new AppError('VALIDATION_FAILED', undefined, { issues: [{ path: '/holdUntilMs', message: 'an instant later than now' }] });
      }
      return inTransaction(trx, (ex) => claimDay(ex, input, 'held', isoUtc(input.holdUntilMs), isoUtc(nowMs)));
    },

    async bookDay(trx, input) {
      const nowMs = clock.nowMs();
      checkInput(input, nowMs);
      const nowIso = isoUtc(nowMs);
      return inTransaction(trx, async (ex) => {
        // Its own hold (lapsed or not, while nobody took it over) becomes the booking: no new slot.
        if (await store.setOwnDay(ex, { ...input, state: 'booked', holdUntil: null, nowIso, onlyIfHeld: true })) return OK;
        return claimDay(ex, input, 'booked', null, nowIso);
      });
    },

    async releaseDay(trx, input) {
      if (!isDay(input.day)) throw new AppError('VALIDATION_FAILED', undefined, { issues: [{ path: '/day', message: 'a day YYYY-MM-DD' }] });
      return inTransaction(trx, async (ex) => {
        if (!(await store.deleteOwnDay(ex, input.channelId, input.day, input.eventId))) return { released: false };
        await giveBack(ex, input.channelId, monthOf(input.day));
        return { released: true };
      });
    },

    async releaseLapsedHolds(nowMs = clock.nowMs()) {
      const nowIso = isoUtc(nowMs);
      let freed = 0;
      for (const row of await store.lapsedHolds(db, nowIso, ctx.config.limits.jobBatchMax)) {
        // One transaction per day: the conditional delete decides which sweep (of any process) frees it.
        const done = await db.transaction().execute(async (trx) => {
          if (!(await store.deleteLapsedHold(trx, row.channel_id, row.day, nowIso))) return false;
          await giveBack(trx, row.channel_id, row.month);
          return true;
        });
        if (done) freed += 1;
      }
      return freed;
    },

    async monthView(channelId, month) {
      if (!isMonth(month)) throw new AppError('VALIDATION_FAILED', undefined, { issues: [{ path: '/month', message: 'a month YYYY-MM' }] });
      const channelCap = await store.channelCap(db, channelId);
      if (channelCap === undefined) throw new AppError('NOT_FOUND');
      const [monthRow, rows] = await Promise.all([store.findMonth(db, channelId, month), store.daysOfMonth(db, channelId, month)]);
      const nowMs = clock.nowMs();
      const byDay = new Map(rows.map((row) => [row.day, row]));
      // Lapsed holds still count in the stored total until the sweep frees them; they are free here.
      const lapsed = rows.filter((row) => row.state === 'held' && isHoldLapsed(row.hold_until, nowMs)).length;
      return {
        channelId,
        month,
        cap: monthRow?.cap ?? channelCap,
        used: (monthRow?.used ?? 0) - lapsed,
        days: daysOfMonth(month).map((day): CalendarDay => {
          const row = byDay.get(day);
          const state = dayStateAt(row ? { state: row.state, holdUntil: row.hold_until } : undefined, nowMs);
          if (!row || state === 'free') return { day, state };
          return { day, state, eventId: row.event_id, ...(state === 'held' && row.hold_until ? { holdUntil: row.hold_until } : {}) };
        }),
      };
    },

    async applyCap(trx, channelId, cap) {
      const fromMonth = shanghaiMonth(clock.nowMs());
      // Nothing booked is ever cancelled by a cap change: a month already past the new cap refuses it.
      const over = await store.monthsAbove(trx, channelId, cap, fromMonth);
      if (over.length > 0) {
        throw new AppError('CONFLICT', 'Some months already hold more days than the new cap; release days first.', { months: over.map((m) => ({ month: m.month, used: m.used })) });
      }
      await store.applyCap(trx, channelId, cap, fromMonth);
    },
  };
  ctx.jobs.addSweep('calendar.holds', () => service.releaseLapsedHolds());
  return service;
}

/** What a merchant may see of a month: states only, never another brand's event. */
export function merchantMonthView(view: MonthView): MonthView {
  return { ...view, days: view.days.map((d) => ({ day: d.day, state: d.state })) };
}
