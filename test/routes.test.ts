// One security suite run against every route the app registers (read from the app, not a hand
// list): each documented route declares a response schema for every status it answers; every
// route that is not public answers 401 without credentials and 403/404 to the wrong role;
// malformed input gets a stable 4xx {code, message}, never a 5xx or a stack; and no merchant,
// buyer or promoter reads or changes another's data (invariant 5).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { registeredRoutes, startTestApp, storesUnderTest, nextMobile, type TestApp } from './harness.ts';
import { address, api, buildWorld, buyerWithAccess, type World } from './fixtures.ts';
import { errorResponses } from '../src/platform/http.ts';
import { errorCodes } from '../src/platform/errors.ts';
import type { Role } from '../src/platform/db/schema.ts';

const ALL_ROLES: Role[] = ['operator', 'merchant', 'promoter', 'buyer'];
const STAFF: Role[] = ['operator', 'merchant'];
const ERROR_STATUSES = Object.keys(errorResponses);
const FAKE = { feePolicy: 'fpl_01jzzzzzzzzzzzzzzzzzzzzzzz', channel: 'chn_01jzzzzzzzzzzzzzzzzzzzzzzz', promoter: 'usr_01jzzzzzzzzzzzzzzzzzzzzzzz', event: 'evt_01jzzzzzzzzzzzzzzzzzzzzzzz', link: 'lnk_01jzzzzzzzzzzzzzzzzzzzzzzz', key: 'key_01jzzzzzzzzzzzzzzzzzzzzzzz', order: '999999', refund: 'rfd_01jzzzzzzzzzzzzzzzzzzzzzzz', sandbox: 'sbx_AAAAAAAAAAAAAAAAAAAAAAAA' };

/** Routes anyone may call, and why. Everything else must refuse a caller without credentials. */
const PUBLIC: Record<string, string> = {
  'GET /': 'the landing page: static text',
  'GET /healthz': 'liveness probe for the orchestrator',
  'GET /readyz': 'readiness probe for the load balancer',
  'GET /openapi.json': 'the API contract is public; it holds no data',
  'GET /assets/*': 'static CSS and page scripts',
  'POST /api/v1/sessions': 'signing in with an API key is how one gets credentials',
  'DELETE /api/v1/sessions': 'signing out only clears the cookie',
  'POST /api/v1/auth/otp/request': 'buyers and promoters sign in by SMS code',
  'POST /api/v1/auth/otp/verify': 'buyers and promoters sign in by SMS code',
  'POST /api/v1/access': 'buyers open a link or share code before signing in; the link is the credential',
  'GET /api/v1/events/:eventId/offers': 'the access token (cookie or header), not a session, is the credential: 403 ACCESS_MISSING without it',
  'GET /api/v1/public/stores/:slug': 'the public store: public prices only',
  'GET /api/v1/public/stores/:slug/products': 'the public store: public prices only',
  'GET /api/v1/public/products/:productId': 'the public store: public prices only',
  'GET /api/v1/public/search': 'the public store: public prices only',
  'POST /api/v1/payments/notify/sandbox': "the provider's notification; its signature is the credential",
  'POST /api/v1/sandbox/payments/:id/confirm': "the sandbox cashier's button; the unguessable payment id is the credential",
  'GET /sandbox/pay/:id': 'the sandbox cashier page; the unguessable payment id is the credential',
  'GET /login': 'the sign-in page',
  'GET /code': 'the page where a buyer pastes a share code',
  'GET /e/:token': 'a promoter link as shared in chats; the signed token is the credential',
  'GET /events/:eventId': 'the event page; the access cookie is the credential (404 page without it)',
  'GET /s/:slug': 'public store page',
  'GET /s/:slug/p/:productId': 'public product page',
  'GET /s/:slug/search': 'public search page',
  'GET /api/v1/public/products/:productId/reviews': 'public reviews: rating, body, masked name, SKU attributes and day only',
};
/** API documentation (swagger-ui and its files) is public like /openapi.json. */
const isDocs = (route: string) => /^GET \/docs(\/|$)/.test(route);

/** Buyer pages: without a buyer session they send the browser to /login (303), not a JSON 401. */
const BUYER_PAGES = ['GET /checkout', 'GET /orders', 'GET /orders/:id'];

