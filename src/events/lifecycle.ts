// The lifecycle scheduler: moves events scheduled -> warmup -> live -> ended -> settled on time, from
// the database, so a restart loses nothing (missed moves are caught up in order, each recorded) and
// two processes never make one move twice (each move is a conditional update, see claimMove).
// Ending returns unsold allocation with the events service's own returnAllocation.
import type { AppContext } from '../platform/context.ts';
import type { Db } from '../platform/db/db.ts';
import type { EventStatus } from '../platform/db/schema.ts';
import { isoUtc, showShanghai } from '../platform/clock.ts';
import type { NotificationsService } from '../notifications/service.ts';
import { movesDue, type ScheduledMove } from './rules.ts';
import { channelPromoterMobiles, claimMove, dueEvents, transitionsOf, type DueEventRow, type Move } from './lifecycle-store.ts';

export interface EventTransition {
  from: EventStatus;
  to: EventStatus;
  at: string;
  /** When a scheduler move fell due; null for a person's action. */
  dueAt: string | null;
  /** 'scheduler' or the id of the user who made the move. */
  by: string;
}

/** What a sweep did. */
export interface AdvanceResult {
  moves: number;
  /** Events that ended (their unsold allocation went back to store stock). */
  ended: string[];
}

export interface LifecycleDeps {
  notifications: NotificationsService;
  /** Gives unheld units back to store stock inside the ending transaction (the events service's). */
  returnAllocation(trx: Db, eventId: string): Promise<void>;
}

export interface Lifecycle {
  /** Makes every due move of a bounded batch of events, in order; the 'events.lifecycle' sweep. */
  advanceDue(): Promise<AdvanceResult>;
  transitionsOf(eventId: string): Promise<EventTransition[]>;
}

/** Most transitions listed for one event (an event makes a handful). */
export const TRANSITIONS_MAX = 100;

/**
 * Moves an event from one status to another and records who did it, inside the caller's
 * transaction; false when the event was not in `from` any more (someone else moved it first). For
 * the application flow (draft -> submitted -> scheduled, rejected, withdrawn, cancelled) as for the
 * scheduler.
 */
export function moveEvent(trx: Db, move: Move): Promise<boolean> {
  return claimMove(trx, move);
}

const noticeKindOf = { warmup: 'warmup', live: 'live', ended: 'ended' } as const;

/** The job that texts an event's channel promoters at warm-up and live, a page at a time. */
const PROMOTER_SMS_JOB = 'events.promoter_sms';
const PROMOTER_SMS_PAGE = 500;

/** What a promoter is texted: the brand, the event and when; never a price. */
export function promoterSmsText(kind: 'warmup' | 'live', storeName: string, title: string, startsAt: string): string {
  return kind === 'warmup'
    ? `【${storeName}】${title} 将于 ${showShanghai(startsAt)} 开抢,您的专属推广链接和口令已可领取。`
    : `【${storeName}】${title} 已开抢,快把您的专属链接分享到群里吧。`;
}

export function createLifecycle(ctx: AppContext, deps: LifecycleDeps): Lifecycle {
  const { db, clock, config } = ctx;
  const warmupLeadMs = config.warmupHours * 3_600_000;

  /** One move in its own transaction: the status change, its record, its effects and its notice. */
  async function apply(event: DueEventRow, move: ScheduledMove): Promise<boolean> {
    return db.transaction().execute(async (trx) => {
      const atIso = isoUtc(clock.nowMs());
      if (!(await claimMove(trx, { eventId: event.id, from: move.from, to: move.to, by: 'scheduler', atIso, dueAtIso: isoUtc(move.dueAtMs) }))) return false;
      if (move.to === 'ended') await deps.returnAllocation(trx, event.id);
      if (move.to === 'warmup' || move.to === 'live' || move.to === 'ended') {
        await deps.notifications.notify(trx, {
          kind: noticeKindOf[move.to],
          dedupeKey: `event:${event.id}:${move.to}`,
          storeId: event.store_id,
          platform: move.to === 'ended',
          facts: { eventTitle: event.title, storeName: event.store_name, startsAt: event.starts_at, endsAt: event.ends_at },
          data: { eventId: event.id },
        });
      }
      // Tens of thousands of promoters are texted by a job, a page at a time, outside this move.
      if (move.to === 'warmup' || move.to === 'live') await ctx.jobs.enqueue(PROMOTER_SMS_JOB, { eventId: event.id, kind: move.to }, clock.nowMs(), trx);
      return true;
    });
  }

  ctx.jobs.on(PROMOTER_SMS_JOB, async (payload) => {
    const { eventId, kind } = payload as { eventId: string; kind: 'warmup' | 'live' };
    const event = await db.selectFrom('events').innerJoin('stores', 'stores.id', 'events.store_id')
      .select(['events.title', 'events.starts_at', 'stores.name as store_name']).where('events.id', '=', eventId).executeTakeFirst();
    if (!event) return;
    const text = promoterSmsText(kind, event.store_name, event.title, event.starts_at);
    // Re-running after a crash writes nothing twice: each message's dedupe key names the number.
    let after = '';
    for (;;) {
      const page = await channelPromoterMobiles(db, eventId, after, PROMOTER_SMS_PAGE);
      if (page.length === 0) break;
      await deps.notifications.notify(undefined, {
        kind: noticeKindOf[kind], dedupeKey: `event:${eventId}:${kind}:promoters`, sms: page.map((p) => ({ mobile: p.mobile, text })), data: { eventId },
      });
      after = (page[page.length - 1] as { promoterId: string }).promoterId;
    }
  });

  return {
    async advanceDue() {
      const nowMs = clock.nowMs();
      const due = await dueEvents(db, isoUtc(nowMs), isoUtc(nowMs + warmupLeadMs), config.limits.lifecycleBatchMax);
      // The settle condition is checked by the conditional update itself, so assume it holds here.
      const plans = due
        .map((event) => ({ event, moves: movesDue({ status: event.status, startsAt: event.starts_at, endsAt: event.ends_at }, nowMs, warmupLeadMs, false) }))
        .filter((plan) => plan.moves.length > 0)
        .sort((a, b) => (a.moves[0] as ScheduledMove).dueAtMs - (b.moves[0] as ScheduledMove).dueAtMs);
      const result: AdvanceResult = { moves: 0, ended: [] };
      for (const { event, moves } of plans) {
        try {
          for (const move of moves) {
            // A refused move means another process made it (it carries on) or orders are still pending.
            if (!(await apply(event, move))) break;
            result.moves += 1;
            if (move.to === 'ended') result.ended.push(event.id);
          }
        } catch (err) {
          // One event's failure (a busy store, a lost connection) must not hold up the others; its
          // moves stay due and the next sweep makes them.
          ctx.log.error({ err, eventId: event.id }, 'lifecycle move failed');
        }
      }
      return result;
    },

    async transitionsOf(eventId) {
      const rows = await transitionsOf(db, eventId, TRANSITIONS_MAX);
      return rows.map((r) => ({ from: r.from_status, to: r.to_status, at: r.at, dueAt: r.due_at, by: r.by }));
    },
  };
}
