// The ledger balances at all times: random sequences (seeded, printed, replayable) of orders paid
// (with and without a promoter, with a team leader), partial refunds (and refused over-refunds),
// deliveries and shipments, clock moves and release sweeps, payout batches (created, submitted,
// paid, some transfers failing). After every step: each entry sums to zero and so does everything;
// each order's postings reconcile with its split and its refunds; each payee's balances equal what
// an independent model of released earnings and payout items says, so nothing was paid twice.
//
// Replay: LEDGER_PROPERTY_SEED=<seed> node --import tsx --test test/ledger-property.test.ts
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { api, address, buildWorld, type World } from './fixtures.ts';
import { DAY_MS, confirmPayment, deliverNotices, key, placeAndPay, promoterOf, putInTeam, refund } from './ledger-helpers.ts';
import { isoUtc } from '../src/platform/clock.ts';
import { remainingParts, splitOrder } from '../src/ledger/rules.ts';

const SEED = Number(process.env.LEDGER_PROPERTY_SEED ?? Date.now() % 2_147_483_647);
const RUNS = { sqlite: Number(process.env.LEDGER_PROPERTY_RUNS ?? 12), postgres: Number(process.env.LEDGER_PROPERTY_RUNS_PG ?? 3) };
const STEPS = 16;
const PRICES = [9_999, 12_345, 1, 777];

/** mulberry32: a small seeded generator, so a failing sequence replays exactly. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)), pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T };
}

interface Sequence {
  worlds: World[];
  /** World index -> whether its promoter has a team leader. */
  withLeader: boolean[];
  orders: Array<{ id: number; totalFen: number; refundedFen: number }>;
  log: string[];
}

async function checkInvariants(t: TestApp, where: string): Promise<void> {
  const { db } = t.hs.ctx;
  const audit = await t.hs.services.ledger.audit();
  assert.equal(audit.totalFen, 0, `${where}: all postings sum to ${audit.totalFen}`);
  assert.deepEqual(audit.unbalanced, [], `${where}: unbalanced entries`);

  const parts = await db.selectFrom('ledger_order_parts').innerJoin('orders', 'orders.id', 'ledger_order_parts.order_id')
    .select(['ledger_order_parts.order_id', 'ledger_order_parts.store_id', 'ledger_order_parts.promoter_id', 'ledger_order_parts.leader_id', 'ledger_order_parts.total_fen', 'commission_fen', 'override_fen', 'fee_fen', 'fee_gross_fen', 'merchant_fen', 'orders.refunded_fen', 'orders.released_at'])
    .execute();
  const postings = await db.selectFrom('ledger_postings').innerJoin('ledger_entries', 'ledger_entries.id', 'ledger_postings.entry_id')
    .select(['ledger_entries.order_id', 'ledger_postings.account', 'ledger_postings.owner_id', 'ledger_postings.amount_fen']).execute();
  const byOrder = new Map<number, Map<string, number>>();
  for (const p of postings) {
    if (p.order_id === null) continue;
    const accounts = byOrder.get(p.order_id) ?? new Map<string, number>();
    accounts.set(p.account, (accounts.get(p.account) ?? 0) + p.amount_fen);
    byOrder.set(p.order_id, accounts);
  }
  // The model: what each payee's available and pending balances must be, from orders alone.
  const expectAvailable = new Map<string, number>();
  const expectPending = new Map<string, number>();
  const add = (map: Map<string, number>, account: string, fen: number) => map.set(account, (map.get(account) ?? 0) + fen);
  for (const row of parts) {
    const split = { totalFen: row.total_fen, commissionFen: row.commission_fen, overrideFen: row.override_fen, feeFen: row.fee_fen, feeGrossFen: row.fee_gross_fen, merchantFen: row.merchant_fen };
    const left = remainingParts(split, row.refunded_fen);
    const accounts = byOrder.get(row.order_id) ?? new Map<string, number>();
    const sumOf = (prefix: string) => (accounts.get(`${prefix}:pending`) ?? 0) + (accounts.get(`${prefix}:available`) ?? 0);
    const what = `${where}: order ${row.order_id} (total ${row.total_fen}, refunded ${row.refunded_fen})`;
    assert.equal(accounts.get('clearing') ?? 0, row.refunded_fen - row.total_fen, `${what}: clearing`);
    assert.equal(sumOf(`merchant:${row.store_id}`), left.merchantFen, `${what}: merchant`);
    assert.equal(sumOf('platform:fee'), left.platformFen, `${what}: platform`);
    if (row.promoter_id && row.commission_fen > 0) assert.equal(sumOf(`promoter:${row.promoter_id}`), left.commissionFen, `${what}: commission`);
    if (row.leader_id) assert.equal(sumOf(`promoter:${row.leader_id}`), left.overrideFen, `${what}: override`);
    const hold = row.released_at === null ? 'pending' : 'available';
    const other = row.released_at === null ? 'available' : 'pending';
    for (const [account, fen] of accounts) if (account.endsWith(`:${other}`)) assert.equal(fen, 0, `${what}: ${account} should be empty while ${hold}`);
    const credit = (account: string, fen: number) => add(row.released_at === null ? expectPending : expectAvailable, account, fen);
    credit(`merchant:${row.store_id}`, left.merchantFen);
    if (row.promoter_id && row.commission_fen > 0) credit(`promoter:${row.promoter_id}`, left.commissionFen);
    if (row.leader_id) credit(`promoter:${row.leader_id}`, left.overrideFen);
  }
  const items = await db.selectFrom('payout_items').innerJoin('payout_batches', 'payout_batches.id', 'payout_items.batch_id')
    .select(['payout_items.payee_id', 'payout_items.amount_fen', 'payout_items.status', 'payout_batches.payee_kind', 'payout_batches.status as batch_status']).execute();
  const transit = new Map<string, number>();
  for (const item of items) {
    assert.ok(item.amount_fen > 0);
    const open = item.batch_status === 'created' || item.batch_status === 'submitted';
    assert.equal(item.status === 'pending', open, `${where}: item ${item.status} in a ${item.batch_status} batch`);
    if (item.status === 'failed') continue;
    add(expectAvailable, `${item.payee_kind}:${item.payee_id}`, -item.amount_fen);
    if (item.status === 'pending') add(transit, item.payee_id, item.amount_fen);
  }
  const balances = new Map<string, number>();
  const transitSeen = new Map<string, number>();
  for (const p of postings) {
    if (p.account === 'payouts:transit') add(transitSeen, p.owner_id as string, p.amount_fen);
    else add(balances, p.account, p.amount_fen);
  }
  for (const [payee, fen] of expectAvailable) assert.equal(balances.get(`${payee}:available`) ?? 0, fen, `${where}: ${payee} available (paid twice, or lost?)`);
  for (const [payee, fen] of expectPending) assert.equal(balances.get(`${payee}:pending`) ?? 0, fen, `${where}: ${payee} pending`);
  for (const [payee, fen] of transitSeen) assert.equal(transit.get(payee) ?? 0, fen, `${where}: ${payee} in transit`);
}