/** Who may call each protected route. A new route fails the suite until it is listed here. */
const ROLES: Record<string, Role[]> = {
  'GET /api/v1/me': ALL_ROLES,
  'POST /api/v1/merchants': ['operator'],
  'GET /api/v1/merchants': ['operator'],
  'POST /api/v1/promoters': ['operator'],
  'GET /api/v1/promoters': ['operator'],
  'GET /api/v1/promoters/:promoterId': ['operator'],
  'POST /api/v1/promoters/:promoterId/approve': ['operator'],
  'POST /api/v1/promoters/:promoterId/suspend': ['operator'],
  'POST /api/v1/promoters/:promoterId/ban': ['operator'],
  'POST /api/v1/promoters/:promoterId/reinstate': ['operator'],
  'POST /api/v1/promoters/:promoterId/leader': ['operator'],
  'GET /api/v1/me/promoter-profile': ['promoter'],
  'PUT /api/v1/me/promoter-profile': ['promoter'],
  'POST /api/v1/me/invites': ['promoter'],
  'GET /api/v1/me/invites': ['promoter'],
  'POST /api/v1/me/invites/:code/revoke': ['promoter'],
  'POST /api/v1/me/team/join': ['promoter'],
  'GET /api/v1/me/team': ['promoter'],
  'POST /api/v1/api-keys': STAFF,
  'GET /api/v1/api-keys': STAFF,
  'DELETE /api/v1/api-keys/:id': STAFF,
  'POST /api/v1/stores/:storeId/products': STAFF,
  'GET /api/v1/stores/:storeId/products': STAFF,
  'PATCH /api/v1/stores/:storeId/skus/:skuId': STAFF,
  'PATCH /api/v1/stores/:storeId/products/:productId': STAFF,
  'GET /api/v1/stores/:storeId/skus/:skuId/price-history': STAFF,
  'POST /api/v1/fee-policies': ['operator'],
  'GET /api/v1/fee-policies': ['operator'],
  'DELETE /api/v1/fee-policies/:policyId': ['operator'],
  'GET /api/v1/stores/:storeId/fee-terms': STAFF,
  'POST /api/v1/channels': ['operator'],
  'GET /api/v1/channels': ['operator', 'merchant', 'promoter'],
  'GET /api/v1/channels/:channelId': ['operator', 'merchant', 'promoter'],
  'PATCH /api/v1/channels/:channelId': ['operator'],
  'POST /api/v1/channels/:channelId/promoters': ['operator'],
  'DELETE /api/v1/channels/:channelId/promoters/:promoterId': ['operator'],
  'GET /api/v1/me/channels': ['promoter'],
  'GET /api/v1/channels/:channelId/calendar': STAFF,
  'POST /api/v1/events': ['operator'],
  'GET /api/v1/events': STAFF,
  'GET /api/v1/events/:eventId': STAFF,
  'POST /api/v1/events/:eventId/cancel': ['operator'],
  'POST /api/v1/events/:eventId/links': ['promoter'],
  'GET /api/v1/me/links': ['promoter'],
  'POST /api/v1/links/:linkId/revoke': ['promoter', 'operator'],
  'POST /api/v1/orders': ['buyer'],
  'GET /api/v1/orders': ['buyer'],
  'GET /api/v1/orders/:id': ['buyer'],
  'POST /api/v1/orders/:id/cancel': ['buyer'],
  'POST /api/v1/orders/:id/pay': ['buyer'],
  'GET /api/v1/events/:eventId/transitions': STAFF,
  'GET /api/v1/me/notices': ALL_ROLES,
  'POST /api/v1/me/notices/:id/read': ALL_ROLES,
  'GET /api/v1/stores/:storeId/skus/surplus': STAFF,
  'POST /api/v1/stores/:storeId/applications': STAFF,
  'PUT /api/v1/applications/:id': STAFF,
  'GET /api/v1/applications': STAFF,
  'GET /api/v1/applications/:id': STAFF,
  'POST /api/v1/applications/:id/submit': STAFF,
  'POST /api/v1/applications/:id/withdraw': STAFF,
  'POST /api/v1/applications/:id/cancel': STAFF,
  'POST /api/v1/applications/:id/approve': ['operator'],
  'POST /api/v1/applications/:id/reject': ['operator'],
  'GET /api/v1/stores/:storeId/statements': STAFF,
  'GET /api/v1/stores/:storeId/statements.csv': STAFF,
  'GET /api/v1/me/statement': ['promoter'],
  'GET /api/v1/me/statement.csv': ['promoter'],
  'GET /api/v1/promoters/:promoterId/statement': ['operator'],
  'GET /api/v1/promoters/:promoterId/statement.csv': ['operator'],
  'GET /api/v1/me/balance': ['promoter'],
  'GET /api/v1/ledger/audit': ['operator'],
  'POST /api/v1/payout-batches': ['operator'],
  'POST /api/v1/payout-batches/:id/submit': ['operator'],
  'GET /api/v1/payout-batches': ['operator'],
  'GET /api/v1/payout-batches/:id': ['operator'],
  'GET /api/v1/events/:eventId/kit': ['promoter'],
  'GET /api/v1/events/:eventId/kit/poster.png': ['promoter'],
  'GET /api/v1/events/:eventId/copy-templates': STAFF,
  'POST /api/v1/events/:eventId/copy-templates': STAFF,
  'PATCH /api/v1/events/:eventId/copy-templates/:id': STAFF,
  'DELETE /api/v1/events/:eventId/copy-templates/:id': STAFF,
  'POST /api/v1/events/:eventId/links/bulk': ['operator'],
  'GET /api/v1/stores/:storeId/orders': STAFF,
  'POST /api/v1/stores/:storeId/orders/:orderId/ship': STAFF,
  'POST /api/v1/stores/:storeId/orders/:orderId/deliver': STAFF,
  'GET /api/v1/stores/:storeId/shipments': STAFF,
  'POST /api/v1/stores/:storeId/shipments/import': STAFF,
  'GET /api/v1/stores/:storeId/members': STAFF,
  'GET /api/v1/stores/:storeId/members/export': STAFF,
  'GET /api/v1/events/:eventId/customers': STAFF,
  'GET /api/v1/me/memberships': ['buyer'],
  'DELETE /api/v1/me/memberships/:storeId': ['buyer'],
  'GET /api/v1/fraud-flags': ['operator'],
  'POST /api/v1/fraud-flags/:flagId/resolve': ['operator'],
  'GET /api/v1/events/:eventId/leaderboard': ['operator', 'merchant', 'promoter'],
  'GET /api/v1/channels/:channelId/leaderboard': ['operator', 'promoter'],
  'GET /api/v1/events/:eventId/metrics': STAFF,
  'GET /api/v1/events/:eventId/metrics/stream': STAFF,
  'GET /api/v1/stores/:storeId/metrics': STAFF,
  'GET /api/v1/channels/:channelId/metrics': ['operator'],
  'POST /api/v1/orders/:id/review': ['buyer'],
  'GET /api/v1/orders/:id/review': ['buyer'],
  'GET /api/v1/stores/:storeId/reviews': STAFF,
  'POST /api/v1/stores/:storeId/reviews/:reviewId/hide': STAFF,
  'POST /api/v1/stores/:storeId/reviews/:reviewId/unhide': STAFF,
  'POST /api/v1/orders/:id/refunds': ['buyer'],
  'GET /api/v1/orders/:id/refunds': ['buyer'],
  'POST /api/v1/refunds/:id/return-shipment': ['buyer'],
  'POST /api/v1/refunds/:id/cancel': ['buyer'],
  'GET /api/v1/stores/:storeId/refunds': STAFF,
  'POST /api/v1/stores/:storeId/refunds/:id/approve': STAFF,
  'POST /api/v1/stores/:storeId/refunds/:id/reject': STAFF,
  'POST /api/v1/stores/:storeId/refunds/:id/receive': STAFF,
  'PATCH /api/v1/stores/:storeId/return-policy': STAFF,
};

/** Content types a download route (or a server-sent-events stream) may declare instead of JSON. */
const FILE_TYPES = ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/event-stream'];

/** Routes left out of /openapi.json on purpose: HTML pages for people, and the document itself. */
const UNDOCUMENTED = ['GET /', 'GET /openapi.json', 'GET /assets/*', 'GET /e/:token', 'GET /code', 'GET /events/:eventId', 'GET /checkout', 'GET /orders', 'GET /orders/:id', 'GET /sandbox/pay/:id'];


interface OpenApiOperation {
  requestBody?: { required?: boolean };
  responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string; type?: string } }> }>;
}
type OpenApiDoc = { paths: Record<string, Record<string, OpenApiOperation>>; components: { schemas: Record<string, { required?: string[] }> } };

function operationOf(doc: OpenApiDoc, route: string): OpenApiOperation | undefined {
  const [method, url] = route.split(' ') as [string, string];
  return doc.paths[url.replace(/:([A-Za-z]+)/g, '{$1}')]?.[method.toLowerCase()];
}

