// Applications: a merchant drafts a clearance lot for a day on a channel, submits it (holding the
// first free wished day), and an operator approves (booking the day, carving the stock and freezing
// the fee terms into the new event, all in one transaction) or rejects it. Follow submit() and
// approve() to see each step and what undoes it.
import type { AppContext } from '../platform/context.ts';
import type { Principal } from '../platform/auth.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import type { ChannelsService } from '../channels/service.ts';
import type { CalendarService } from '../calendar/service.ts';
import { shanghaiDay } from '../calendar/rules.ts';
import type { EventsService } from '../events/service.ts';
import type { FeesService, EventFeeTerms } from '../fees/service.ts';
import { assertPriceGuardPasses, type OfferPriceCheck, type PricingService } from '../pricing/service.ts';
import type { NotificationsService } from '../notifications/service.ts';
import { checkDraftShape, checkUnitsAgainstStock, defaultLotLimits, windowOnDay, type DraftInput, type LotOffer, type Problem } from './rules.ts';
import * as store from './store.ts';

export type ApplicationStatus = 'draft' | 'submitted' | 'scheduled' | 'rejected' | 'withdrawn' | 'cancelled';

export interface ApplicationView extends DraftInput {
  id: string;
  storeId: string;
  status: ApplicationStatus;
  heldDay: string | null;
  holdExpiresAt: string | null;
  scheduledDay: string | null;
  rejectReason: string | null;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  decidedAt: string | null;
  /** What would stop a submit now (shape, stock), with stable codes. */
  problems: Problem[];
  /** The price guard, per offer: errors block submit, warnings are for people to weigh. */
  priceGuard: OfferPriceCheck[];
  /** The fee terms that would apply (frozen into the event at approval). */
  feeTerms: EventFeeTerms | null;
}

export interface ApplicationsService {
  createDraft(principal: Principal, storeId: string, input: DraftInput): Promise<ApplicationView>;
  updateDraft(principal: Principal, id: string, input: DraftInput): Promise<ApplicationView>;
  get(principal: Principal, id: string): Promise<ApplicationView>;
  list(principal: Principal, filter: { storeId?: string; status?: ApplicationStatus }): Promise<ApplicationView[]>;
  submit(principal: Principal, id: string): Promise<ApplicationView>;
  withdraw(principal: Principal, id: string): Promise<ApplicationView>;
  approve(principal: Principal, id: string, day?: string): Promise<ApplicationView>;
  reject(principal: Principal, id: string, reason: string): Promise<ApplicationView>;
  cancel(principal: Principal, id: string): Promise<ApplicationView>;
  /** The 'applications.holds' sweep: forgets lapsed holds (the calendar frees their days). */
  forgetLapsedHolds(): Promise<number>;
}

export interface ApplicationsDeps {
  channels: ChannelsService;
  calendar: CalendarService;
  events: EventsService;
  fees: FeesService;
  pricing: PricingService;
  notifications: NotificationsService;
}

const LIST_MAX = 200;
const LAPSED_BATCH_MAX = 200;