async function step(t: TestApp, rnd: ReturnType<typeof random>, seq: Sequence): Promise<void> {
  const roll = rnd.next();
  const paid = seq.orders;
  if (roll < 0.3 || paid.length === 0) {
    const w = rnd.int(0, seq.worlds.length);
    if (w === seq.worlds.length) {
      // A public-store order: no promoter, no channel fee.
      const world = seq.worlds[0] as World;
      const buyer = await t.signIn('buyer');
      const order = await api<{ id: number; totalFen: number }>(t, 'POST', '/api/v1/orders', { ...buyer.headers, 'idempotency-key': key() }, { skuId: world.skuId, quantity: 1, address }, 201);
      await confirmPayment(t, buyer.headers, order.id);
      await deliverNotices(t);
      paid.push({ id: order.id, totalFen: order.totalFen, refundedFen: 0 });
      seq.log.push(`pay public ${order.id}`);
      return;
    }
    const order = await placeAndPay(t, seq.worlds[w] as World, { quantity: rnd.int(1, 2) });
    paid.push({ id: order.id, totalFen: order.totalFen, refundedFen: 0 });
    seq.log.push(`pay world ${w} order ${order.id} ${order.totalFen}`);
    const row = await t.hs.ctx.db.selectFrom('ledger_order_parts').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();
    const expected = splitOrder({ totalFen: order.totalFen, commissionBp: 1000, feeRateBp: 600, baseFeeRateBp: 600, overrideBp: 100, promoterEarns: true, leaderEarns: seq.withLeader[w] === true });
    assert.deepEqual([row.commission_fen, row.override_fen, row.fee_fen, row.merchant_fen], [expected.commissionFen, expected.overrideFen, expected.feeFen, expected.merchantFen], `split of order ${order.id}`);
  } else if (roll < 0.55) {
    const order = rnd.pick(paid);
    const left = order.totalFen - order.refundedFen;
    const over = rnd.next() < 0.1;
    const amount = over ? left + 1 : left === 0 ? 0 : rnd.next() < 0.3 ? left : rnd.int(1, left);
    if (amount === 0) return;
    const refundId = `prop-${order.id}-${order.refundedFen}-${amount}`;
    if (over) {
      await assert.rejects(refund(t, order.id, refundId, amount), { code: 'REFUND_TOO_LARGE' });
      seq.log.push(`refuse refund ${amount} of ${order.id}`);
      return;
    }
    const result = await refund(t, order.id, refundId, amount);
    assert.ok(result.recorded);
    order.refundedFen += amount;
    seq.log.push(`refund ${amount} of ${order.id}`);
  } else if (roll < 0.75) {
    const order = rnd.pick(paid);
    const agoMs = rnd.int(0, 20) * DAY_MS;
    const delivered = rnd.next() < 0.6;
    await t.hs.ctx.db.updateTable('orders').set(delivered ? { shipped_at: isoUtc(t.clock.nowMs() - agoMs), delivered_at: isoUtc(t.clock.nowMs() - agoMs) } : { shipped_at: isoUtc(t.clock.nowMs() - agoMs) })
      .where('id', '=', order.id).where('shipped_at', 'is', null).execute();
    seq.log.push(`${delivered ? 'deliver' : 'ship'} ${order.id} ${agoMs / DAY_MS} days ago`);
  } else if (roll < 0.85) {
    t.clock.advanceMs(rnd.int(1, 6 * 60) * 60_000);
    await t.hs.ctx.jobs.runOnce();
    seq.log.push('advance and sweep');
  } else {
    const payeeKind = rnd.pick(['promoter', 'merchant'] as const);
    const operator = (seq.worlds[0] as World).operator;
    const failing = rnd.next() < 0.4 ? (payeeKind === 'promoter' ? (await promoterOf(t, rnd.pick(seq.worlds))).id : rnd.pick(seq.worlds).storeId) : null;
    if (failing) t.hs.services.payouts.sandbox.failPayee(failing, 'random failure');
    const res = await t.hs.app.inject({ method: 'POST', url: '/api/v1/payout-batches', headers: { ...operator, 'idempotency-key': key() }, payload: { payeeKind, minAmountFen: rnd.int(1, 2000) } });
    assert.ok(res.statusCode === 201 || res.json().code === 'NOTHING_TO_PAY', res.body);
    if (res.statusCode === 201 && rnd.next() < 0.8) {
      await api(t, 'POST', `/api/v1/payout-batches/${res.json().id}/submit`, { ...operator, 'idempotency-key': key() }, undefined, 200);
      await deliverNotices(t);
    }
    if (failing) t.hs.services.payouts.sandbox.failPayee(failing, null);
    seq.log.push(`payout ${payeeKind} -> ${res.statusCode}${failing ? ` failing ${failing}` : ''}`);
  }
}