interface Call {
  route: string;
  status: number;
  body: string;
}

/** Sends one request to a route and remembers its status for the schema check. */
class Caller {
  readonly calls: Call[] = [];
  constructor(private readonly t: TestApp) {}
  async send(route: string, url: string, options: { headers?: Record<string, string>; payload?: string | object; contentType?: string } = {}) {
    const method = route.split(' ')[0] as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
    const payload = typeof options.payload === 'object' ? JSON.stringify(options.payload) : options.payload;
    if (typeof options.payload === 'object' && options.contentType === undefined) headers['content-type'] = 'application/json';
    const res = await this.t.hs.app.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });
    this.calls.push({ route, status: res.statusCode, body: res.body });
    return res;
  }
}

let counter = 0;
const unique = () => `${process.pid}-${++counter}`;

interface Sample {
  url: string;
  body?: () => object;
  headers?: () => Record<string, string>;
}

/** A valid clearance-lot draft for the world's store. */
function lot(world: World) {
  return {
    channelId: world.channelId, title: 'lot', wishedDates: ['2026-12-10'], windowStart: '10:00', windowEnd: '22:00', commissionRateBp: 1000,
    offers: [{ skuId: world.skuId, clearancePriceFen: 100, allocatedUnits: 1, perBuyerLimit: 1, isHero: true }],
  };
}

