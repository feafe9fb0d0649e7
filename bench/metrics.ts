// Metrics bench: an event with N paid orders (100,000 by default) spread over a 12-hour window, plus
// public-store orders, and the time each metrics query takes: hour buckets grouped in SQL
// (substr(paid_at, 1, 13)) against fetching the paid rows and bucketing them in JavaScript, the
// stream's fingerprint and summary, and the whole event metrics answer through HTTP.
// Embedded SQLite always, PostgreSQL too when DATABASE_URL is set (a throwaway schema).
// Run: node --import tsx bench/metrics.ts [--orders N] [--cover]. --cover adds a covering index of the
// event's paid orders first (measured, not adopted: docs/metrics.md). Prints figures; asserts correctness, never timings.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { performance } from 'node:perf_hooks';
import { startTestApp, storesUnderTest, type StoreName } from '../test/harness.ts';
import { api, buildWorld } from '../test/fixtures.ts';
import { isoUtc } from '../src/platform/clock.ts';
import * as store from '../src/metrics/store.ts';
import { hourBuckets, type HourTally } from '../src/metrics/rules.ts';

const RUNS = 5;
const ROWS_PER_STATEMENT = 500;
const at = process.argv.indexOf('--orders');
const ORDERS = at >= 0 ? Number(process.argv[at + 1]) : 100_000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function timed<T>(what: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const samples: number[] = [];
  let result: T | undefined;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    result = await what();
    samples.push(performance.now() - started);
  }
  return { ms: Math.round(median(samples) * 10) / 10, result: result as T };
}

async function run(name: StoreName): Promise<Record<string, number>> {
  const t = await startTestApp(name);
  try {
    const world = await buildWorld(t, { allocatedUnits: 1, durationMinutes: 12 * 60 });
    const startsAtMs = t.clock.nowMs();
    const db = t.hs.ctx.db;
    const seedStarted = performance.now();
    for (let done = 0; done < ORDERS; done += ROWS_PER_STATEMENT) {
      const rows = [];
      for (let i = done; i < Math.min(ORDERS, done + ROWS_PER_STATEMENT); i++) {
        const paidMs = startsAtMs + Math.floor((i / ORDERS) * 12 * 3_600_000);
        const isPublic = i % 10 === 0;
        rows.push({
          store_id: world.storeId, buyer_id: `usr_bench_${i % 60_000}`, kind: isPublic ? 'public' as const : 'event' as const,
          event_id: isPublic ? null : world.eventId, offer_id: isPublic ? null : world.offerId, sku_id: world.skuId,
          promoter_id: isPublic ? null : `usr_promoter_${i % 5000}`, link_id: null, quantity: 1 + (i % 2),
          unit_price_fen: 12_345, total_fen: 12_345 * (1 + (i % 2)), status: 'paid' as const, pay_deadline: isoUtc(paidMs),
          address_json: '{}', created_at: isoUtc(paidMs - 1000), paid_at: isoUtc(paidMs), cancelled_at: null, cancel_reason: null,
          request_key: null, shipped_at: null, delivered_at: null, carrier: null, tracking_no: null, address_key: null,
          is_new_customer: i % 3 === 0 ? null : i % 3,
        });
      }
      await db.insertInto('orders').values(rows).execute();
    }
    const seedMs = performance.now() - seedStarted;
    const eventOrders = ORDERS - Math.ceil(ORDERS / 10);
    if (process.argv.includes('--cover')) {
      await sql`create index bench_cover on orders (event_id, paid_at, offer_id, quantity, refunded_units, total_fen, refunded_fen, buyer_id, is_new_customer) where paid_at is not null`.execute(db);
      await sql`analyze`.execute(db);
    }

    const sqlHours = await timed(() => store.eventHours(db, world.eventId));
    const jsHours = await timed(async () => {
      const rows = await db.selectFrom('orders').select(['paid_at', 'quantity', 'refunded_units', 'total_fen', 'refunded_fen'])
        .where('event_id', '=', world.eventId).where('paid_at', 'is not', null).execute();
      const byHour = new Map<string, HourTally>();
      for (const r of rows) {
        const hour = (r.paid_at as string).slice(0, 13);
        const tally = byHour.get(hour) ?? { utcHour: hour, orders: 0, units: 0, gmvFen: 0 };
        tally.orders += 1;
        tally.units += Number(r.quantity) - Number(r.refunded_units);
        tally.gmvFen += Number(r.total_fen) - Number(r.refunded_fen);
        byHour.set(hour, tally);
      }
      return [...byHour.values()];
    });
    const endsAtMs = startsAtMs + 12 * 3_600_000;
    const fromSql = hourBuckets(sqlHours.result, startsAtMs, endsAtMs);
    assert.deepEqual(hourBuckets(jsHours.result, startsAtMs, endsAtMs), fromSql, 'both ways give the same hours');
    assert.equal(fromSql.reduce((s, h) => s + h.orders, 0), eventOrders);

    const fingerprint = await timed(() => store.eventFingerprint(db, world.eventId));
    const summary = await timed(() => t.hs.services.metrics.eventSummary(world.eventId));
    assert.equal(summary.result.totals.orders, eventOrders);
    const offers = await timed(() => store.eventOffers(db, world.eventId));
    const promoters = await timed(() => store.eventPromoters(db, world.eventId));
    const full = await timed(() => api(t, 'GET', `/api/v1/events/${world.eventId}/metrics`, world.operator, undefined, 200));
    const day = isoUtc(startsAtMs).slice(0, 10);
    const storeMonth = await timed(() => api(t, 'GET', `/api/v1/stores/${world.storeId}/metrics?to=${day}`, world.operator, undefined, 200));
    return {
      orders: ORDERS, seedMs: Math.round(seedMs), sqlHoursMs: sqlHours.ms, jsHoursMs: jsHours.ms, fingerprintMs: fingerprint.ms,
      summaryMs: summary.ms, offersWithSellOutMs: offers.ms, promotersMs: promoters.ms, eventMetricsHttpMs: full.ms, storeMetrics30dHttpMs: storeMonth.ms,
    };
  } finally {
    await t.close();
  }
}

for (const name of storesUnderTest()) {
  console.log(name, JSON.stringify(await run(name)));
}
