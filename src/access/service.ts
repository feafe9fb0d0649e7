// Access: a promoter's personal link and share code per event, and the buyer's access they grant.
// A link is `<linkId>.<HMAC>`; resolving one is a signature check plus one primary-key lookup
// (cached). Access is a sealed token kept in a cookie per event; it records the promoter.
import crypto from 'node:crypto';
import type { AppContext } from '../platform/context.ts';
import { isoUtc } from '../platform/clock.ts';
import { newId } from '../platform/ids.ts';
import { AppError } from '../platform/errors.ts';
import type { EventView, EventsService } from '../events/service.ts';
import { extractShareCode, linkTokenFromText, phaseAt, shareCodeFrom, shareText, splitLinkToken, type Phase } from './rules.ts';
import { mayShare } from '../promoters/rules.ts';

export interface AccessGrant {
  eventId: string;
  linkId: string;
  promoterId: string;
}

export interface PromoterLink {
  linkId: string;
  eventId: string;
  promoterId: string;
  token: string;
  url: string;
  shareCode: string;
  shareText: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface OpenedAccess {
  grant: AccessGrant;
  accessToken: string;
  /** When the access token stops being accepted (the event's end). */
  expiresAtMs: number;
  phase: Phase;
  event: EventView;
}

interface LinkRow {
  id: string;
  eventId: string;
  promoterId: string;
  shareCode: string;
  /** True when the link gives no access: revoked, or its promoter may not share (not approved). */
  revoked: boolean;
}

export interface AccessService {
  linkFor(promoterId: string, eventId: string): Promise<PromoterLink>;
  linksOf(promoterId: string): Promise<PromoterLink[]>;
  revokeLink(linkId: string, by: { userId: string; role: string }): Promise<void>;
  /** Drops a promoter's links from the cache after a vetting move: the next open reads their status anew. */
  forgetPromoterLinks(promoterId: string): void;
  /**
   * Opens a link token (or a pasted URL) or a share code: ACCESS_INVALID for anything not live or
   * upcoming. `heldTokenFor` gives the access token the buyer already holds for an event (cookie or
   * header): under the channel's first-touch rule a valid one is kept, so the first promoter stays
   * credited; under last touch the newly opened link replaces it.
   */
  open(input: { link?: string; code?: string }, clientIp: string, heldTokenFor?: (eventId: string) => string | undefined): Promise<OpenedAccess>;
  /** The grant carried by an access token for this event, or null (forged, other event, revoked link). */
  readAccess(accessToken: string | undefined, eventId: string): Promise<AccessGrant | null>;
  /** The event as buyers see it, cached for a moment (link opens come by the million). */
  eventView(eventId: string): Promise<EventView | null>;
  phaseOf(event: EventView): Phase;
  accessCookieName(eventId: string): string;
  /** Cookies are Secure when the site is served over https. */
  secureCookies: boolean;
}

const LINK_CACHE_MAX = 200_000;
const EVENT_CACHE_MS = 1000;
const CODE_ATTEMPTS = 5;
/** Wrong share codes one address may try per window before it must wait: guessing stays hopeless. */
const WRONG_CODES_PER_WINDOW = 30;
const WRONG_CODE_WINDOW_MS = 10 * 60_000;
const WRONG_CODE_TRACKED_MAX = 100_000;

export function createAccessService(ctx: AppContext, events: EventsService): AccessService {
  const { db, clock, signer, config } = ctx;
  const linkCache = new Map<string, LinkRow>();
  const codeCache = new Map<string, string>();
  const eventCache = new Map<string, { view: EventView | null; atMs: number }>();
  // Only failures count: buyers behind one carrier NAT share an address and must not be blocked.
  const wrongCodes = new Map<string, { count: number; sinceMs: number }>();

  function checkCodeBudget(clientIp: string, nowMs: number): void {
    const entry = wrongCodes.get(clientIp);
    if (entry && nowMs - entry.sinceMs < WRONG_CODE_WINDOW_MS && entry.count >= WRONG_CODES_PER_WINDOW) throw new AppError('RATE_LIMITED');
  }

  function countWrongCode(clientIp: string, nowMs: number): void {
    const entry = wrongCodes.get(clientIp);
    if (!entry || nowMs - entry.sinceMs >= WRONG_CODE_WINDOW_MS) {
      if (wrongCodes.size >= WRONG_CODE_TRACKED_MAX) wrongCodes.clear();
      wrongCodes.set(clientIp, { count: 1, sinceMs: nowMs });
    } else entry.count += 1;
  }

  events.onEventEnded((eventId) => eventCache.delete(eventId));

  function remember(row: LinkRow): LinkRow {
    if (linkCache.size >= LINK_CACHE_MAX) {
      linkCache.clear();
      codeCache.clear();
    }
    linkCache.set(row.id, row);
    codeCache.set(row.shareCode, row.id);
    return row;
  }

  // Bumped by forgetPromoterLinks: a lookup that started before a vetting move does not cache what it read.
  let linkEpoch = 0;

  /** One indexed query: the link by a unique key, with its promoter's status by primary key. */
  async function loadLink(column: 'id' | 'share_code', value: string): Promise<LinkRow | null> {
    const epoch = linkEpoch;
    const row = await db.selectFrom('promoter_links')
      .leftJoin('promoter_profiles', 'promoter_profiles.user_id', 'promoter_links.promoter_id')
      .select(['promoter_links.id', 'promoter_links.event_id', 'promoter_links.promoter_id', 'promoter_links.share_code', 'promoter_links.revoked_at', 'promoter_profiles.status'])
      .where(`promoter_links.${column}`, '=', value)
      .executeTakeFirst();
    if (!row) return null;
    const link = { id: row.id, eventId: row.event_id, promoterId: row.promoter_id, shareCode: row.share_code, revoked: row.revoked_at !== null || !mayShare(row.status) };
    return epoch === linkEpoch ? remember(link) : link;
  }

  async function linkById(linkId: string): Promise<LinkRow | null> {
    return linkCache.get(linkId) ?? loadLink('id', linkId);
  }

  async function linkByCode(code: string): Promise<LinkRow | null> {
    const cachedId = codeCache.get(code);
    if (cachedId) return linkById(cachedId);
    return loadLink('share_code', code);
  }

  /** Only an approved promoter who belongs to the event's channel gets a link. */
  async function checkMayShareIn(promoterId: string, channelId: string): Promise<void> {
    const row = await db.selectFrom('promoter_profiles')
      .leftJoin('channel_promoters', (join) => join.onRef('channel_promoters.promoter_id', '=', 'promoter_profiles.user_id').on('channel_promoters.channel_id', '=', channelId))
      .select(['promoter_profiles.status', 'channel_promoters.channel_id'])
      .where('promoter_profiles.user_id', '=', promoterId)
      .executeTakeFirst();
    if (!mayShare(row?.status)) throw new AppError('PROMOTER_NOT_APPROVED');
    if (!row?.channel_id) throw new AppError('NOT_CHANNEL_MEMBER');
  }

  async function eventView(eventId: string): Promise<EventView | null> {
    const nowMs = clock.nowMs();
    const cached = eventCache.get(eventId);
    if (cached && nowMs - cached.atMs < EVENT_CACHE_MS && nowMs >= cached.atMs) return cached.view;
    const view = await events.loadEventView(eventId);
    if (eventCache.size > 10_000) eventCache.clear();
    eventCache.set(eventId, { view, atMs: nowMs });
    return view;
  }

  function toLink(row: { id: string; event_id: string; promoter_id: string; share_code: string; created_at: string; revoked_at: string | null }, event: EventView | null): PromoterLink {
    const token = `${row.id}.${signer.sign('link', row.id)}`;
    return {
      linkId: row.id,
      eventId: row.event_id,
      promoterId: row.promoter_id,
      token,
      url: `${config.publicBaseUrl}/e/${token}`,
      shareCode: row.share_code,
      shareText: shareText(row.share_code, event?.storeName ?? '', event?.title ?? ''),
      createdAt: row.created_at,
      revokedAt: row.revoked_at,
    };
  }

  async function insertLink(promoterId: string, eventId: string): Promise<void> {
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      const code = shareCodeFrom(crypto.randomBytes(24));
      if (!code) continue;
      const nowMs = clock.nowMs();
      const inserted = await db.insertInto('promoter_links').values({
        id: newId('lnk', nowMs),
        event_id: eventId,
        promoter_id: promoterId,
        share_code: code,
        created_at: isoUtc(nowMs),
        revoked_at: null,
      }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return;
      // Either this promoter already has a link (fine) or the code collided (try another).
      const existing = await db.selectFrom('promoter_links').select('id').where('event_id', '=', eventId).where('promoter_id', '=', promoterId).executeTakeFirst();
      if (existing) return;
    }
    throw new Error('could not find a free share code');
  }

  return {
    eventView,
    phaseOf: (event) => phaseAt(event, clock.nowMs()),
    accessCookieName: (eventId) => `hsa_${eventId}`,
    secureCookies: config.publicBaseUrl.startsWith('https://'),

    async linkFor(promoterId, eventId) {
      const event = await eventView(eventId);
      const nowMs = clock.nowMs();
      if (!event || phaseAt(event, nowMs) === 'ended') throw new AppError('NOT_FOUND');
      await checkMayShareIn(promoterId, event.channelId);
      // Kits go out at warm-up (预热), by the clock: a late scheduler never holds them back.
      const warmupAtMs = Date.parse(event.startsAt) - config.warmupHours * 3_600_000;
      if (nowMs < warmupAtMs) {
        throw new AppError('WINDOW_NOT_OPEN', `Links open at warm-up, ${config.warmupHours} hours before the start.`, { opensAt: new Date(warmupAtMs).toISOString() });
      }
      await insertLink(promoterId, eventId);
      const row = await db.selectFrom('promoter_links').selectAll().where('event_id', '=', eventId).where('promoter_id', '=', promoterId).executeTakeFirstOrThrow();
      return toLink(row, event);
    },

    async linksOf(promoterId) {
      const rows = await db.selectFrom('promoter_links').selectAll().where('promoter_id', '=', promoterId).orderBy('created_at', 'desc').limit(200).execute();
      const out: PromoterLink[] = [];
      for (const row of rows) out.push(toLink(row, await eventView(row.event_id)));
      return out;
    },

    async revokeLink(linkId, by) {
      const row = await db.selectFrom('promoter_links').selectAll().where('id', '=', linkId).executeTakeFirst();
      if (!row || (by.role !== 'operator' && row.promoter_id !== by.userId)) throw new AppError('NOT_FOUND');
      await db.updateTable('promoter_links').set({ revoked_at: isoUtc(clock.nowMs()) }).where('id', '=', linkId).where('revoked_at', 'is', null).execute();
      const cached = linkCache.get(linkId);
      if (cached) cached.revoked = true;
    },

    forgetPromoterLinks(promoterId) {
      linkEpoch += 1;
      // A scan, not an index: vetting moves are rare and the cache is bounded (LINK_CACHE_MAX).
      for (const [linkId, link] of linkCache) {
        if (link.promoterId !== promoterId) continue;
        linkCache.delete(linkId);
        codeCache.delete(link.shareCode);
      }
    },

    async open(input, clientIp, heldTokenFor) {
      let link: LinkRow | null = null;
      const nowMs = clock.nowMs();
      if (input.link !== undefined) {
        const token = linkTokenFromText(input.link);
        const parts = token ? splitLinkToken(token) : null;
        if (parts && signer.verify('link', parts.linkId, parts.signature)) link = await linkById(parts.linkId);
      } else if (input.code !== undefined) {
        checkCodeBudget(clientIp, nowMs);
        const code = extractShareCode(input.code);
        if (code) link = await linkByCode(code);
        if (!link) countWrongCode(clientIp, nowMs);
      }
      // Forged, tampered, unknown, revoked or over: one answer, which says nothing of the event.
      if (!link || link.revoked) throw new AppError('ACCESS_INVALID');
      const event = await eventView(link.eventId);
      if (!event) throw new AppError('ACCESS_INVALID');
      const phase = phaseAt(event, nowMs);
      if (phase === 'ended') throw new AppError('ACCESS_INVALID');
      const expiresAtMs = Date.parse(event.endsAt);
      if (event.attribution === 'first_touch') {
        const heldToken = heldTokenFor?.(event.id);
        const held = heldToken ? await readGrant(heldToken, event.id) : null;
        if (held && heldToken) return { grant: held, accessToken: heldToken, expiresAtMs, phase, event };
      }
      const grant: AccessGrant = { eventId: event.id, linkId: link.id, promoterId: link.promoterId };
      const accessToken = signer.seal('access', { e: grant.eventId, l: grant.linkId, p: grant.promoterId, x: expiresAtMs });
      return { grant, accessToken, expiresAtMs, phase, event };
    },

    readAccess: readGrant,
  };

  async function readGrant(accessToken: string | undefined, eventId: string): Promise<AccessGrant | null> {
    if (!accessToken) return null;
    const value = signer.open('access', accessToken) as { e?: unknown; l?: unknown; p?: unknown; x?: unknown } | null;
    if (!value || value.e !== eventId || typeof value.l !== 'string' || typeof value.p !== 'string' || typeof value.x !== 'number') return null;
    const link = await linkById(value.l);
    if (!link || link.revoked || link.eventId !== eventId) return null;
    return { eventId, linkId: value.l, promoterId: value.p };
  }
}