/** A request each route would accept from its allowed role: real ids, valid bodies; fake ids where the route destroys. */
function samples(world: World, orderId: number): Record<string, Sample> {
  const idem = () => ({ 'idempotency-key': `routes-${unique()}-key` });
  const tomorrow = Date.parse('2026-11-27T02:00:00.000Z');
  return {
    'GET /api/v1/me': { url: '/api/v1/me' },
    'POST /api/v1/merchants': { url: '/api/v1/merchants', body: () => ({ storeName: '新品牌', storeSlug: `route-${unique()}`, displayName: 'Staff' }) },
    'GET /api/v1/merchants': { url: '/api/v1/merchants' },
    'POST /api/v1/promoters': { url: '/api/v1/promoters', body: () => ({ mobile: nextMobile(), displayName: '团长' }) },
    'GET /api/v1/promoters': { url: '/api/v1/promoters?status=approved&limit=5' },
    'GET /api/v1/promoters/:promoterId': { url: `/api/v1/promoters/${FAKE.promoter}` },
    // Vetting acts on a fake promoter: suspending the world's would stop its link for later tests.
    'POST /api/v1/promoters/:promoterId/approve': { url: `/api/v1/promoters/${FAKE.promoter}/approve`, body: () => ({ reason: 'vouched' }) },
    'POST /api/v1/promoters/:promoterId/suspend': { url: `/api/v1/promoters/${FAKE.promoter}/suspend`, body: () => ({ reason: 'spam' }) },
    'POST /api/v1/promoters/:promoterId/ban': { url: `/api/v1/promoters/${FAKE.promoter}/ban`, body: () => ({ reason: 'fraud' }) },
    'POST /api/v1/promoters/:promoterId/reinstate': { url: `/api/v1/promoters/${FAKE.promoter}/reinstate`, body: () => ({ reason: 'appeal' }) },
    'POST /api/v1/promoters/:promoterId/leader': { url: `/api/v1/promoters/${FAKE.promoter}/leader`, body: () => ({ isLeader: true }) },
    'GET /api/v1/me/promoter-profile': { url: '/api/v1/me/promoter-profile' },
    'PUT /api/v1/me/promoter-profile': { url: '/api/v1/me/promoter-profile', body: () => ({ displayName: '推广者', audienceSize: 120, channelsWished: [world.channelId] }) },
    'POST /api/v1/me/invites': { url: '/api/v1/me/invites', body: () => ({ maxUses: 3 }) },
    'GET /api/v1/me/invites': { url: '/api/v1/me/invites' },
    'POST /api/v1/me/invites/:code/revoke': { url: '/api/v1/me/invites/AAAAAAAA/revoke' },
    'POST /api/v1/me/team/join': { url: '/api/v1/me/team/join', body: () => ({ inviteCode: 'AAAAAAAA' }) },
    'GET /api/v1/me/team': { url: '/api/v1/me/team' },
    'POST /api/v1/api-keys': { url: '/api/v1/api-keys', body: () => ({ label: 'ci' }) },
    'GET /api/v1/api-keys': { url: '/api/v1/api-keys' },
    'DELETE /api/v1/api-keys/:id': { url: `/api/v1/api-keys/${FAKE.key}` },
    'POST /api/v1/stores/:storeId/products': { url: `/api/v1/stores/${world.storeId}/products`, body: () => ({ title: '袜子', skus: [{ code: `SK-${unique()}`, attributes: {}, publicPriceFen: 2900, stockUnits: 5 }] }) },
    'GET /api/v1/stores/:storeId/products': { url: `/api/v1/stores/${world.storeId}/products` },
    'PATCH /api/v1/stores/:storeId/skus/:skuId': { url: `/api/v1/stores/${world.storeId}/skus/${world.skuId}`, body: () => ({ stockDeltaUnits: 1 }) },
    'PATCH /api/v1/stores/:storeId/products/:productId': { url: `/api/v1/stores/${world.storeId}/products/${world.productId}`, body: () => ({ category: '男装' }) },
    'GET /api/v1/stores/:storeId/skus/:skuId/price-history': { url: `/api/v1/stores/${world.storeId}/skus/${world.skuId}/price-history` },
    'POST /api/v1/fee-policies': { url: '/api/v1/fee-policies', body: () => ({ kind: 'first_event', discountBp: 5000 }) },
    'GET /api/v1/fee-policies': { url: '/api/v1/fee-policies' },
    'DELETE /api/v1/fee-policies/:policyId': { url: `/api/v1/fee-policies/${FAKE.feePolicy}` },
    'GET /api/v1/stores/:storeId/fee-terms': { url: `/api/v1/stores/${world.storeId}/fee-terms?channelId=${FAKE.channel}&skuIds=${world.skuId}` },
    'POST /api/v1/channels': { url: '/api/v1/channels', body: () => ({ name: `频道 ${unique()}`, vertical: 'menswear' }) },
    'GET /api/v1/channels': { url: '/api/v1/channels' },
    'GET /api/v1/channels/:channelId': { url: `/api/v1/channels/${world.channelId}` },
    'PATCH /api/v1/channels/:channelId': { url: `/api/v1/channels/${world.channelId}`, body: () => ({ description: `edited ${unique()}` }) },
    'POST /api/v1/channels/:channelId/promoters': { url: `/api/v1/channels/${world.channelId}/promoters`, body: () => ({ promoterId: FAKE.promoter }) },
    'DELETE /api/v1/channels/:channelId/promoters/:promoterId': { url: `/api/v1/channels/${world.channelId}/promoters/${FAKE.promoter}` },
    'GET /api/v1/me/channels': { url: '/api/v1/me/channels' },
    'GET /api/v1/channels/:channelId/calendar': { url: `/api/v1/channels/${world.channelId}/calendar?month=2026-12` },
    'POST /api/v1/events': { url: '/api/v1/events', body: () => ({ storeId: world.storeId, channelId: 'chn_01jzzzzzzzzzzzzzzzzzzzzzzz', title: 'x', startsAt: new Date(tomorrow).toISOString(), endsAt: new Date(tomorrow + 3_600_000).toISOString(), offers: [{ skuId: world.skuId, clearancePriceFen: 100, allocatedUnits: 1, perBuyerLimit: 1 }] }) },
    'GET /api/v1/events': { url: '/api/v1/events' },
    'GET /api/v1/events/:eventId': { url: `/api/v1/events/${world.eventId}` },
    'POST /api/v1/events/:eventId/cancel': { url: `/api/v1/events/${FAKE.event}/cancel` },
    'POST /api/v1/events/:eventId/links': { url: `/api/v1/events/${world.eventId}/links` },
    'GET /api/v1/me/links': { url: '/api/v1/me/links' },
    'POST /api/v1/links/:linkId/revoke': { url: `/api/v1/links/${FAKE.link}/revoke` },
    'POST /api/v1/orders': { url: '/api/v1/orders', headers: idem, body: () => ({ skuId: world.skuId, quantity: 1, address }) },
    'GET /api/v1/orders': { url: '/api/v1/orders' },
    'GET /api/v1/orders/:id': { url: `/api/v1/orders/${orderId}` },
    'POST /api/v1/orders/:id/cancel': { url: `/api/v1/orders/${FAKE.order}/cancel` },
    'POST /api/v1/orders/:id/pay': { url: `/api/v1/orders/${orderId}/pay`, headers: idem, body: () => ({ provider: 'sandbox' }) },
    'GET /api/v1/events/:eventId/transitions': { url: `/api/v1/events/${world.eventId}/transitions` },
    'GET /api/v1/me/notices': { url: '/api/v1/me/notices' },
    'POST /api/v1/me/notices/:id/read': { url: '/api/v1/me/notices/ntc_01jzzzzzzzzzzzzzzzzzzzzzzz/read' },
    'GET /api/v1/stores/:storeId/skus/surplus': { url: `/api/v1/stores/${world.storeId}/skus/surplus` },
    'POST /api/v1/stores/:storeId/applications': { url: `/api/v1/stores/${world.storeId}/applications`, body: () => ({ ...lot(world), title: `lot ${unique()}` }) },
    'PUT /api/v1/applications/:id': { url: `/api/v1/applications/${FAKE.event}`, body: () => lot(world) },
    'GET /api/v1/applications': { url: '/api/v1/applications' },
    'GET /api/v1/applications/:id': { url: `/api/v1/applications/${FAKE.event}` },
    'POST /api/v1/applications/:id/submit': { url: `/api/v1/applications/${FAKE.event}/submit` },
    'POST /api/v1/applications/:id/withdraw': { url: `/api/v1/applications/${FAKE.event}/withdraw` },
    'POST /api/v1/applications/:id/cancel': { url: `/api/v1/applications/${FAKE.event}/cancel` },
    'POST /api/v1/applications/:id/approve': { url: `/api/v1/applications/${FAKE.event}/approve`, body: () => ({ day: '2026-12-10' }) },
    'POST /api/v1/applications/:id/reject': { url: `/api/v1/applications/${FAKE.event}/reject`, body: () => ({ reason: 'not this month' }) },
    'GET /api/v1/stores/:storeId/statements': { url: `/api/v1/stores/${world.storeId}/statements?eventId=${world.eventId}` },
    'GET /api/v1/stores/:storeId/statements.csv': { url: `/api/v1/stores/${world.storeId}/statements.csv?from=2026-11-01&to=2026-11-30&lang=zh` },
    'GET /api/v1/me/statement': { url: `/api/v1/me/statement?eventId=${world.eventId}` },
    'GET /api/v1/me/statement.csv': { url: '/api/v1/me/statement.csv?from=2026-11-01&to=2026-11-30' },
    'GET /api/v1/promoters/:promoterId/statement': { url: `/api/v1/promoters/${FAKE.promoter}/statement?from=2026-11-01&to=2026-11-30` },
    'GET /api/v1/promoters/:promoterId/statement.csv': { url: `/api/v1/promoters/${FAKE.promoter}/statement.csv?eventId=${world.eventId}` },
    'GET /api/v1/me/balance': { url: '/api/v1/me/balance' },
    'GET /api/v1/ledger/audit': { url: '/api/v1/ledger/audit' },
    // Payouts act on nothing real here: no balance is available yet (409 NOTHING_TO_PAY), the batch to submit is fake.
    'POST /api/v1/payout-batches': { url: '/api/v1/payout-batches', headers: idem, body: () => ({ payeeKind: 'promoter' }) },
    'POST /api/v1/payout-batches/:id/submit': { url: '/api/v1/payout-batches/pob_01jzzzzzzzzzzzzzzzzzzzzzzz/submit', headers: idem },
    'GET /api/v1/payout-batches': { url: '/api/v1/payout-batches?status=paid' },
    'GET /api/v1/payout-batches/:id': { url: '/api/v1/payout-batches/pob_01jzzzzzzzzzzzzzzzzzzzzzzz' },
    'GET /api/v1/events/:eventId/kit': { url: `/api/v1/events/${world.eventId}/kit` },
    'GET /api/v1/events/:eventId/kit/poster.png': { url: `/api/v1/events/${world.eventId}/kit/poster.png` },
    'GET /api/v1/events/:eventId/copy-templates': { url: `/api/v1/events/${world.eventId}/copy-templates` },
    'POST /api/v1/events/:eventId/copy-templates': { url: `/api/v1/events/${world.eventId}/copy-templates`, body: () => ({ title: `t ${unique()}`, body: '{store} {link}' }) },
    'PATCH /api/v1/events/:eventId/copy-templates/:id': { url: `/api/v1/events/${world.eventId}/copy-templates/tpl_01jzzzzzzzzzzzzzzzzzzzzzzz`, body: () => ({ title: 'x' }) },
    'DELETE /api/v1/events/:eventId/copy-templates/:id': { url: `/api/v1/events/${world.eventId}/copy-templates/tpl_01jzzzzzzzzzzzzzzzzzzzzzzz` },
    'POST /api/v1/events/:eventId/links/bulk': { url: `/api/v1/events/${world.eventId}/links/bulk` },
    'GET /api/v1/stores/:storeId/orders': { url: `/api/v1/stores/${world.storeId}/orders?shipping=to_ship` },
    'POST /api/v1/stores/:storeId/orders/:orderId/ship': { url: `/api/v1/stores/${world.storeId}/orders/${FAKE.order}/ship`, body: () => ({ carrier: '顺丰速运', trackingNo: 'SF1234567' }) },
    'POST /api/v1/stores/:storeId/orders/:orderId/deliver': { url: `/api/v1/stores/${world.storeId}/orders/${FAKE.order}/deliver` },
    'GET /api/v1/stores/:storeId/shipments': { url: `/api/v1/stores/${world.storeId}/shipments?format=csv` },
    'POST /api/v1/stores/:storeId/shipments/import': { url: `/api/v1/stores/${world.storeId}/shipments/import` },
    'GET /api/v1/stores/:storeId/members': { url: `/api/v1/stores/${world.storeId}/members?limit=10` },
    'GET /api/v1/stores/:storeId/members/export': { url: `/api/v1/stores/${world.storeId}/members/export?format=xlsx` },
    'GET /api/v1/events/:eventId/customers': { url: `/api/v1/events/${world.eventId}/customers` },
    'GET /api/v1/me/memberships': { url: '/api/v1/me/memberships' },
    'DELETE /api/v1/me/memberships/:storeId': { url: `/api/v1/me/memberships/${world.storeId}` },
    'GET /api/v1/fraud-flags': { url: '/api/v1/fraud-flags?status=open' },
    'POST /api/v1/fraud-flags/:flagId/resolve': { url: '/api/v1/fraud-flags/999999/resolve', body: () => ({ note: 'checked' }) },
    'GET /api/v1/events/:eventId/leaderboard': { url: `/api/v1/events/${world.eventId}/leaderboard?by=orders` },
    'GET /api/v1/channels/:channelId/leaderboard': { url: `/api/v1/channels/${world.channelId}/leaderboard` },
    'GET /api/v1/events/:eventId/metrics': { url: `/api/v1/events/${world.eventId}/metrics?limit=5` },
    // once=1: one event, then the response ends (a live stream would never end under inject).
    'GET /api/v1/events/:eventId/metrics/stream': { url: `/api/v1/events/${world.eventId}/metrics/stream?once=1` },
    'GET /api/v1/stores/:storeId/metrics': { url: `/api/v1/stores/${world.storeId}/metrics?from=2026-11-01&to=2026-11-30` },
    'GET /api/v1/channels/:channelId/metrics': { url: `/api/v1/channels/${world.channelId}/metrics?from=2026-11-01&to=2026-11-30` },
    // The order is not delivered: a review is refused with 409 CONFLICT, and there is none to read.
    'POST /api/v1/orders/:id/review': { url: `/api/v1/orders/${orderId}/review`, body: () => ({ rating: 5, body: '很好' }) },
    'GET /api/v1/orders/:id/review': { url: `/api/v1/orders/${orderId}/review` },
    'GET /api/v1/stores/:storeId/reviews': { url: `/api/v1/stores/${world.storeId}/reviews?hidden=false&limit=10` },
    'POST /api/v1/stores/:storeId/reviews/:reviewId/hide': { url: `/api/v1/stores/${world.storeId}/reviews/999999/hide` },
    'POST /api/v1/stores/:storeId/reviews/:reviewId/unhide': { url: `/api/v1/stores/${world.storeId}/reviews/999999/unhide` },
    // The order awaits payment: a refund is refused with 409 ORDER_NOT_REFUNDABLE; steps act on a fake request.
    'POST /api/v1/orders/:id/refunds': { url: `/api/v1/orders/${orderId}/refunds`, headers: idem, body: () => ({ quantity: 1, reason: '不想要了' }) },
    'GET /api/v1/orders/:id/refunds': { url: `/api/v1/orders/${orderId}/refunds` },
    'POST /api/v1/refunds/:id/return-shipment': { url: `/api/v1/refunds/${FAKE.refund}/return-shipment`, body: () => ({ carrier: '中通快递', trackingNo: 'ZT12345678' }) },
    'POST /api/v1/refunds/:id/cancel': { url: `/api/v1/refunds/${FAKE.refund}/cancel` },
    'GET /api/v1/stores/:storeId/refunds': { url: `/api/v1/stores/${world.storeId}/refunds?status=open&limit=10` },
    'POST /api/v1/stores/:storeId/refunds/:id/approve': { url: `/api/v1/stores/${world.storeId}/refunds/${FAKE.refund}/approve`, body: () => ({ note: '请寄回' }) },
    'POST /api/v1/stores/:storeId/refunds/:id/reject': { url: `/api/v1/stores/${world.storeId}/refunds/${FAKE.refund}/reject`, body: () => ({ reason: '已使用' }) },
    'POST /api/v1/stores/:storeId/refunds/:id/receive': { url: `/api/v1/stores/${world.storeId}/refunds/${FAKE.refund}/receive` },
    'PATCH /api/v1/stores/:storeId/return-policy': { url: `/api/v1/stores/${world.storeId}/return-policy`, body: () => ({ returnDays: 7 }) },
    // Public routes that take a body or act, for the malformed-input suite.
    'POST /api/v1/sessions': { url: '/api/v1/sessions', body: () => ({ apiKey: 'hsk_not_a_key' }) },
    'DELETE /api/v1/sessions': { url: '/api/v1/sessions' },
    'POST /api/v1/auth/otp/request': { url: '/api/v1/auth/otp/request', body: () => ({ mobile: nextMobile(), role: 'buyer' }) },
    'POST /api/v1/auth/otp/verify': { url: '/api/v1/auth/otp/verify', body: () => ({ mobile: nextMobile(), role: 'buyer', code: '000000' }) },
    'POST /api/v1/access': { url: '/api/v1/access', body: () => ({ link: world.link.token }) },
    'POST /api/v1/payments/notify/sandbox': { url: '/api/v1/payments/notify/sandbox', body: () => ({ sandboxPaymentId: FAKE.sandbox, paymentId: 'pay_x', amountFen: 1, paidAt: '2026-11-25T00:00:00.000Z' }) },
    'POST /api/v1/sandbox/payments/:id/confirm': { url: `/api/v1/sandbox/payments/${FAKE.sandbox}/confirm` },
  };
}

