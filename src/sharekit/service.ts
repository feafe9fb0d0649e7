// The promoter's share kit: link, code, texts and poster for one event, built on access.linkFor
// (which decides who may have a link and from when); the event's copy templates; and links made in
// bulk for a channel's approved promoters, a few thousand rows per statement.
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { AppContext } from '../platform/context.ts';
import type { Principal } from '../platform/auth.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import type { PromoterLinksTable } from '../platform/db/schema.ts';
import type { AccessService } from '../access/service.ts';
import type { EventView } from '../events/service.ts';
import { phaseAt, shareCodeFrom } from '../access/rules.ts';
import {
  DEFAULT_TEMPLATES, checkTemplate, orderOffers, posterContent, posterKeyText, renderTemplate, shanghaiMoment, shanghaiWindow, templateValues,
  type KitFacts, type KitOffer,
} from './rules.ts';
import { createImageFetcher } from './images.ts';
import { renderPoster } from './poster.ts';
import * as store from './store.ts';

export interface CopyTemplate {
  id: string;
  eventId: string;
  title: string;
  body: string;
  position: number;
  createdBy: string;
  createdAt: string;
}

export interface Kit {
  eventId: string;
  event: { title: string; storeName: string; startsAt: string; endsAt: string; window: { start: string; end: string; text: string; timeZone: 'Asia/Shanghai' } };
  link: { linkId: string; url: string; token: string; shareCode: string; shareText: string };
  offers: Array<KitOffer & { attributes: Record<string, string>; perBuyerLimit: number }>;
  copies: Array<{ templateId: string | null; title: string; text: string }>;
  posterUrl: string;
}

export interface BulkLinksResult {
  created: number;
  batches: number;
  elapsedMs: number;
}

export interface SharekitService {
  kitFor(promoterId: string, eventId: string): Promise<Kit>;
  /** The promoter's poster PNG; `rendered` is false when it came from the cache. */
  posterFor(promoterId: string, eventId: string): Promise<{ png: Buffer; rendered: boolean }>;
  /** Renders and cache hits since start (tests and metrics). */
  posterStats(): { renders: number; cacheHits: number; cachedBytes: number };
  listTemplates(by: Principal, eventId: string): Promise<CopyTemplate[]>;
  createTemplate(by: Principal, eventId: string, input: { title: string; body: string; position?: number }): Promise<CopyTemplate>;
  updateTemplate(by: Principal, eventId: string, id: string, input: { title?: string; body?: string; position?: number }): Promise<CopyTemplate>;
  deleteTemplate(by: Principal, eventId: string, id: string): Promise<void>;
  /** Links and share codes for every approved member of the event's channel who has none yet. */
  bulkLinks(eventId: string): Promise<BulkLinksResult>;
}

const CODE_ATTEMPTS = 5;

function toTemplate(row: store.TemplateRow): CopyTemplate {
  return { id: row.id, eventId: row.event_id, title: row.title, body: row.body, position: row.position, createdBy: row.created_by, createdAt: row.created_at };
}

function kitOffers(event: EventView): Kit['offers'] {
  return orderOffers(event.offers).map((o) => ({
    offerId: o.id, skuId: o.skuId, productTitle: o.productTitle, attributes: o.attributes, imageUrl: o.imageUrl,
    publicPriceFen: o.publicPriceFen, clearancePriceFen: o.clearancePriceFen, perBuyerLimit: o.perBuyerLimit, isHero: o.isHero, position: o.position,
  }));
}

/** Fresh share codes, distinct within the batch. */
function freshCodes(count: number): string[] {
  const codes = new Set<string>();
  while (codes.size < count) {
    const code = shareCodeFrom(crypto.randomBytes(24));
    if (code) codes.add(code);
  }
  return [...codes];
}

/** Rendered posters, least recently used first out, bounded in bytes. */
class PosterCache {
  private readonly entries = new Map<string, Buffer>();
  bytes = 0;
  constructor(private readonly maxBytes: number) {}
  get(key: string): Buffer | undefined {
    const png = this.entries.get(key);
    if (png) {
      this.entries.delete(key);
      this.entries.set(key, png);
    }
    return png;
  }
  set(key: string, png: Buffer): void {
    if (png.length > this.maxBytes || this.entries.has(key)) return;
    this.entries.set(key, png);
    this.bytes += png.length;
    for (const [oldKey, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldKey);
      this.bytes -= old.length;
    }
  }
}

