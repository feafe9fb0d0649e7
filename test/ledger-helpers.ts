// Helpers of the ledger and payout tests: pay orders through the sandbox, shape teams, read entries.
import assert from 'node:assert/strict';
import { api, address, buyerWithAccess, type World } from './fixtures.ts';
import type { TestApp } from './harness.ts';
import { isoUtc } from '../src/platform/clock.ts';

let keyCounter = 0;
export const key = () => `ledger-key-${process.pid}-${++keyCounter}`;

/** A pending order of the world's offer for a buyer holding access (a new buyer unless given). */
export async function placeOrder(t: TestApp, world: World, options: { quantity?: number; buyer?: { headers: Record<string, string> } } = {}): Promise<{ id: number; totalFen: number; headers: Record<string, string> }> {
  const buyer = options.buyer ?? (await buyerWithAccess(t, world));
  const order = await api<{ id: number; totalFen: number }>(t, 'POST', '/api/v1/orders', { ...buyer.headers, 'idempotency-key': key() }, { offerId: world.offerId, quantity: options.quantity ?? 1, address }, 201);
  return { ...order, headers: buyer.headers };
}

/** Starts the payment and confirms it on the sandbox cashier; the notices wait in the job queue. */
export async function confirmPayment(t: TestApp, headers: Record<string, string>, orderId: number): Promise<{ paymentId: string; sandboxId: string }> {
  const payment = await api<{ payUrl: string; paymentId: string }>(t, 'POST', `/api/v1/orders/${orderId}/pay`, { ...headers, 'idempotency-key': key() }, { provider: 'sandbox' }, 200);
  const sandboxId = payment.payUrl.split('/').pop() as string;
  await api(t, 'POST', `/api/v1/sandbox/payments/${sandboxId}/confirm`, {}, undefined, 200);
  return { paymentId: payment.paymentId, sandboxId };
}

/** Lets the sandbox's notices (and any other due job) arrive. */
export async function deliverNotices(t: TestApp): Promise<void> {
  t.clock.advanceMs(t.config.sandboxNotifyDelayMs * 3 + 2000);
  await t.hs.ctx.jobs.runOnce();
}

export async function placeAndPay(t: TestApp, world: World, options: { quantity?: number; buyer?: { headers: Record<string, string> } } = {}): Promise<{ id: number; totalFen: number }> {
  const order = await placeOrder(t, world, options);
  await confirmPayment(t, order.headers, order.id);
  await deliverNotices(t);
  const row = await t.hs.ctx.db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow();
  assert.equal(row.status, 'paid');
  return order;
}

/** The promoter of the world's link. */
export async function promoterOf(t: TestApp, world: World): Promise<{ id: string; mobile: string }> {
  const row = await t.hs.ctx.db.selectFrom('promoter_links').innerJoin('users', 'users.id', 'promoter_links.promoter_id')
    .select(['users.id', 'users.mobile']).where('promoter_links.id', '=', world.link.linkId).executeTakeFirstOrThrow();
  return { id: row.id, mobile: row.mobile as string };
}

/** Makes `leaderId` a team leader and puts `memberId` in their team (directly: the team flow is the promoters feature's). */
export async function putInTeam(t: TestApp, leaderId: string, memberId: string): Promise<void> {
  const now = isoUtc(t.clock.nowMs());
  for (const id of [leaderId, memberId]) {
    await t.hs.ctx.db.insertInto('promoter_profiles').values({ user_id: id, status: 'approved', status_reason: null, wechat_id: null, leader_id: null, invite_code: null, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('user_id').doNothing()).execute();
  }
  await t.hs.ctx.db.updateTable('promoter_profiles').set({ is_leader: 1, leader_id: null }).where('user_id', '=', leaderId).execute();
  await t.hs.ctx.db.updateTable('promoter_profiles').set({ leader_id: leaderId }).where('user_id', '=', memberId).execute();
}

export async function setPromoterStatus(t: TestApp, promoterId: string, status: 'approved' | 'banned'): Promise<void> {
  const now = isoUtc(t.clock.nowMs());
  await t.hs.ctx.db.insertInto('promoter_profiles').values({ user_id: promoterId, status, status_reason: null, wechat_id: null, leader_id: null, invite_code: null, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('user_id').doNothing()).execute();
  await t.hs.ctx.db.updateTable('promoter_profiles').set({ status }).where('user_id', '=', promoterId).execute();
}

/** Postings of an order's entries by account, summed; plus the entries' kinds in order. */
export async function ledgerOfOrder(t: TestApp, orderId: number): Promise<{ kinds: string[]; byAccount: Record<string, number> }> {
  const entries = await t.hs.ctx.db.selectFrom('ledger_entries').select(['id', 'kind']).where('order_id', '=', orderId).orderBy('id').execute();
  const byAccount: Record<string, number> = {};
  if (entries.length > 0) {
    const postings = await t.hs.ctx.db.selectFrom('ledger_postings').select(['account', 'amount_fen']).where('entry_id', 'in', entries.map((e) => e.id)).execute();
    for (const p of postings) byAccount[p.account] = (byAccount[p.account] ?? 0) + p.amount_fen;
  }
  return { kinds: entries.map((e) => e.kind), byAccount };
}

/** Postings of one entry (by dedupe key) as account -> amount. */
export async function entryPostings(t: TestApp, dedupeKey: string): Promise<Record<string, number> | null> {
  const entry = await t.hs.ctx.db.selectFrom('ledger_entries').select('id').where('dedupe_key', '=', dedupeKey).executeTakeFirst();
  if (!entry) return null;
  const rows = await t.hs.ctx.db.selectFrom('ledger_postings').select(['account', 'amount_fen']).where('entry_id', '=', entry.id).execute();
  const out: Record<string, number> = {};
  for (const r of rows) out[r.account] = (out[r.account] ?? 0) + r.amount_fen;
  return out;
}

export async function refund(t: TestApp, orderId: number, refundId: string, amountFen: number) {
  return t.hs.ctx.db.transaction().execute((trx) => t.hs.services.ledger.recordRefund(trx, { orderId, refundId, amountFen, reason: 'test refund' }));
}

export async function markDelivered(t: TestApp, orderId: number, atMs = t.clock.nowMs()): Promise<void> {
  await t.hs.ctx.db.updateTable('orders').set({ shipped_at: isoUtc(atMs), delivered_at: isoUtc(atMs) }).where('id', '=', orderId).execute();
}

export async function markShipped(t: TestApp, orderId: number, atMs = t.clock.nowMs()): Promise<void> {
  await t.hs.ctx.db.updateTable('orders').set({ shipped_at: isoUtc(atMs) }).where('id', '=', orderId).execute();
}

export const DAY_MS = 86_400_000;