export function createApplicationsService(ctx: AppContext, deps: ApplicationsDeps): ApplicationsService {
  const { db, clock, config } = ctx;
  const limits = { ...defaultLotLimits, maxOffers: config.applicationMaxOffers };

  ctx.jobs.addSweep('applications.holds', () => forgetLapsedHolds());

  function parse(row: store.ApplicationRow): DraftInput {
    return {
      channelId: row.channel_id,
      title: row.title,
      wishedDates: JSON.parse(row.wished_dates_json) as string[],
      windowStart: row.window_start,
      windowEnd: row.window_end,
      commissionRateBp: row.commission_rate_bp,
      offers: JSON.parse(row.offers_json) as LotOffer[],
    };
  }

  async function problemsOf(storeId: string, draft: DraftInput): Promise<Problem[]> {
    const channel = await deps.channels.getChannel(draft.channelId);
    const minCommission = channel?.minCommissionRateBp ?? 0;
    const problems = checkDraftShape(draft, limits, minCommission, shanghaiDay(clock.nowMs()));
    if (!channel) problems.push({ path: '/channelId', code: 'UNKNOWN_CHANNEL', message: 'No such channel.', messageZh: '没有这个频道。' });
    const stock = await store.freeStockOf(db, storeId, draft.offers.map((o) => o.skuId));
    return [...problems, ...checkUnitsAgainstStock(draft.offers, stock)];
  }

  async function view(row: store.ApplicationRow): Promise<ApplicationView> {
    const draft = parse(row);
    const nowMs = clock.nowMs();
    const open = row.status === 'draft' || row.status === 'submitted';
    const problems = open ? await problemsOf(row.store_id, draft) : [];
    const knownOffers = open ? draft.offers.filter((o) => !problems.some((p) => p.code === 'UNKNOWN_SKU' && p.path.startsWith(`/offers/${draft.offers.indexOf(o)}/`))) : [];
    const priceGuard = knownOffers.length > 0 ? await deps.pricing.guardOffers(row.store_id, knownOffers, nowMs) : [];
    let feeTerms: EventFeeTerms | null = null;
    if (open && knownOffers.length > 0 && !problems.some((p) => p.code === 'UNKNOWN_CHANNEL')) {
      feeTerms = await deps.fees.termsFor(row.store_id, row.channel_id, knownOffers.map((o) => o.skuId), nowMs, { exceptEventId: row.id });
    }
    return {
      ...draft,
      id: row.id,
      storeId: row.store_id,
      status: row.status as ApplicationStatus,
      heldDay: row.held_day,
      holdExpiresAt: row.hold_expires_at,
      scheduledDay: row.scheduled_day,
      rejectReason: row.reject_reason,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      submittedAt: row.submitted_at,
      decidedAt: row.decided_at,
      problems,
      priceGuard,
      feeTerms,
    };
  }

  /** The application if the caller may see it: its merchant or an operator; anything else is NOT_FOUND. */
  async function visible(principal: Principal, id: string): Promise<store.ApplicationRow> {
    const row = await store.findApplication(db, id);
    if (!row) throw new AppError('NOT_FOUND');
    if (principal.role === 'operator') return row;
    if (principal.role === 'merchant' && principal.storeId === row.store_id) return row;
    throw new AppError('NOT_FOUND');
  }

  function mustBe(row: store.ApplicationRow, ...statuses: ApplicationStatus[]): void {
    if (!statuses.includes(row.status as ApplicationStatus)) {
      throw new AppError('CONFLICT', `The application is ${row.status}; this needs ${statuses.join(' or ')}.`, { status: row.status });
    }
  }

  async function reload(id: string): Promise<ApplicationView> {
    const row = await store.findApplication(db, id);
    if (!row) throw new AppError('NOT_FOUND');
    return view(row);
  }

  async function forgetLapsedHolds(): Promise<number> {
    const nowIso = isoUtc(clock.nowMs());
    const rows = await store.lapsedHolds(db, nowIso, LAPSED_BATCH_MAX);
    let done = 0;
    for (const row of rows) {
      // The calendar's own sweep frees the day; the application stays submitted, awaiting a day.
      if (await store.moveApplication(db, row.id, ['submitted'], { held_day: null, hold_expires_at: null, updated_at: nowIso })) done += 1;
    }
    return done;
  }

  return {
    forgetLapsedHolds,

    async createDraft(principal, storeId, input) {
      if (principal.role === 'merchant' && principal.storeId !== storeId) throw new AppError('NOT_FOUND');
      const nowMs = clock.nowMs();
      const now = isoUtc(nowMs);
      const id = newId('evt', nowMs);
      await store.insertApplication(db, {
        id, store_id: storeId, channel_id: input.channelId, title: input.title, wished_dates_json: JSON.stringify(input.wishedDates),
        window_start: input.windowStart, window_end: input.windowEnd, commission_rate_bp: input.commissionRateBp,
        offers_json: JSON.stringify(input.offers), status: 'draft', held_day: null, hold_expires_at: null, scheduled_day: null,
        reject_reason: null, created_by: principal.userId, created_at: now, updated_at: now, submitted_at: null, decided_at: null, decided_by: null,
      });
      return reload(id);
    },

    async updateDraft(principal, id, input) {
      const row = await visible(principal, id);
      mustBe(row, 'draft');
      const moved = await store.moveApplication(db, id, ['draft'], {
        channel_id: input.channelId, title: input.title, wished_dates_json: JSON.stringify(input.wishedDates), window_start: input.windowStart,
        window_end: input.windowEnd, commission_rate_bp: input.commissionRateBp, offers_json: JSON.stringify(input.offers), updated_at: isoUtc(clock.nowMs()),
      });
      if (!moved) throw new AppError('CONFLICT', 'The application is no longer a draft.');
      return reload(id);
    },

    get: async (principal, id) => view(await visible(principal, id)),

    async list(principal, filter) {
      const storeId = principal.role === 'merchant' ? (principal.storeId ?? '') : filter.storeId;
      const rows = await store.listApplications(db, { ...(storeId !== undefined ? { storeId } : {}), ...(filter.status ? { status: filter.status } : {}) }, LIST_MAX);
      return Promise.all(rows.map(view));
    },

    async submit(principal, id) {
      const row = await visible(principal, id);
      mustBe(row, 'draft');
      const current = await view(row);
      if (current.problems.length > 0) throw new AppError('APPLICATION_INVALID', undefined, { problems: current.problems.map(({ path, code, message }) => ({ path, code, message })) });
      assertPriceGuardPasses(current.priceGuard);
      const nowMs = clock.nowMs();
      const holdUntilMs = nowMs + config.applicationHoldHours * 3_600_000;
      const refused: Array<{ day: string; code: string }> = [];
      const held = await db.transaction().execute(async (trx) => {
        for (const day of current.wishedDates) {
          const result = await deps.calendar.holdDay(trx, { channelId: row.channel_id, day, eventId: id, holdUntilMs });
          if (!result.ok) {
            refused.push({ day, code: result.code });
            continue;
          }
          const moved = await store.moveApplication(trx, id, ['draft'], {
            status: 'submitted', held_day: day, hold_expires_at: isoUtc(holdUntilMs), submitted_at: isoUtc(nowMs), updated_at: isoUtc(nowMs),
          });
          if (!moved) throw new AppError('CONFLICT', 'The application is no longer a draft.');
          await deps.notifications.notify(trx, { kind: 'submitted', dedupeKey: `application:${id}:submitted:${nowMs}`, platform: true, storeId: row.store_id, facts: { eventTitle: row.title }, data: { applicationId: id, day } });
          return day;
        }
        return null;
      });
      if (held === null) throw new AppError('NO_FREE_DATE', undefined, { dates: refused });
      return reload(id);
    },

    async withdraw(principal, id) {
      const row = await visible(principal, id);
      mustBe(row, 'draft', 'submitted');
      await db.transaction().execute(async (trx) => {
        if (!(await store.moveApplication(trx, id, ['draft', 'submitted'], { status: 'withdrawn', held_day: null, hold_expires_at: null, updated_at: isoUtc(clock.nowMs()) }))) {
          throw new AppError('CONFLICT', 'The application was decided meanwhile.');
        }
        if (row.held_day) await deps.calendar.releaseDay(trx, { channelId: row.channel_id, day: row.held_day, eventId: id });
      });
      return reload(id);
    },

    async approve(principal, id, requestedDay) {
      if (principal.role !== 'operator') throw new AppError('FORBIDDEN');
      const row = await visible(principal, id);
      mustBe(row, 'submitted');
      const draft = parse(row);
      const day = requestedDay ?? row.held_day;
      if (!day) throw new AppError('VALIDATION_FAILED', 'The hold on a day has lapsed: name the day to book.', { field: 'day' });
      const nowMs = clock.nowMs();
      const { startsAtMs, endsAtMs } = windowOnDay(day, draft.windowStart, draft.windowEnd);
      if (startsAtMs <= nowMs) throw new AppError('VALIDATION_FAILED', 'That day\'s sales window has already begun.', { day });
      const terms = await deps.fees.termsFor(row.store_id, row.channel_id, draft.offers.map((o) => o.skuId), nowMs, { exceptEventId: id });
      const eventInput = { storeId: row.store_id, channelId: row.channel_id, title: row.title, startsAt: isoUtc(startsAtMs), endsAt: isoUtc(endsAtMs), offers: draft.offers };
      // Reads first, outside the transaction (on SQLite one connection serves them all).
      await deps.events.checkNewEvent(eventInput);
      await db.transaction().execute(async (trx) => {
        const booked = await deps.calendar.bookDay(trx, { channelId: row.channel_id, day, eventId: id });
        if (!booked.ok) throw new AppError(booked.code, undefined, { day });
        if (row.held_day && row.held_day !== day) await deps.calendar.releaseDay(trx, { channelId: row.channel_id, day: row.held_day, eventId: id });
        const moved = await store.moveApplication(trx, id, ['submitted'], {
          status: 'scheduled', scheduled_day: day, held_day: null, hold_expires_at: null, decided_at: isoUtc(nowMs), decided_by: principal.userId, updated_at: isoUtc(nowMs),
        });
        if (!moved) throw new AppError('CONFLICT', 'The application was decided meanwhile.');
        // Carves the allocation out of store stock now: going live later never fails for stock.
        await deps.events.createApprovedEvent(trx, { ...eventInput, id, commissionRateBp: draft.commissionRateBp, termsJson: JSON.stringify(terms), approvedBy: principal.userId });
        await deps.notifications.notify(trx, { kind: 'approved', dedupeKey: `application:${id}:approved`, storeId: row.store_id, facts: { eventTitle: row.title, startsAt: isoUtc(startsAtMs), endsAt: isoUtc(endsAtMs) }, data: { eventId: id, day } });
      });
      return reload(id);
    },

    async reject(principal, id, reason) {
      if (principal.role !== 'operator') throw new AppError('FORBIDDEN');
      const row = await visible(principal, id);
      mustBe(row, 'submitted');
      const now = isoUtc(clock.nowMs());
      await db.transaction().execute(async (trx) => {
        const moved = await store.moveApplication(trx, id, ['submitted'], {
          status: 'rejected', reject_reason: reason, held_day: null, hold_expires_at: null, decided_at: now, decided_by: principal.userId, updated_at: now,
        });
        if (!moved) throw new AppError('CONFLICT', 'The application was decided meanwhile.');
        if (row.held_day) await deps.calendar.releaseDay(trx, { channelId: row.channel_id, day: row.held_day, eventId: id });
        await deps.notifications.notify(trx, { kind: 'rejected', dedupeKey: `application:${id}:rejected`, storeId: row.store_id, facts: { eventTitle: row.title, reason }, data: { applicationId: id } });
      });
      return reload(id);
    },

    async cancel(principal, id) {
      const row = await visible(principal, id);
      mustBe(row, 'scheduled');
      const event = await deps.events.loadEventView(id);
      if (!event) throw new AppError('NOT_FOUND');
      const leadMs = config.applicationCancelLeadHours * 3_600_000;
      if (principal.role !== 'operator' && clock.nowMs() > Date.parse(event.startsAt) - leadMs) {
        throw new AppError('CONFLICT', `Cancelling closes ${config.applicationCancelLeadHours} hours before the start.`, { startsAt: event.startsAt });
      }
      await deps.events.cancelEvent(id, principal.userId);
      await db.transaction().execute(async (trx) => {
        await store.moveApplication(trx, id, ['scheduled'], { status: 'cancelled', updated_at: isoUtc(clock.nowMs()) });
        if (row.scheduled_day) await deps.calendar.releaseDay(trx, { channelId: row.channel_id, day: row.scheduled_day, eventId: id });
      });
      return reload(id);
    },
  };
}
