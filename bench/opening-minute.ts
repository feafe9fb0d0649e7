// The opening minute of a hot event, driven through real HTTP on 127.0.0.1 (issue 6, first cut):
// 20 SKUs whose allocations sum to 20,000 units, 100,000 buyers. The server runs as `hushsale serve`
// on core 0 (taskset), the load generator is wrk (Debian's) on core 1, so neither starves the other.
// Steps, each measured alone so its throughput and latency are its own:
//   1. ceiling: the same server answering GET /healthz;
//   2. link opens: POST /api/v1/access with a promoter's link;
//   3. reservations: buyers in turn, POST /api/v1/orders on one of the offers, for a fixed time (wrk
//      cannot stop at a count); a buyer's second turn replays the first answer (Idempotency-Key).
// Afterwards the database is checked: units reserved never exceed an allocation, no stock below
// zero, every acknowledged (201) order is in the database. Paying is not driven yet (next cut).
// Run: npm run bench -- [--buyers N] [--connections 256,1024] [--seconds S] [--reserve-seconds S]
// Writes bench/results/opening-minute-<date>.json. It prints figures; it asserts invariants, not timings.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { buildHushsale } from '../src/app.ts';
import { loadConfig } from '../src/platform/config.ts';
import { systemClock, isoUtc } from '../src/platform/clock.ts';
import { createLogger } from '../src/platform/log.ts';
import { issueSessionToken } from '../src/platform/auth.ts';
import { newId } from '../src/platform/ids.ts';
import { openDatabase } from '../src/platform/db/db.ts';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH_DIR);
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
const SKUS = 20;
const UNITS = 20_000;
const SEED_ROWS = 500;

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}
const buyers = Number(arg('--buyers', '100000'));
const connectionSets = arg('--connections', '256,1024').split(',').map(Number);
const seconds = Number(arg('--seconds', '10'));
const reserveSeconds = Number(arg('--reserve-seconds', '30'));
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Seeded {
  eventId: string;
  offerIds: string[];
  linkToken: string;
  tokensFile: string;
}

/** A store, a channel, a live event of 20 offers, an approved promoter's link, and `count` signed-in buyers. */
async function seed(dataDir: string, count: number): Promise<Seeded> {
  const config = { ...loadConfig({}), dataDir, logLevel: 'silent', secret: SECRET };
  const hs = await buildHushsale({ config, clock: systemClock, logger: createLogger('silent') });
  await hs.prepare();
  const db = hs.ctx.db;
  const nowMs = systemClock.nowMs();
  const nowIso = isoUtc(nowMs);
  const staff = async (role: 'operator' | 'merchant' | 'promoter', storeId: string | null) => {
    const id = newId('usr', nowMs);
    await db.insertInto('users').values({ id, role, mobile: role === 'promoter' ? '13912345678' : null, display_name: role, store_id: storeId, created_at: nowIso, disabled_at: null }).execute();
    return { id, headers: { authorization: `Bearer ${issueSessionToken(hs.ctx.signer, { userId: id, role, storeId }, nowMs + 86_400_000)}` } };
  };
  const call = async <T>(method: 'POST' | 'GET', url: string, headers: Record<string, string>, payload?: object): Promise<T> => {
    const res = await hs.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json() as T;
  };
  const operator = await staff('operator', null);
  const merchant = await call<{ store: { id: string } }>('POST', '/api/v1/merchants', operator.headers, { storeName: '北岸', storeSlug: `bench-${process.pid}`, displayName: 'Bench' });
  const storeId = merchant.store.id;
  const product = await call<{ skus: Array<{ id: string }> }>('POST', `/api/v1/stores/${storeId}/products`, operator.headers, {
    title: '羽绒服', skus: Array.from({ length: SKUS }, (_, i) => ({ code: `B-${i}`, attributes: { 尺码: String(i) }, publicPriceFen: 99_900, stockUnits: 5_000 })),
  });
  const channel = await call<{ id: string }>('POST', '/api/v1/channels', operator.headers, { name: '男装', vertical: 'menswear' });
  const event = await call<{ id: string; offers: Array<{ id: string }> }>('POST', '/api/v1/events', operator.headers, {
    storeId, channelId: channel.id, title: '开场一分钟', startsAt: new Date(nowMs - 60_000).toISOString(), endsAt: new Date(nowMs + 6 * 3_600_000).toISOString(),
    offers: product.skus.map((sku, i) => ({ skuId: sku.id, clearancePriceFen: 12_345, allocatedUnits: UNITS / SKUS, perBuyerLimit: 2, isHero: i < 3 })),
  });
  const promoter = await staff('promoter', null);
  await db.insertInto('promoter_profiles').values({ user_id: promoter.id, status: 'approved', status_reason: null, wechat_id: null, leader_id: null, invite_code: null, created_at: nowIso, updated_at: nowIso }).execute();
  await call('POST', `/api/v1/channels/${channel.id}/promoters`, operator.headers, { promoterId: promoter.id });
  const link = await call<{ token: string }>('POST', `/api/v1/events/${event.id}/links`, promoter.headers);
  const tokens: string[] = [];
  for (let i = 0; i < count; i += SEED_ROWS) {
    const rows = Array.from({ length: Math.min(SEED_ROWS, count - i) }, (_, j) => ({
      id: newId('usr', nowMs), role: 'buyer' as const, mobile: `17${String(i + j).padStart(9, '0')}`, display_name: `买家 ${i + j}`, store_id: null, created_at: nowIso, disabled_at: null,
    }));
    await db.insertInto('users').values(rows).execute();
    for (const row of rows) tokens.push(issueSessionToken(hs.ctx.signer, { userId: row.id, role: 'buyer', storeId: null }, nowMs + 86_400_000));
  }
  const tokensFile = path.join(dataDir, 'buyer-tokens.txt');
  fs.writeFileSync(tokensFile, `${tokens.join('\n')}\n`);
  await hs.close();
  return { eventId: event.id, offerIds: event.offers.map((o) => o.id), linkToken: link.token, tokensFile };
}