for (const store of storesUnderTest()) {
  describe(`ledger property on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(store);
    });
    after(async () => t.close());

    it(`balances after every step of ${RUNS[store]} random sequences of ${STEPS} steps`, async () => {
      console.log(`ledger property seed ${SEED} on ${store} (replay: LEDGER_PROPERTY_SEED=${SEED})`);
      const rnd = random(SEED);
      for (let run = 0; run < RUNS[store]; run++) {
        const price = rnd.pick(PRICES);
        const worlds = [await buildWorld(t, { clearancePriceFen: price, durationMinutes: 7 * 24 * 60 }), await buildWorld(t, { clearancePriceFen: rnd.pick(PRICES), durationMinutes: 7 * 24 * 60 })];
        const leader = await t.signIn('promoter');
        await putInTeam(t, leader.principal.userId, (await promoterOf(t, worlds[0] as World)).id);
        const seq: Sequence = { worlds, withLeader: [true, false], orders: [], log: [] };
        for (let s = 0; s < STEPS; s++) {
          try {
            await step(t, rnd, seq);
            await checkInvariants(t, `seed ${SEED} run ${run} step ${s}`);
          } catch (err) {
            console.log(`ledger property failed: seed ${SEED} run ${run} step ${s}; steps so far:\n  ${seq.log.join('\n  ')}`);
            throw err;
          }
        }
      }
    });
  });
}
