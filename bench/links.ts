// Links bench: bulk generation of promoter links and share codes for a 50,000-promoter channel, and
// resolving links and codes through the access service (`open`), cold and warm cache.
// Embedded SQLite always, PostgreSQL too when DATABASE_URL is set (a throwaway schema).
// Run: npm run bench:links   (or: node --import tsx bench/links.ts [--promoters N] [--samples N])
// Writes bench/results/links-<date>.json. A bench prints figures; it asserts correctness, never timings.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startTestApp, storesUnderTest, type StoreName, type TestApp } from '../test/harness.ts';
import { api, buildWorld } from '../test/fixtures.ts';
import { isoUtc } from '../src/platform/clock.ts';
import { newId } from '../src/platform/ids.ts';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
const RUNS = 3;
const SEED_ROWS_PER_STATEMENT = 500;

function argNumber(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} takes a positive integer`);
  return value;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;

/** Random sample without replacement, deterministic for one run (a simple LCG; the figures do not depend on it). */
function sample<T>(items: T[], n: number, seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, n);
}

async function seedPromoters(t: TestApp, channelId: string, count: number): Promise<number> {
  const startedAt = performance.now();
  const nowIso = isoUtc(t.clock.nowMs());
  const db = t.hs.ctx.db;
  for (let i = 0; i < count; i += SEED_ROWS_PER_STATEMENT) {
    const ids = Array.from({ length: Math.min(SEED_ROWS_PER_STATEMENT, count - i) }, () => newId('usr', t.clock.nowMs()));
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('users').values(ids.map((id, j) => ({ id, role: 'promoter' as const, mobile: `15${String(i + j).padStart(9, '0')}`, display_name: `推广者 ${i + j}`, store_id: null, created_at: nowIso, disabled_at: null }))).execute();
      await trx.insertInto('promoter_profiles').values(ids.map((id) => ({ user_id: id, status: 'approved' as const, status_reason: null, wechat_id: null, leader_id: null, invite_code: null, created_at: nowIso, updated_at: nowIso }))).execute();
      await trx.insertInto('channel_promoters').values(ids.map((id) => ({ channel_id: channelId, promoter_id: id, joined_at: nowIso }))).execute();
    });
  }
  return (performance.now() - startedAt) / 1000;
}

interface Resolution {
  what: string;
  cache: 'cold' | 'warm';
  ops: number;
  opsPerSec: number;
  p50Us: number;
  p99Us: number;
}

async function resolve(t: TestApp, what: string, cache: 'cold' | 'warm', inputs: Array<{ link: string } | { code: string }>, eventId: string): Promise<Resolution> {
  const latencies: number[] = [];
  const startedAt = performance.now();
  for (const input of inputs) {
    const before = performance.now();
    const opened = await t.hs.services.access.open(input, '203.0.113.7');
    latencies.push((performance.now() - before) * 1000);
    assert.equal(opened.event.id, eventId);
  }
  const seconds = (performance.now() - startedAt) / 1000;
  latencies.sort((a, b) => a - b);
  return { what, cache, ops: inputs.length, opsPerSec: Math.round(inputs.length / seconds), p50Us: Math.round(percentile(latencies, 0.5)), p99Us: Math.round(percentile(latencies, 0.99)) };
}

async function benchStore(store: StoreName, promoters: number, samples: number) {
  const t = await startTestApp(store);
  try {
    const world = await buildWorld(t, { startsInMinutes: 60 });
    process.stdout.write(`${store}: seeding ${promoters.toLocaleString('en-US')} approved promoters in one channel... `);
    const seedSeconds = await seedPromoters(t, world.channelId, promoters);
    console.log(`${seedSeconds.toFixed(1)} s`);

    const runs: Array<{ seconds: number; linksPerSec: number; created: number; batches: number }> = [];
    const eventIds: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      // A fresh event in warm-up on the same channel each run: nobody has a link for it yet.
      const event = await api<{ id: string }>(t, 'POST', '/api/v1/events', world.operator, {
        storeId: world.storeId, channelId: world.channelId, title: `Bench ${run}`,
        startsAt: new Date(t.clock.nowMs() + 2 * 3_600_000).toISOString(), endsAt: new Date(t.clock.nowMs() + 14 * 3_600_000).toISOString(),
        offers: [{ skuId: world.skuId, clearancePriceFen: 5000, allocatedUnits: 1, perBuyerLimit: 1, isHero: true }],
      }, 201);
      const startedAt = performance.now();
      const result = await t.hs.services.sharekit.bulkLinks(event.id);
      const seconds = (performance.now() - startedAt) / 1000;
      // The world's promoter is a member too (the fixtures make them one, or not).
      assert.ok(result.created === promoters || result.created === promoters + 1, `created ${result.created}`);
      runs.push({ seconds, linksPerSec: Math.round(result.created / seconds), created: result.created, batches: result.batches });
      eventIds.push(event.id);
      console.log(`  bulk run ${run + 1}: ${result.created.toLocaleString('en-US')} links in ${seconds.toFixed(2)} s (${result.batches} statements)`);
    }
    const again = await t.hs.services.sharekit.bulkLinks(eventIds[0] as string);
    assert.equal(again.created, 0);

    const eventId = eventIds[0] as string;
    const rows = await t.hs.ctx.db.selectFrom('promoter_links').select(['id', 'share_code']).where('event_id', '=', eventId).execute();
    const picked = sample(rows, Math.min(rows.length, samples * 2), 20261210);
    const forLinks = picked.slice(0, Math.floor(picked.length / 2)).map((r) => ({ link: `${r.id}.${t.hs.ctx.signer.sign('link', r.id)}` }));
    const forCodes = picked.slice(Math.floor(picked.length / 2)).map((r) => ({ code: `￥${r.share_code}￥` }));
    const resolutions = [
      await resolve(t, 'link', 'cold', forLinks, eventId),
      await resolve(t, 'link', 'warm', forLinks, eventId),
      await resolve(t, 'share code', 'cold', forCodes, eventId),
      await resolve(t, 'share code', 'warm', forCodes, eventId),
    ];
    const secondsMedian = median(runs.map((r) => r.seconds));
    return { store, promoters, seedSeconds, bulk: { runs, secondsMedian, linksPerSecMedian: median(runs.map((r) => r.linksPerSec)), batchRows: t.config.limits.bulkLinksBatchRows }, resolutions };
  } finally {
    await t.close();
  }
}

function printRows(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const promoters = argNumber('--promoters', 50_000);
  const samples = argNumber('--samples', 10_000);
  const results = [];
  for (const store of storesUnderTest()) results.push(await benchStore(store, promoters, samples));

  console.log(`\nBulk link generation, ${promoters.toLocaleString('en-US')} approved promoters, median of ${RUNS} runs`);
  printRows(['store', 'seconds (median)', 'links/s (median)', 'runs (s)', 'rows/statement'],
    results.map((r) => [r.store, r.bulk.secondsMedian.toFixed(2), r.bulk.linksPerSecMedian.toLocaleString('en-US'), r.bulk.runs.map((x) => x.seconds.toFixed(2)).join(' / '), String(r.bulk.batchRows)]));
  console.log(`\nResolving through access.open (one caller, sequential), ${samples.toLocaleString('en-US')} random links and ${samples.toLocaleString('en-US')} other random codes`);
  printRows(['store', 'what', 'cache', 'ops/s', 'p50 µs', 'p99 µs'],
    results.flatMap((r) => r.resolutions.map((x) => [r.store, x.what, x.cache, x.opsPerSec.toLocaleString('en-US'), String(x.p50Us), String(x.p99Us)])));

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const out = path.join(RESULTS_DIR, `links-${new Date().toISOString().slice(0, 10)}.json`);
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, load1: os.loadavg()[0] };
  fs.writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), machine, results }, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(path.join(BENCH_DIR, '..'), out)}`);
}

await main();
