// Access routes: promoters' links and codes; buyers open them (API and pages) and see the offers.
// Only these routes and the buyer's own orders ever carry a clearance price, always with
// Cache-Control: private, no-store, and only to a holder of valid access while the event is live.
import { Type, type Static } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole } from '../platform/auth.ts';
import { AppError } from '../platform/errors.ts';
import type { EventView } from '../events/service.ts';
import type { AccessService } from './service.ts';
import { accessPages } from './pages.ts';
import { BuyerOffer, accessTokenOf, buyerOffers, setAccessCookie } from './view.ts';


const LinkView = Type.Object({
  linkId: Type.String(),
  eventId: Type.String(),
  url: Type.String({ description: 'The personal link to share.' }),
  token: Type.String(),
  shareCode: Type.String({ description: '8-character share code (口令).' }),
  shareText: Type.String({ description: 'Ready-to-paste text carrying the code.' }),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const BuyerEvent = Type.Object({
  phase: Type.Union([Type.Literal('warmup'), Type.Literal('live')]),
  event: Type.Object({
    id: Type.String(),
    title: Type.String(),
    storeName: Type.String(),
    storeSlug: Type.String(),
    startsAt: Type.String({ format: 'date-time' }),
    endsAt: Type.String({ format: 'date-time' }),
  }),
  offers: Type.Array(BuyerOffer),
});

const OpenBody = Type.Object({
  link: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'A promoter link, its path or its token.' })),
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Pasted text holding a share code.' })),
}, { additionalProperties: false });

const EventIdParams = Type.Object({ eventId: Type.String({ pattern: '^evt_[0-9a-z]{26}$' }) });

function buyerEvent(event: EventView, phase: 'warmup' | 'live'): Static<typeof BuyerEvent> {
  return {
    phase,
    event: { id: event.id, title: event.title, storeName: event.storeName, storeSlug: event.storeSlug, startsAt: event.startsAt, endsAt: event.endsAt },
    offers: buyerOffers(event, phase),
  };
}

export async function accessRoutes(app: App, access: AccessService): Promise<void> {
  const secureCookies = access.secureCookies;

  app.post('/api/v1/events/:eventId/links', {
    schema: {
      tags: ['access'],
      summary: 'A promoter gets (or gets again) their personal link and share code for an event.',
      security: [{ bearer: [] }],
      params: EventIdParams,
      response: { 200: LinkView, ...errorResponses },
    },
  }, async (request) => {
    const principal = requireRole(request, 'promoter');
    return access.linkFor(principal.userId, request.params.eventId);
  });

  app.get('/api/v1/me/links', {
    schema: { tags: ['access'], summary: "The calling promoter's links.", security: [{ bearer: [] }], response: { 200: Type.Object({ links: Type.Array(LinkView) }), ...errorResponses } },
  }, async (request) => {
    const principal = requireRole(request, 'promoter');
    return { links: await access.linksOf(principal.userId) };
  });

  app.post('/api/v1/links/:linkId/revoke', {
    schema: {
      tags: ['access'],
      summary: 'Revokes a link and its share code (its promoter or an operator). Access it granted stops working.',
      security: [{ bearer: [] }],
      params: Type.Object({ linkId: Type.String({ maxLength: 40 }) }),
      response: { 200: Type.Object({ revoked: Type.Boolean() }), ...errorResponses },
    },
  }, async (request) => {
    const principal = requireRole(request, 'promoter', 'operator');
    await access.revokeLink(request.params.linkId, principal);
    return { revoked: true };
  });

  app.post('/api/v1/access', {
    schema: {
      tags: ['access'],
      summary: 'Opens a promoter link or share code: remembers access (cookie, and accessToken for API clients) and shows the offers; clearance prices only while live.',
      description: 'Send exactly one of `link` or `code`. Anything forged, revoked, unknown or over answers 404 ACCESS_INVALID, the same for all.',
      body: OpenBody,
      response: { 200: Type.Intersect([BuyerEvent, Type.Object({ accessToken: Type.String() })]), ...errorResponses },
    },
  }, async (request, reply) => {
    const { link, code } = request.body;
    if ((link === undefined) === (code === undefined)) throw new AppError('VALIDATION_FAILED', 'Send exactly one of link or code.');
    const opened = await access.open(link !== undefined ? { link } : { code: code as string }, request.ip, (eventId) => accessTokenOf(request, access, eventId));
    setAccessCookie(reply, access, opened, secureCookies);
    reply.header('cache-control', 'private, no-store');
    return { ...buyerEvent(opened.event, opened.phase === 'live' ? 'live' : 'warmup'), accessToken: opened.accessToken };
  });

  app.get('/api/v1/events/:eventId/offers', {
    schema: {
      tags: ['access'],
      summary: 'The offers of an event, for a buyer holding access (cookie or X-Hushsale-Access header).',
      params: EventIdParams,
      response: { 200: BuyerEvent, ...errorResponses },
    },
  }, async (request, reply) => {
    const { eventId } = request.params;
    const grant = await access.readAccess(accessTokenOf(request, access, eventId), eventId);
    if (!grant) throw new AppError('ACCESS_MISSING');
    const event = await access.eventView(eventId);
    if (!event) throw new AppError('ACCESS_MISSING');
    const phase = access.phaseOf(event);
    if (phase === 'ended') throw new AppError('WINDOW_CLOSED');
    reply.header('cache-control', 'private, no-store');
    return buyerEvent(event, phase);
  });

  await accessPages(app, access, secureCookies);
}
