// A small world built through the public HTTP API, the way an operator, a merchant and a
// promoter would: a store with one SKU, a channel, an event with one offer, a promoter's link.
import assert from 'node:assert/strict';
import type { TestApp } from './harness.ts';

export interface World {
  storeId: string;
  storeSlug: string;
  channelId: string;
  productId: string;
  skuId: string;
  eventId: string;
  offerId: string;
  operator: Record<string, string>;
  promoter: Record<string, string>;
  promoterId: string;
  link: { token: string; url: string; shareCode: string; shareText: string; linkId: string };
}

export interface WorldOptions {
  stockUnits?: number;
  allocatedUnits?: number;
  publicPriceFen?: number;
  clearancePriceFen?: number;
  perBuyerLimit?: number;
  /** Minutes from now until the window opens (0: live now). */
  startsInMinutes?: number;
  durationMinutes?: number;
}

let worldCounter = 0;

export async function api<T = Record<string, unknown>>(t: TestApp, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown, expect?: number): Promise<T> {
  const res = await t.hs.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
  if (expect !== undefined) assert.equal(res.statusCode, expect, `${method} ${url} -> ${res.statusCode} ${res.body}`);
  return res.json() as T;
}

export async function buildWorld(t: TestApp, options: WorldOptions = {}): Promise<World> {
  worldCounter += 1;
  const operator = (await t.signIn('operator')).headers;
  const slug = `brand-${process.pid}-${worldCounter}`;
  const merchant = await api<{ store: { id: string; slug: string } }>(t, 'POST', '/api/v1/merchants', operator, { storeName: `品牌${worldCounter}`, storeSlug: slug, displayName: 'Brand staff' }, 201);
  const storeId = merchant.store.id;
  const merchantHeaders = (await t.signIn('merchant', { storeId })).headers;
  const product = await api<{ id: string; skus: Array<{ id: string }> }>(t, 'POST', `/api/v1/stores/${storeId}/products`, merchantHeaders, {
    title: '羽绒服 Down jacket',
    description: 'Warm.',
    imageUrl: 'https://img.example.com/jacket.jpg',
    skus: [{ code: `JK-${worldCounter}`, attributes: { 颜色: '黑' }, publicPriceFen: options.publicPriceFen ?? 99_900, stockUnits: options.stockUnits ?? 1000 }],
  }, 201);
  const skuId = product.skus[0]?.id as string;
  const channel = await api<{ id: string }>(t, 'POST', '/api/v1/channels', operator, { name: '男装', vertical: 'menswear' }, 201);
  const startsAtMs = t.clock.nowMs() + (options.startsInMinutes ?? 0) * 60_000;
  const event = await api<{ id: string; offers: Array<{ id: string }> }>(t, 'POST', '/api/v1/events', operator, {
    storeId,
    channelId: channel.id,
    title: '冬季清仓 Winter clearance',
    startsAt: new Date(startsAtMs).toISOString(),
    endsAt: new Date(startsAtMs + (options.durationMinutes ?? 12 * 60) * 60_000).toISOString(),
    offers: [{ skuId, clearancePriceFen: options.clearancePriceFen ?? 12_345, allocatedUnits: options.allocatedUnits ?? 100, perBuyerLimit: options.perBuyerLimit ?? 2, isHero: true }],
  }, 201);
  const signedIn = await t.signIn('promoter');
  const promoter = signedIn.headers;
  // Links go only to approved members of the event's channel.
  await api(t, 'POST', `/api/v1/channels/${channel.id}/promoters`, operator, { promoterId: signedIn.principal.userId }, 201);
  // Links open at warm-up: an event further out has none yet (empty fields).
  const linkRes = await t.hs.app.inject({ method: 'POST', url: `/api/v1/events/${event.id}/links`, headers: promoter });
  assert.ok(linkRes.statusCode === 200 || linkRes.json().code === 'WINDOW_NOT_OPEN', linkRes.body);
  const link: World['link'] = linkRes.statusCode === 200 ? linkRes.json() : { token: '', url: '', shareCode: '', shareText: '', linkId: '' };
  return { storeId, storeSlug: slug, channelId: channel.id, productId: product.id, skuId, eventId: event.id, offerId: event.offers[0]?.id as string, operator, promoter, promoterId: signedIn.principal.userId, link };
}