async function startServer(dataDir: string, port: number) {
  const child = spawn('taskset', ['-c', '0', process.execPath, path.join(ROOT, 'bin/hushsale.js'), 'serve'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', HUSHSALE_DATA_DIR: dataDir, HUSHSALE_SECRET: SECRET, LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return child;
    } catch { /* not yet listening */ }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error('the server did not become ready within 120 s');
}

/** Peak resident memory of a process, from /proc (kB -> MiB). */
function peakRssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

const LUA_COMMON = `
threads = {}
counter = 0
codes = {}
function setup(thread) thread:set("id", #threads) table.insert(threads, thread) end
function response(status, headers, body)
  local code = tostring(status)
  if status >= 400 then code = code .. " " .. (string.match(body, '"code":"([A-Z_]+)"') or "?") end
  codes[code] = (codes[code] or 0) + 1
end
function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do for k, v in pairs(t:get("codes")) do all[k] = (all[k] or 0) + v end end
  local parts = {}
  for k, v in pairs(all) do table.insert(parts, string.format('"%s":%d', k, v)) end
  io.write(string.format('BENCH {"requests":%d,"durationUs":%d,"p50":%d,"p99":%d,"p999":%d,"max":%d,"socketErrors":%d,"codes":{%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, table.concat(parts, ",")))
end
`;

const LUA_OPEN = `${LUA_COMMON}
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.body = '{"link":"' .. os.getenv("LINK") .. '"}'
`;

const LUA_RESERVE = `${LUA_COMMON}
function init(args)
  tokens = {}
  for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
  offers = {}
  for o in string.gmatch(os.getenv("OFFERS"), "[^,]+") do offers[#offers + 1] = o end
  nthreads = tonumber(os.getenv("THREADS"))
end
function request()
  local i = id + counter * nthreads + 1
  counter = counter + 1
  if i > #tokens then i = ((i - 1) % #tokens) + 1 end
  local body = string.format('{"offerId":"%s","quantity":1,"address":{"name":"张三","mobile":"13800138000","province":"浙江省","city":"杭州市","district":"西湖区","detail":"文三路 1 号"}}', offers[(i % #offers) + 1])
  return wrk.format("POST", "/api/v1/orders", {
    ["content-type"] = "application/json", ["authorization"] = "Bearer " .. tokens[i],
    ["x-hushsale-access"] = os.getenv("ACCESS"), ["idempotency-key"] = "bench-buyer-" .. i }, body)
end
`;

interface WrkResult {
  requests: number;
  durationUs: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  socketErrors: number;
  codes: Record<string, number>;
}

function wrk(script: string, url: string, connections: number, durationS: number, env: Record<string, string>): WrkResult & { perSecond: number } {
  const file = path.join(os.tmpdir(), `hushsale-bench-${process.pid}-${Math.random().toString(36).slice(2)}.lua`);
  fs.writeFileSync(file, script);
  const threads = 2;
  const run = spawnSync('taskset', ['-c', '1', 'wrk', `-t${threads}`, `-c${connections}`, `-d${durationS}s`, '--timeout', '10s', '-s', file, url], {
    env: { ...process.env, ...env, THREADS: String(threads) }, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024,
  });
  fs.rmSync(file, { force: true });
  const line = run.stdout.split('\n').find((l) => l.startsWith('BENCH '));
  if (!line) throw new Error(`wrk printed no result: ${run.stdout}\n${run.stderr}`);
  const result = JSON.parse(line.slice(6)) as WrkResult;
  return { ...result, perSecond: result.requests / (result.durationUs / 1e6) };
}

async function checkInvariants(dataDir: string, acknowledged: number) {
  const handle = await openDatabase({ databaseUrl: undefined, dataDir, sqliteSynchronous: 'FULL' });
  try {
    const offers = await handle.db.selectFrom('offers').select(['id', 'allocated_units', 'reserved_units']).execute();
    const over = offers.filter((o) => o.reserved_units > o.allocated_units);
    const negative = await handle.db.selectFrom('skus').select('id').where('stock_units', '<', 0).execute();
    const orders = await handle.db.selectFrom('orders').select(sql<number>`count(*)`.as('n')).where('status', '=', 'pending_payment').executeTakeFirstOrThrow();
    const reserved = offers.reduce((sum, o) => sum + o.reserved_units, 0);
    const span = await handle.db.selectFrom('orders').select([sql<string>`min(created_at)`.as('first'), sql<string>`max(created_at)`.as('last')]).executeTakeFirstOrThrow();
    return {
      reservedUnits: reserved, allocationUnits: offers.reduce((sum, o) => sum + o.allocated_units, 0), offersOverAllocation: over.length,
      skusBelowZero: negative.length, ordersInDatabase: Number(orders.n), acknowledged,
      sellOutSeconds: span.first && span.last ? (Date.parse(span.last) - Date.parse(span.first)) / 1000 : null,
    };
  } finally {
    await handle.close();
  }
}

async function main(): Promise<void> {
  if (spawnSync('which', ['wrk']).status !== 0) throw new Error('wrk is not installed: apt-get install -y wrk');
  const results: Record<string, unknown>[] = [];
  for (const connections of connectionSets) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hushsale-bench-'));
    log(`\n== ${connections} connections: seeding ${buyers} buyers, ${SKUS} offers, ${UNITS} units ...`);
    const seeded = await seed(dataDir, buyers);
    const port = 4100 + connections % 1000;
    const server = await startServer(dataDir, port);
    const base = `http://127.0.0.1:${port}`;
    try {
      log('   ceiling: GET /healthz ...');
      const ceiling = wrk(LUA_COMMON, `${base}/healthz`, connections, seconds, {});
      log('   link opens: POST /api/v1/access ...');
      const opens = wrk(LUA_OPEN, `${base}/api/v1/access`, connections, seconds, { LINK: seeded.linkToken });
      const access = await (await fetch(`${base}/api/v1/access`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ link: seeded.linkToken }) })).json() as { accessToken: string };
      log(`   reservations: ${buyers} buyers in turn for ${reserveSeconds} s (a buyer's second turn replays the first answer) ...`);
      const reserve = wrk(LUA_RESERVE, `${base}/api/v1/orders`, connections, reserveSeconds, { TOKENS: seeded.tokensFile, OFFERS: seeded.offerIds.join(','), ACCESS: access.accessToken });
      const memoryMiB = peakRssMiB(server.pid as number);
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
      const invariants = await checkInvariants(dataDir, reserve.codes['201'] ?? 0);
      assert.ok(invariants.offersOverAllocation === 0 && invariants.skusBelowZero === 0, 'oversold');
      assert.equal(invariants.ordersInDatabase, invariants.acknowledged, 'an acknowledged order is missing');
      assert.equal(invariants.reservedUnits, Math.min(UNITS, invariants.acknowledged), 'units reserved differ from orders acknowledged');
      results.push({ connections, ceiling, opens, reserve, memoryMiB, invariants });
      const ms = (us: number) => (us / 1000).toFixed(1);
      log(`   ${'step'.padEnd(14)} ${'req/s'.padStart(9)} ${'ratio'.padStart(6)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'p99.9 ms'.padStart(9)}  answers`);
      for (const [name, r] of [['ceiling', ceiling], ['link opens', opens], ['reservations', reserve]] as const) {
        log(`   ${name.padEnd(14)} ${r.perSecond.toFixed(0).padStart(9)} ${(r.perSecond / ceiling.perSecond).toFixed(2).padStart(6)} ${ms(r.p50).padStart(7)} ${ms(r.p99).padStart(7)} ${ms(r.p999).padStart(9)}  ${JSON.stringify(r.codes)}`);
      }
      log(`   sold ${invariants.reservedUnits}/${invariants.allocationUnits} units in ${invariants.sellOutSeconds ?? '-'} s; ${invariants.ordersInDatabase} orders in the database = ${invariants.acknowledged} acknowledged; peak server memory ${memoryMiB.toFixed(0)} MiB`);
    } finally {
      if (server.exitCode === null) server.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const out = path.join(RESULTS_DIR, `opening-minute-${new Date().toISOString().slice(0, 10)}.json`);
  fs.writeFileSync(out, `${JSON.stringify({ machine: { cpus: os.cpus().length, node: process.version }, buyers, skus: SKUS, units: UNITS, results }, null, 2)}\n`);
  log(`\nwrote ${path.relative(ROOT, out)}`);
}

await main();