export function createSharekitService(ctx: AppContext, access: AccessService): SharekitService {
  const { db, clock, config } = ctx;
  const limits = config.limits;
  const images = createImageFetcher({ timeoutMs: limits.posterImageTimeoutMs, maxBytes: limits.posterImageMaxBytes, allowPrivateHosts: config.posterImagesFromPrivateHosts, nowMs: () => clock.nowMs() });
  const cache = new PosterCache(limits.posterCacheBytes);
  const inFlight = new Map<string, Promise<Buffer>>();
  const stats = { renders: 0, cacheHits: 0 };
  let rendering = 0;
  const waiting: Array<() => void> = [];

  async function withRenderSlot<T>(work: () => Promise<T>): Promise<T> {
    while (rendering >= limits.posterRendersMax) await new Promise<void>((resolve) => waiting.push(resolve));
    rendering += 1;
    try {
      return await work();
    } finally {
      rendering -= 1;
      waiting.shift()?.();
    }
  }

  /** The promoter's link (through access, which gates it) and the facts every part of the kit is made of. */
  async function kitFacts(promoterId: string, eventId: string) {
    const link = await access.linkFor(promoterId, eventId);
    const event = await access.eventView(eventId);
    if (!event) throw new AppError('NOT_FOUND');
    const facts: KitFacts = {
      storeName: event.storeName, eventTitle: event.title, startsAt: event.startsAt, endsAt: event.endsAt,
      url: link.url, shareCode: link.shareCode, promoterName: await store.promoterName(db, promoterId), offers: kitOffers(event),
    };
    return { link, event, facts };
  }

  /** The event if the caller may manage its templates: its store's merchant or an operator; else NOT_FOUND. */
  async function manageableEvent(by: Principal, eventId: string): Promise<EventView> {
    const event = await access.eventView(eventId);
    if (!event || (by.role !== 'operator' && !(by.role === 'merchant' && by.storeId === event.storeId))) throw new AppError('NOT_FOUND');
    return event;
  }

  function assertTemplate(input: { title?: string; body?: string }): void {
    const issues = checkTemplate(input);
    if (issues.length > 0) {
      const named = issues.find((i) => i.variable !== undefined);
      throw new AppError('VALIDATION_FAILED', named ? `Unknown variable {${named.variable}} in the template.` : issues[0]?.message, { issues });
    }
  }

  async function insertBatch(event: EventView, promoterIds: string[]): Promise<number> {
    return db.transaction().execute(async (trx) => {
      let pending = promoterIds;
      let created = 0;
      for (let attempt = 0; attempt < CODE_ATTEMPTS && pending.length > 0; attempt++) {
        const nowMs = clock.nowMs();
        const codes = freshCodes(pending.length);
        const rows: PromoterLinksTable[] = pending.map((promoterId, i) => ({
          id: newId('lnk', nowMs), event_id: event.id, promoter_id: promoterId, share_code: codes[i] as string, created_at: isoUtc(nowMs), revoked_at: null,
        }));
        const landed = await store.insertLinksSkippingConflicts(trx, rows);
        created += landed.size;
        const missed = pending.filter((id) => !landed.has(id));
        // A row that did not land either met a link made meanwhile (fine) or a share code taken (retry it).
        const linked = missed.length > 0 ? await store.promotersWithLink(trx, event.id, missed) : new Set<string>();
        pending = missed.filter((id) => !linked.has(id));
      }
      if (pending.length > 0) throw new Error(`no free share codes for ${pending.length} promoters after ${CODE_ATTEMPTS} attempts`);
      return created;
    });
  }

  return {
    async kitFor(promoterId, eventId) {
      const { link, event, facts } = await kitFacts(promoterId, eventId);
      const values = templateValues(facts);
      const templates = await store.listTemplates(db, eventId, limits.copyTemplatesPerEventMax);
      const copies = templates.length > 0
        ? templates.map((t) => ({ templateId: t.id, title: t.title, text: renderTemplate(t.body, values) }))
        : DEFAULT_TEMPLATES.map((t) => ({ templateId: null, title: t.title, text: renderTemplate(t.body, values) }));
      return {
        eventId,
        event: {
          title: event.title, storeName: event.storeName, startsAt: event.startsAt, endsAt: event.endsAt,
          window: { start: shanghaiMoment(event.startsAt), end: shanghaiMoment(event.endsAt), text: shanghaiWindow(event.startsAt, event.endsAt), timeZone: 'Asia/Shanghai' },
        },
        link: { linkId: link.linkId, url: link.url, token: link.token, shareCode: link.shareCode, shareText: link.shareText },
        offers: kitOffers(event),
        copies,
        posterUrl: `${config.publicBaseUrl}/api/v1/events/${eventId}/kit/poster.png`,
      };
    },

    async posterFor(promoterId, eventId) {
      const { link, facts } = await kitFacts(promoterId, eventId);
      const content = posterContent(facts);
      const fetched = await Promise.all(content.heroes.map((h) => images.get(h.imageUrl)));
      const key = `${link.linkId}:${crypto.createHash('sha256').update(posterKeyText(content, fetched.map((f) => f.digest))).digest('hex')}`;
      const cached = cache.get(key);
      if (cached) {
        stats.cacheHits += 1;
        return { png: cached, rendered: false };
      }
      const running = inFlight.get(key);
      if (running) {
        stats.cacheHits += 1;
        return { png: await running, rendered: false };
      }
      const render = withRenderSlot(async () => {
        stats.renders += 1;
        return renderPoster(content, fetched.map((f) => f.image));
      });
      inFlight.set(key, render);
      try {
        const png = await render;
        cache.set(key, png);
        return { png, rendered: true };
      } finally {
        inFlight.delete(key);
      }
    },

    posterStats: () => ({ ...stats, cachedBytes: cache.bytes }),

    async listTemplates(by, eventId) {
      await manageableEvent(by, eventId);
      return (await store.listTemplates(db, eventId, limits.copyTemplatesPerEventMax)).map(toTemplate);
    },

    async createTemplate(by, eventId, input) {
      await manageableEvent(by, eventId);
      assertTemplate(input);
      // A count then an insert: two racing creates may pass one over the cap, which only bounds a list.
      if (await store.countTemplates(db, eventId) >= limits.copyTemplatesPerEventMax) {
        throw new AppError('CONFLICT', `An event has at most ${limits.copyTemplatesPerEventMax} copy templates.`, { max: limits.copyTemplatesPerEventMax });
      }
      const nowMs = clock.nowMs();
      const row: store.TemplateRow = { id: newId('tpl', nowMs), event_id: eventId, title: input.title.trim(), body: input.body, position: input.position ?? 0, created_by: by.userId, created_at: isoUtc(nowMs), deleted_at: null };
      await store.insertTemplate(db, row);
      return toTemplate(row);
    },

    async updateTemplate(by, eventId, id, input) {
      await manageableEvent(by, eventId);
      assertTemplate(input);
      const changes = { ...(input.title !== undefined ? { title: input.title.trim() } : {}), ...(input.body !== undefined ? { body: input.body } : {}), ...(input.position !== undefined ? { position: input.position } : {}) };
      if (Object.keys(changes).length > 0 && !(await store.updateTemplate(db, eventId, id, changes))) throw new AppError('NOT_FOUND');
      const row = await store.findTemplate(db, eventId, id);
      if (!row) throw new AppError('NOT_FOUND');
      return toTemplate(row);
    },

    async deleteTemplate(by, eventId, id) {
      await manageableEvent(by, eventId);
      if (!(await store.softDeleteTemplate(db, eventId, id, isoUtc(clock.nowMs())))) throw new AppError('NOT_FOUND');
    },

    async bulkLinks(eventId) {
      // A duration, not a time of the domain: measured on the monotonic timer (the injected clock may stand still).
      const startedAt = performance.now();
      const event = await access.eventView(eventId);
      const nowMs = clock.nowMs();
      if (!event || phaseAt(event, nowMs) === 'ended') throw new AppError('NOT_FOUND');
      // The same rule as a single link (access.linkFor): links go out at warm-up, by the clock.
      const warmupAtMs = Date.parse(event.startsAt) - config.warmupHours * 3_600_000;
      if (nowMs < warmupAtMs) {
        throw new AppError('WINDOW_NOT_OPEN', `Links open at warm-up, ${config.warmupHours} hours before the start.`, { opensAt: new Date(warmupAtMs).toISOString() });
      }
      let created = 0;
      let batches = 0;
      let afterId = '';
      for (;;) {
        const promoterIds = await store.promotersWithoutLink(db, event.channelId, event.id, afterId, limits.bulkLinksBatchRows);
        if (promoterIds.length === 0) break;
        afterId = promoterIds[promoterIds.length - 1] as string;
        created += await insertBatch(event, promoterIds);
        batches += 1;
      }
      return { created, batches, elapsedMs: Math.round(performance.now() - startedAt) };
    },
  };
}