/** Another approved promoter, a member of the channel (links go only to members): their headers and id. */
export async function promoterInChannel(t: TestApp, operator: Record<string, string>, channelId: string): Promise<{ headers: Record<string, string>; id: string }> {
  const signedIn = await t.signIn('promoter');
  await api(t, 'POST', `/api/v1/channels/${channelId}/promoters`, operator, { promoterId: signedIn.principal.userId }, 201);
  return { headers: signedIn.headers, id: signedIn.principal.userId };
}

export const address = { name: '张三', mobile: '13800138000', province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路 1 号' };

/** A signed-in buyer holding access to the world's event: headers ready for POST /api/v1/orders. */
export async function buyerWithAccess(t: TestApp, world: World): Promise<{ headers: Record<string, string>; userId: string }> {
  const buyer = await t.signIn('buyer');
  const opened = await api<{ accessToken: string }>(t, 'POST', '/api/v1/access', {}, { link: world.link.token }, 200);
  return { headers: { ...buyer.headers, 'x-hushsale-access': opened.accessToken }, userId: buyer.principal.userId };
}

/** Pays an order through the sandbox cashier and lets the (delayed, doubled) notices arrive. */
export async function payOrder(t: TestApp, buyerHeaders: Record<string, string>, orderId: number): Promise<void> {
  const payment = await api<{ payUrl: string }>(t, 'POST', `/api/v1/orders/${orderId}/pay`, { ...buyerHeaders, 'idempotency-key': `pay-${orderId}-${Math.random()}` }, { provider: 'sandbox' }, 200);
  await api(t, 'POST', `/api/v1/sandbox/payments/${payment.payUrl.split('/').pop() as string}/confirm`, {}, undefined, 200);
  t.clock.advanceMs(t.config.sandboxNotifyDelayMs * 3 + 2000);
  await t.hs.ctx.jobs.runOnce();
}

/** A buyer who opens `linkToken`, reserves `quantity` of the offer and pays; the order id. */
export async function buyThrough(t: TestApp, linkToken: string, offerId: string, options: { quantity?: number; mobile?: string; shipTo?: Partial<typeof address> } = {}): Promise<{ orderId: number; buyerId: string; headers: Record<string, string> }> {
  const buyer = await t.signIn('buyer', options.mobile !== undefined ? { mobile: options.mobile } : {});
  const opened = await api<{ accessToken: string }>(t, 'POST', '/api/v1/access', {}, { link: linkToken }, 200);
  const headers = { ...buyer.headers, 'x-hushsale-access': opened.accessToken };
  const order = await api<{ id: number }>(t, 'POST', '/api/v1/orders', { ...headers, 'idempotency-key': `buy-${Math.random()}` },
    { offerId, quantity: options.quantity ?? 1, address: { ...address, ...(options.shipTo ?? {}) } }, 201);
  await payOrder(t, buyer.headers, order.id);
  return { orderId: order.id, buyerId: buyer.principal.userId, headers };
}

/** Another promoter of the world's channel with their own link for the world's event. */
export async function anotherPromoterLink(t: TestApp, world: World, options: { mobile?: string } = {}): Promise<{ token: string; shareCode: string; linkId: string; promoterId: string; headers: Record<string, string> }> {
  const promoter = await t.signIn('promoter', options.mobile !== undefined ? { mobile: options.mobile } : {});
  await api(t, 'POST', `/api/v1/channels/${world.channelId}/promoters`, world.operator, { promoterId: promoter.principal.userId });
  const link = await api<{ token: string; shareCode: string; linkId: string }>(t, 'POST', `/api/v1/events/${world.eventId}/links`, promoter.headers, undefined, 200);
  return { ...link, promoterId: promoter.principal.userId, headers: promoter.headers };
}