/** A refusal as the API promises it: JSON {code, message} with a known code, no internals. */
function assertCleanRefusal(what: string, res: { statusCode: number; body: string; headers: Record<string, unknown> }, status?: number | number[], code?: string | string[]): void {
  assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${what}: expected a 4xx, got ${res.statusCode} ${res.body.slice(0, 300)}`);
  if (status !== undefined) assert.ok([status].flat().includes(res.statusCode), `${what}: expected ${String(status)}, got ${res.statusCode} ${res.body.slice(0, 200)}`);
  assert.match(String(res.headers['content-type']), /^application\/json/, what);
  const body = JSON.parse(res.body) as { code?: unknown; message?: unknown };
  assert.equal(typeof body.code, 'string', what);
  assert.equal(typeof body.message, 'string', what);
  assert.ok((body.code as string) in errorCodes, `${what}: unknown code ${String(body.code)}`);
  if (code !== undefined) assert.ok([code].flat().includes(body.code as string), `${what}: expected ${String(code)}, got ${String(body.code)}`);
  assert.doesNotMatch(res.body, /\n\s+at |\bat [\w.<>]+ \(|node_modules|\/work\/|\.ts:\d+|\.js:\d+|Error:|stack/, `${what}: internals in the body`);
}

for (const store of storesUnderTest()) {
  describe(`security suite over every route on ${store}`, () => {
    let t: TestApp;
    let world: World;
    let doc: OpenApiDoc;
    let routes: string[];
    let caller: Caller;
    let heads: Record<Role, Record<string, string>>;
    let sampleOf: Record<string, Sample>;

    before(async () => {
      t = await startTestApp(store);
      world = await buildWorld(t);
      caller = new Caller(t);
      const buyer = await buyerWithAccess(t, world);
      const order = await api<{ id: number }>(t, 'POST', '/api/v1/orders', { ...buyer.headers, 'idempotency-key': `routes-${unique()}-order` }, { offerId: world.offerId, quantity: 1, address }, 201);
      heads = {
        operator: world.operator,
        merchant: (await t.signIn('merchant', { storeId: world.storeId })).headers,
        promoter: world.promoter,
        buyer: { authorization: buyer.headers.authorization as string },
      };
      sampleOf = samples(world, order.id);
      doc = (await t.hs.app.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenApiDoc;
      routes = registeredRoutes(t.hs.app).map((route) => `${route.method} ${route.url}`).sort();
    });
    after(async () => t.close());

    it('knows every route: each is public, a buyer page or role-guarded, and documented unless a page', () => {
      assert.ok(routes.length >= 45, `only ${routes.length} routes found`);
      const unclassified = routes.filter((r) => !(r in PUBLIC) && !isDocs(r) && !BUYER_PAGES.includes(r) && !(r in ROLES));
      assert.deepEqual(unclassified, [], 'classify new routes in PUBLIC (with why) or ROLES');
      const stale = [...Object.keys(PUBLIC), ...BUYER_PAGES, ...Object.keys(ROLES)].filter((r) => !routes.includes(r));
      assert.deepEqual(stale, [], 'listed routes the app no longer has');
      const undocumented = routes.filter((r) => !isDocs(r) && !operationOf(doc, r) && !UNDOCUMENTED.includes(r));
      assert.deepEqual(undocumented, [], 'routes missing from /openapi.json (registered before swagger, or hidden)');
      for (const r of UNDOCUMENTED) assert.ok(!operationOf(doc, r), `${r} is documented now: take it off UNDOCUMENTED`);
      assert.ok(!routes.some((r) => !isDocs(r) && !(r in PUBLIC) && !BUYER_PAGES.includes(r) && ROLES[r]?.length === 0));
    });

    it('declares a response schema for every status of every documented route', () => {
      const errorSchema = doc.components.schemas.Error;
      assert.deepEqual([...(errorSchema?.required ?? [])].sort(), ['code', 'message']);
      const problems: string[] = [];
      let operations = 0;
      for (const [url, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          operations += 1;
          const route = `${method.toUpperCase()} ${url}`;
          const responses = op.responses ?? {};
          const success = Object.keys(responses).filter((s) => /^2\d\d$/.test(s));
          if (success.length === 0) problems.push(`${route}: no 2xx response`);
          for (const status of success) {
            const content = responses[status]?.content ?? {};
            if (!Object.values(content).some((c) => c.schema)) problems.push(`${route} ${status}: no schema`);
            // A page says it is HTML; a JSON route says JSON.
            const types = Object.keys(content);
            if (url === '/login' || url.startsWith('/s/')) { if (!types.includes('text/html')) problems.push(`${route} ${status}: page not declared text/html (${types.join(',')})`); }
            else if (url.endsWith('.csv')) { if (!types.includes('text/csv')) problems.push(`${route} ${status}: CSV not declared text/csv (${types.join(',')})`); }
            else if (url.endsWith('.png')) { if (!types.includes('image/png')) problems.push(`${route} ${status}: image not declared image/png (${types.join(',')})`); }
            // A file download (CSV, XLSX) declares only file types, each with a schema.
            else if (types.length > 0 && types.every((type) => FILE_TYPES.includes(type))) continue;
            else if (!types.includes('application/json')) problems.push(`${route} ${status}: not declared application/json`);
          }
          // Probes answer before readiness; everything else can meet every error of the error handler.
          const expectedErrors = url === '/healthz' ? [] : url === '/readyz' ? ['503'] : ERROR_STATUSES;
          for (const status of expectedErrors) {
            const content = responses[status]?.content;
            const schema = content?.['application/json']?.schema ?? (content ? Object.values(content)[0]?.schema : undefined);
            if (!schema) problems.push(`${route} ${status}: no schema`);
            else if (responses[status]?.content?.['application/json'] && schema.$ref !== '#/components/schemas/Error') problems.push(`${route} ${status}: not the Error schema`);
          }
        }
      }
      assert.ok(operations >= 40, `only ${operations} operations documented`);
      assert.deepEqual(problems, []);
    });

    it('answers 401 UNAUTHENTICATED without credentials and 403/404 to the wrong role, on every guarded route', async () => {
      let checked = 0;
      for (const [route, allowed] of Object.entries(ROLES)) {
        const sample = sampleOf[route];
        assert.ok(sample, `no sample request for ${route}`);
        const send = (headers: Record<string, string>) => caller.send(route, sample.url, { headers: { ...headers, ...(sample.headers?.() ?? {}) }, ...(sample.body ? { payload: sample.body() } : {}) });
        assertCleanRefusal(`${route} without credentials`, await send({}), 401, 'UNAUTHENTICATED');
        assertCleanRefusal(`${route} with a forged session`, await send({ authorization: 'Bearer hss.eyJ1IjoieCJ9.AAAAAAAAAAAAAAAAAAAAAA' }), 401, 'UNAUTHENTICATED');
        assertCleanRefusal(`${route} with an unknown API key`, await send({ authorization: 'Bearer hsk_0000000000000000000000000000' }), 401, 'UNAUTHENTICATED');
        for (const role of ALL_ROLES) {
          const res = await send(heads[role]);
          if (allowed.includes(role)) {
            assert.ok(res.statusCode < 500, `${route} as ${role}: ${res.statusCode} ${res.body}`);
            assert.ok(res.statusCode !== 401 && !(res.statusCode === 403 && res.json().code === 'FORBIDDEN'), `${route} as ${role} (allowed) was refused: ${res.body}`);
          } else {
            assertCleanRefusal(`${route} as ${role}`, res, [403, 404], ['FORBIDDEN', 'NOT_FOUND']);
          }
          checked += 1;
        }
      }
      assert.equal(checked, Object.keys(ROLES).length * ALL_ROLES.length);
      // Buyer pages send people to sign in, and keep other roles out too.
      for (const route of BUYER_PAGES) {
        const url = route.split(' ')[1]?.replace(':id', FAKE.order) as string;
        const res = await caller.send(route, url);
        assert.equal(res.statusCode, 303, `${route} without a session`);
        assert.match(String(res.headers.location), /^\/login\?next=/);
        for (const role of ['operator', 'merchant', 'promoter'] as const) assert.equal((await caller.send(route, url, { headers: heads[role] })).statusCode, 303, `${route} as ${role}`);
      }
    });

    it('refuses malformed input on every POST, PATCH and DELETE with a stable 4xx and no internals', async () => {
      const writes = routes.filter((r) => /^(POST|PATCH|DELETE) /.test(r));
      assert.ok(writes.length >= 20, `only ${writes.length} write routes`);
      const big = JSON.stringify({ padding: 'x'.repeat(t.config.limits.bodyBytes + 1) });
      let cases = 0;
      for (const route of writes) {
        const sample = sampleOf[route];
        assert.ok(sample, `no sample request for ${route}`);
        const role = (ROLES[route] ?? [])[0];
        const headers = { ...(role ? heads[role] : {}), ...(sample.headers?.() ?? {}) };
        const op = operationOf(doc, route);
        const needsBody = op?.requestBody?.required === true;
        const hasBody = op?.requestBody !== undefined;
        const valid = sample.body?.() ?? {};
        const check = async (what: string, options: Parameters<Caller['send']>[2], status?: number | number[], code?: string | string[]) => {
          cases += 1;
          const res = await caller.send(route, sample.url, { headers: { ...headers, ...(options?.headers ?? {}) }, ...options });
          assertCleanRefusal(`${route}: ${what}`, res, status, code);
          return res;
        };
        await check('invalid JSON', { payload: '{"title": "x",', contentType: 'application/json' }, 400, 'MALFORMED_JSON');
        await check('a JSON string that never ends', { payload: '"abc', contentType: 'application/json' }, 400, 'MALFORMED_JSON');
        await check('prototype poisoning', { payload: '{"__proto__": {"isAdmin": true}}', contentType: 'application/json' }, 400, 'MALFORMED_JSON');
        await check('empty JSON body', { payload: '', contentType: 'application/json' }, 400, 'MALFORMED_JSON');
        for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x']) {
          await check(`content type ${contentType}`, { payload: 'a=b', contentType }, 415, 'UNSUPPORTED_MEDIA_TYPE');
        }
        await check('a body over the limit', { payload: big, contentType: 'application/json' }, 413, 'PAYLOAD_TOO_LARGE');
        if (needsBody) {
          await check('no body at all', {}, 400, 'VALIDATION_FAILED');
          await check('a JSON array', { payload: '[]', contentType: 'application/json' }, 400, 'VALIDATION_FAILED');
        }
        if (hasBody) {
          await check('an unknown extra field', { payload: { ...valid, isAdmin: true } }, 400, 'VALIDATION_FAILED');
          await check('wrong types', { payload: Object.fromEntries(Object.keys(valid).map((k) => [k, [{ nested: null }]])) }, 400, 'VALIDATION_FAILED');
        } else {
          // No body expected: an extra one is ignored, never a crash.
          cases += 1;
          const res = await caller.send(route, sample.url, { headers, payload: { isAdmin: true } });
          assert.ok(res.statusCode < 500, `${route} with an unexpected body: ${res.statusCode} ${res.body}`);
        }
      }
      assert.ok(cases >= writes.length * 9);
      // Path parameters of the wrong shape are refused cleanly too.
      for (const [route, url] of [['GET /api/v1/orders/:id', '/api/v1/orders/abc'], ['GET /api/v1/orders/:id', '/api/v1/orders/-1'], ['GET /api/v1/events/:eventId', '/api/v1/events/..%2F..%2Fetc'], ['GET /api/v1/stores/:storeId/products', `/api/v1/stores/${'x'.repeat(300)}/products`], ['GET /api/v1/events/:eventId/offers', '/api/v1/events/evt_x/offers'], ['GET /api/v1/events/:eventId', '/api/v1/events/%E0%A4%A'], ['GET /api/v1/orders/:id', '/api/v1/orders/%ZZ'], ['GET /api/v1/public/products/:productId', `/api/v1/public/products/${'p'.repeat(5000)}`], ['GET /api/v1/public/search', `/api/v1/public/search?q=${'x'.repeat(1000)}`], ['GET /api/v1/stores/:storeId/products', `/api/v1/stores/${world.storeId}/products?limit=100000`]] as const) {
        const role = (ROLES[route] ?? ['buyer'])[0] as Role;
        assertCleanRefusal(`${url}`, await caller.send(route, url, { headers: heads[role] }), [400, 403, 404]);
      }
    });

    it("keeps stores, buyers and promoters apart: another's data is not found", async () => {
      const other = await buildWorld(t);
      const merchantB = (await t.signIn('merchant', { storeId: other.storeId })).headers;
      const a = world;
      const refuse = async (route: string, url: string, headers: Record<string, string>, payload?: object) => {
        const res = await caller.send(route, url, { headers, ...(payload ? { payload } : {}) });
        assertCleanRefusal(`${route} across owners`, res, 404, 'NOT_FOUND');
      };
      await refuse('GET /api/v1/stores/:storeId/products', `/api/v1/stores/${a.storeId}/products`, merchantB);
      await refuse('POST /api/v1/stores/:storeId/products', `/api/v1/stores/${a.storeId}/products`, merchantB, sampleOf['POST /api/v1/stores/:storeId/products']?.body?.());
      await refuse('PATCH /api/v1/stores/:storeId/skus/:skuId', `/api/v1/stores/${a.storeId}/skus/${a.skuId}`, merchantB, { publicPriceFen: 1 });
      // Through one's own store path with another store's SKU: still not found.
      await refuse('PATCH /api/v1/stores/:storeId/skus/:skuId', `/api/v1/stores/${other.storeId}/skus/${a.skuId}`, merchantB, { stockUnits: 0 });
      await refuse('PATCH /api/v1/stores/:storeId/products/:productId', `/api/v1/stores/${a.storeId}/products/${a.productId}`, merchantB, { category: 'x' });
      await refuse('PATCH /api/v1/stores/:storeId/products/:productId', `/api/v1/stores/${other.storeId}/products/${a.productId}`, merchantB, { category: 'x' });
      await refuse('GET /api/v1/stores/:storeId/skus/:skuId/price-history', `/api/v1/stores/${a.storeId}/skus/${a.skuId}/price-history`, merchantB);
      await refuse('GET /api/v1/stores/:storeId/skus/:skuId/price-history', `/api/v1/stores/${other.storeId}/skus/${a.skuId}/price-history`, merchantB);
      await refuse('GET /api/v1/stores/:storeId/fee-terms', `/api/v1/stores/${a.storeId}/fee-terms?channelId=${FAKE.channel}&skuIds=${a.skuId}`, merchantB);
      await refuse('GET /api/v1/events/:eventId', `/api/v1/events/${a.eventId}`, merchantB);
      await refuse('GET /api/v1/events/:eventId/transitions', `/api/v1/events/${a.eventId}/transitions`, merchantB);
      await refuse('GET /api/v1/stores/:storeId/skus/surplus', `/api/v1/stores/${a.storeId}/skus/surplus`, merchantB);
      await refuse('GET /api/v1/stores/:storeId/statements', `/api/v1/stores/${a.storeId}/statements?eventId=${a.eventId}`, merchantB);
      await refuse('GET /api/v1/stores/:storeId/statements', `/api/v1/stores/${other.storeId}/statements?eventId=${a.eventId}`, merchantB);
      await refuse('GET /api/v1/stores/:storeId/statements.csv', `/api/v1/stores/${a.storeId}/statements.csv?from=2026-11-01&to=2026-11-30`, merchantB);
      await refuse('GET /api/v1/events', `/api/v1/events?storeId=${a.storeId}`, merchantB);
      await refuse('GET /api/v1/stores/:storeId/reviews', `/api/v1/stores/${a.storeId}/reviews`, merchantB);
      const ownEvents = await caller.send('GET /api/v1/events', '/api/v1/events', { headers: merchantB });
      assert.equal(ownEvents.statusCode, 200);
      assert.deepEqual((ownEvents.json().items as Array<{ storeId: string }>).map((e) => e.storeId), [other.storeId]);
      const sku = await t.hs.ctx.db.selectFrom('skus').select(['stock_units', 'public_price_fen']).where('id', '=', a.skuId).executeTakeFirstOrThrow();
      assert.equal(sku.public_price_fen, 99_900, 'nothing changed in store A');
      assert.notEqual(sku.stock_units, 0);

      // Buyers: B never sees, pays or cancels A's order.
      const buyerA = await buyerWithAccess(t, a);
      const orderA = await api<{ id: number }>(t, 'POST', '/api/v1/orders', { ...buyerA.headers, 'idempotency-key': `routes-${unique()}-a` }, { offerId: a.offerId, quantity: 1, address }, 201);
      const buyerB = (await t.signIn('buyer')).headers;
      await refuse('GET /api/v1/orders/:id', `/api/v1/orders/${orderA.id}`, buyerB);
      await refuse('POST /api/v1/orders/:id/cancel', `/api/v1/orders/${orderA.id}/cancel`, buyerB);
      await refuse('POST /api/v1/orders/:id/pay', `/api/v1/orders/${orderA.id}/pay`, { ...buyerB, 'idempotency-key': `routes-${unique()}-b` }, { provider: 'sandbox' });
      const listB = await caller.send('GET /api/v1/orders', '/api/v1/orders', { headers: buyerB });
      assert.deepEqual(listB.json().orders, []);
      const pageB = await caller.send('GET /orders/:id', `/orders/${orderA.id}`, { headers: buyerB });
      assert.equal(pageB.statusCode, 404);
      assert.doesNotMatch(pageB.body, new RegExp(address.detail));
      const stillPending = await api<{ status: string }>(t, 'GET', `/api/v1/orders/${orderA.id}`, buyerA.headers, undefined, 200);
      assert.equal(stillPending.status, 'pending_payment');

      // Promoters: B cannot revoke A's link nor list it.
      const promoterB = (await t.signIn('promoter')).headers;
      await refuse('POST /api/v1/links/:linkId/revoke', `/api/v1/links/${a.link.linkId}/revoke`, promoterB);
      const linksB = await caller.send('GET /api/v1/me/links', '/api/v1/me/links', { headers: promoterB });
      assert.deepEqual(linksB.json().links, []);
      const stillOpens = await caller.send('POST /api/v1/access', '/api/v1/access', { payload: { link: a.link.token } });
      assert.equal(stillOpens.statusCode, 200, "A's link still works");
      // API keys: one merchant cannot revoke another's.
      const keyA = await api<{ id: string }>(t, 'POST', '/api/v1/api-keys', heads.merchant, { label: 'a' }, 201);
      await refuse('DELETE /api/v1/api-keys/:id', `/api/v1/api-keys/${keyA.id}`, merchantB);
    });

    // Last: it checks the statuses every test above actually met.
    it('met only statuses that the route declares', () => {
      const undeclared = new Set<string>();
      for (const call of caller.calls) {
        const op = operationOf(doc, call.route);
        if (op && !op.responses?.[String(call.status)]) undeclared.add(`${call.route} answered ${call.status}: ${call.body.slice(0, 120)}`);
        assert.ok(call.status < 500, `${call.route} answered ${call.status}: ${call.body.slice(0, 300)}`);
      }
      assert.ok(caller.calls.length > 400, `only ${caller.calls.length} calls were made`);
      assert.deepEqual([...undeclared], []);
    });
  });
}
