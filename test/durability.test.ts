// Durability with real processes (invariant 2, no lost order): `hushsale serve` runs as a child,
// is SIGKILLed at a seeded random moment of a reservation burst and restarted on the same data;
// every order acknowledged with 201 must still be there. Also: SIGTERM drains, logs mask phones and
// addresses, readiness answers 503 before migrations. Replay a run: HUSHSALE_DURABILITY_SEED=<seed>.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { Agent, request } from 'undici';
import { buildHushsale } from '../src/app.ts';
import { loadConfig } from '../src/platform/config.ts';
import { openDatabase, type DbHandle } from '../src/platform/db/db.ts';
import { createLogger } from '../src/platform/log.ts';
import { Signer } from '../src/platform/signing.ts';
import { issueSessionToken } from '../src/platform/auth.ts';
import { newId } from '../src/platform/ids.ts';
import type { Role } from '../src/platform/db/schema.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECRET = 'durability-test-secret-0123456789-abcdefghijklmn';
assert.equal(SECRET.length, 48);

// Limits: every loop and wait below is bounded by one of these.
const SQLITE_KILL_ROUNDS = 20;
const POSTGRES_KILL_ROUNDS = 5;
const REQUESTS_PER_BURST = 400;
const BUYERS_PER_BURST = 40;
const CLIENT_CONNECTIONS = 64;
const READY_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 15_000;
const REPLAYS_PER_ROUND = 20;
const API_CHECKS_PER_ROUND = 10;
const LOG_LINES_MAX = 200_000;

const seed = process.env.HUSHSALE_DURABILITY_SEED ? Number(process.env.HUSHSALE_DURABILITY_SEED) : crypto.randomInt(1, 2 ** 31);
assert.ok(Number.isSafeInteger(seed), 'HUSHSALE_DURABILITY_SEED must be an integer');
console.log(`durability: seed ${seed} (replay with HUSHSALE_DURABILITY_SEED=${seed})`);

/** mulberry32: a small seeded generator, so a failing round replays from its seed. */
function seededRandom(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The first port the kernel hands out to outgoing connections (Linux; a common default elsewhere). */
function ephemeralPortLow(): number {
  try {
    const low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isSafeInteger(low) && low > 20_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/**
 * A free port below the ephemeral range: while the server is down, a client reconnecting to an
 * ephemeral port can be given that very port and connect to itself, and the restart cannot listen.
 */
async function freePort(): Promise<number> {
  const high = ephemeralPortLow() - 1;
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = crypto.randomInt(10_000, high);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port found in 50 tries');
}

/** Every child started here, so `after` hooks can kill what a failed test left running. */
const children = new Set<ChildProcess>();

function killAllChildren(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}
process.once('exit', killAllChildren);

/** One `hushsale serve` process: its output as lines, its exit, its readiness. */
class ServerProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  constructor(readonly baseUrl: string, readonly env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['bin/hushsale.js', 'serve'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(this.child);
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let rest = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop() ?? '';
        for (const line of parts) if (this.lines.length < LOG_LINES_MAX) this.lines.push(line);
      });
      stream?.on('end', () => {
        if (rest && this.lines.length < LOG_LINES_MAX) this.lines.push(rest);
      });
    }
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        children.delete(this.child);
        resolve({ code, signal });
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async waitReady(): Promise<void> {
    const deadline = performance.now() + READY_TIMEOUT_MS;
    while (performance.now() < deadline) {
      if (!this.running) {
        const exit = await this.exited;
        throw new Error(`the server exited (${exit.signal ?? exit.code}) before it was ready:\n${this.lines.slice(-20).join('\n')}`);
      }
      try {
        const res = await fetch(`${this.baseUrl}/readyz`);
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    throw new Error(`the server was not ready within ${READY_TIMEOUT_MS} ms:\n${this.lines.slice(-20).join('\n')}`);
  }

  async waitExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the server did not exit within ${EXIT_TIMEOUT_MS} ms`)), EXIT_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.signal('SIGKILL');
    await this.waitExit();
  }
}

type StoreName = 'sqlite' | 'postgres';

/** A data folder (and, on PostgreSQL, a fresh database) that every child of one suite shares. */
interface Deployment {
  store: StoreName;
  env: NodeJS.ProcessEnv;
  baseUrl: string;
  /** The test's own connection, to check what the server wrote. */
  handle: DbHandle;
  dispose(): Promise<void>;
}

async function createDeployment(store: StoreName): Promise<Deployment> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hushsale-durability-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    PORT: String(port),
    HOST: '127.0.0.1',
    HUSHSALE_DATA_DIR: dataDir,
    HUSHSALE_SECRET: SECRET,
    LOG_LEVEL: 'warn',
  };
  let databaseUrl: string | undefined;
  let dropDatabase = async () => {};
  if (store === 'postgres') {
    const adminUrl = process.env.DATABASE_URL as string;
    const name = `hs_dur_${crypto.randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`create database ${name}`);
    } finally {
      await admin.end();
    }
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    env.DATABASE_URL = databaseUrl;
    dropDatabase = async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    };
  }
  const handle = await openDatabase({ databaseUrl, dataDir, sqliteSynchronous: 'FULL', pgPoolSize: 2 });
  return {
    store,
    env,
    baseUrl: `http://127.0.0.1:${port}`,
    handle,
    async dispose() {
      killAllChildren();
      await handle.close();
      await dropDatabase();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function createOperatorKey(env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['bin/hushsale.js', 'create-operator', '--name', 'Durability'], { cwd: repoRoot, env, timeout: 30_000 });
  const match = /API key: (hsk_\S+)/.exec(stdout);
  assert.ok(match?.[1], `create-operator printed no key:\n${stdout}`);
  return match[1];
}

interface HttpAnswer {
  status: number;
  body: unknown;
  text: string;
}

async function call(baseUrl: string, method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: unknown, dispatcher?: Agent): Promise<HttpAnswer> {
  const res = await request(`${baseUrl}${url}`, {
    method,
    headers: { ...headers, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}),
    ...(dispatcher ? { dispatcher } : {}),
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: parseJsonLine(text), text };
}

async function expectJson<T>(baseUrl: string, method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload: unknown, status: number): Promise<T> {
  const answer = await call(baseUrl, method, url, headers, payload);
  assert.equal(answer.status, status, `${method} ${url} -> ${answer.status} ${answer.text}`);
  return answer.body as T;
}

const signer = new Signer(SECRET);

/** A session token signed like the server signs them (same secret). Buyer routes check only the role. */
function mintToken(role: Role, userId: string): string {
  return issueSessionToken(signer, { userId, role, storeId: null }, Date.now() + 86_400_000);
}

interface World {
  operator: Record<string, string>;
  eventId: string;
  /** A roomy offer that never sells out, and a small one that does within a few rounds. */
  offers: Array<{ id: string; allocated: number }>;
  linkToken: string;
  accessToken: string;
}

/** Operator, merchant, products, channel, event, promoter link and access: all through HTTP. */
async function buildWorld(baseUrl: string, operatorKey: string): Promise<World> {
  const operator = { authorization: `Bearer ${operatorKey}` };
  const merchant = await expectJson<{ store: { id: string }; apiKey: { key: string } }>(baseUrl, 'POST', '/api/v1/merchants', operator,
    { storeName: '耐久品牌', storeSlug: `durable-${crypto.randomBytes(3).toString('hex')}`, displayName: 'Brand staff' }, 201);
  const storeId = merchant.store.id;
  const merchantHeaders = { authorization: `Bearer ${merchant.apiKey.key}` };
  const product = await expectJson<{ skus: Array<{ id: string }> }>(baseUrl, 'POST', `/api/v1/stores/${storeId}/products`, merchantHeaders, {
    title: '羽绒服 Down jacket',
    description: 'Warm.',
    imageUrl: 'https://img.example.com/jacket.jpg',
    skus: [
      { code: 'DUR-BIG', attributes: { 颜色: '黑' }, publicPriceFen: 99_900, stockUnits: 1_000_000 },
      { code: 'DUR-SMALL', attributes: { 颜色: '白' }, publicPriceFen: 99_900, stockUnits: 10_000 },
    ],
  }, 201);
  const [big, small] = product.skus.map((s) => s.id);
  assert.ok(big && small);
  const channel = await expectJson<{ id: string }>(baseUrl, 'POST', '/api/v1/channels', operator, { name: '男装', vertical: 'menswear' }, 201);
  const nowMs = Date.now();
  const offers = [
    { skuId: big, clearancePriceFen: 12_345, allocatedUnits: 500_000, perBuyerLimit: 10_000, isHero: true },
    { skuId: small, clearancePriceFen: 23_456, allocatedUnits: 1_500, perBuyerLimit: 10_000 },
  ];
  const event = await expectJson<{ id: string; offers: Array<{ id: string; skuId: string }> }>(baseUrl, 'POST', '/api/v1/events', operator, {
    storeId,
    channelId: channel.id,
    title: '耐久清仓 Durability clearance',
    startsAt: new Date(nowMs - 60_000).toISOString(),
    endsAt: new Date(nowMs + 6 * 3_600_000).toISOString(),
    offers,
  }, 201);
  const promoter = await expectJson<{ promoter: { id: string } }>(baseUrl, 'POST', '/api/v1/promoters', operator, { mobile: '13700000001', displayName: '推广者' }, 201);
  const promoterHeaders = { authorization: `Bearer ${mintToken('promoter', promoter.promoter.id)}` };
  // Links go only to members of the event's channel.
  await expectJson(baseUrl, 'POST', `/api/v1/channels/${channel.id}/promoters`, operator, { promoterId: promoter.promoter.id }, 201);
  const link = await expectJson<{ token: string }>(baseUrl, 'POST', `/api/v1/events/${event.id}/links`, promoterHeaders, undefined, 200);
  const opened = await expectJson<{ accessToken: string }>(baseUrl, 'POST', '/api/v1/access', {}, { link: link.token }, 200);
  return {
    operator,
    eventId: event.id,
    offers: offers.map((o) => ({ id: event.offers.find((e) => e.skuId === o.skuId)?.id as string, allocated: o.allocatedUnits })),
    linkToken: link.token,
    accessToken: opened.accessToken,
  };
}

const shippingAddress = { name: '张三', mobile: '13800138000', province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路 1 号' };

interface Attempt {
  buyerId: string;
  headers: Record<string, string>;
  body: { offerId: string; quantity: number; address: typeof shippingAddress };
  key: string;
  answer?: HttpAnswer;
  error?: string;
}

interface AcknowledgedOrder {
  id: number;
  buyerId: string;
  offerId: string;
  quantity: number;
  key: string;
}

/** Plans a burst: random buyers, offers and quantities, from the round's own generator. */
function planBurst(world: World, random: () => number, label: string, count: number): Attempt[] {
  const buyers = Array.from({ length: BUYERS_PER_BURST }, () => {
    const buyerId = newId('usr', Date.now());
    return { buyerId, headers: { authorization: `Bearer ${mintToken('buyer', buyerId)}`, 'x-hushsale-access': world.accessToken } };
  });
  return Array.from({ length: count }, (_, i) => {
    const buyer = buyers[Math.floor(random() * buyers.length)] as (typeof buyers)[number];
    const offer = world.offers[random() < 0.7 ? 0 : 1] as World['offers'][number];
    return {
      buyerId: buyer.buyerId,
      headers: buyer.headers,
      body: { offerId: offer.id, quantity: 1 + Math.floor(random() * 3), address: shippingAddress },
      key: `dur-${seed}-${label}-${i}`,
    };
  });
}

/** Fires every attempt at once over a bounded pool; calls `onAnswer` with the count answered so far. */
async function fireBurst(baseUrl: string, attempts: Attempt[], onAnswer: (answered: number) => void): Promise<void> {
  const agent = new Agent({ connections: CLIENT_CONNECTIONS, headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS });
  let answered = 0;
  try {
    await Promise.all(attempts.map(async (attempt) => {
      try {
        attempt.answer = await call(baseUrl, 'POST', '/api/v1/orders', { ...attempt.headers, 'idempotency-key': attempt.key }, attempt.body, agent);
        answered += 1;
        onAnswer(answered);
      } catch (error) {
        attempt.error = error instanceof Error ? `${error.name}: ${(error as { code?: string }).code ?? error.message}` : String(error);
      }
    }));
  } finally {
    await agent.destroy();
  }
}

function acknowledged(attempts: Attempt[]): AcknowledgedOrder[] {
  const out: AcknowledgedOrder[] = [];
  for (const a of attempts) {
    if (a.answer?.status !== 201) continue;
    const order = a.answer.body as { id: number; quantity: number; offerId: string };
    assert.equal(order.quantity, a.body.quantity);
    assert.equal(order.offerId, a.body.offerId);
    out.push({ id: order.id, buyerId: a.buyerId, offerId: a.body.offerId, quantity: a.body.quantity, key: a.key });
  }
  return out;
}

/** Every acknowledged order is in the database as acknowledged, with its idempotent answer beside it. */
async function assertOrdersDurable(handle: DbHandle, orders: AcknowledgedOrder[], context: string): Promise<void> {
  const db = handle.db;
  for (let i = 0; i < orders.length; i += 500) {
    const chunk = orders.slice(i, i + 500);
    const rows = await db.selectFrom('orders').select(['id', 'buyer_id', 'offer_id', 'quantity', 'status']).where('id', 'in', chunk.map((o) => o.id)).execute();
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    for (const order of chunk) {
      const row = byId.get(order.id);
      assert.ok(row, `${context}: acknowledged order ${order.id} is missing after the restart (seed ${seed})`);
      assert.equal(row.buyer_id, order.buyerId, `${context}: order ${order.id} buyer`);
      assert.equal(row.offer_id, order.offerId, `${context}: order ${order.id} offer`);
      assert.equal(row.quantity, order.quantity, `${context}: order ${order.id} quantity`);
      assert.notEqual(row.status, 'cancelled', `${context}: order ${order.id} was cancelled`);
    }
    const keys = await db.selectFrom('idempotency_keys').select(['principal', 'key', 'response_json'])
      .where('key', 'in', chunk.map((o) => o.key)).execute();
    const byKey = new Map(keys.map((k) => [`${k.principal} ${k.key}`, k]));
    for (const order of chunk) {
      const stored = byKey.get(`${order.buyerId} ${order.key}`);
      assert.ok(stored, `${context}: the idempotent answer of order ${order.id} is missing`);
      assert.equal((JSON.parse(stored.response_json) as { id: number }).id, order.id);
    }
  }
}

/** Reserved units match the orders that hold them, the buyers' holdings, and the allocation. */
async function assertOffersBalance(handle: DbHandle, world: World, context: string): Promise<void> {
  const db = handle.db;
  for (const offer of world.offers) {
    const row = await db.selectFrom('offers').select(['reserved_units', 'allocated_units']).where('id', '=', offer.id).executeTakeFirstOrThrow();
    const held = await db.selectFrom('orders').select((eb) => eb.fn.sum<number>('quantity').as('units'))
      .where('offer_id', '=', offer.id).where('status', '!=', 'cancelled').executeTakeFirstOrThrow();
    const holdings = await db.selectFrom('buyer_holdings').select((eb) => eb.fn.sum<number>('units').as('units'))
      .where('offer_id', '=', offer.id).executeTakeFirstOrThrow();
    assert.equal(row.reserved_units, Number(held.units ?? 0), `${context}: offer ${offer.id} reserved_units vs its orders`);
    assert.equal(row.reserved_units, Number(holdings.units ?? 0), `${context}: offer ${offer.id} reserved_units vs buyer holdings`);
    assert.ok(row.reserved_units <= row.allocated_units, `${context}: offer ${offer.id} oversold ${row.reserved_units} > ${row.allocated_units}`);
  }
}

interface Totals {
  rounds: number;
  attempts: number;
  acknowledged: number;
  unanswered: number;
  replayed: number;
  apiChecked: number;
}

/** Resends some unanswered attempts with their keys: a retry after a crash replays or reserves once. */
async function replayUnanswered(baseUrl: string, attempts: Attempt[], random: () => number, totals: Totals): Promise<AcknowledgedOrder[]> {
  const unanswered = attempts.filter((a) => !a.answer);
  const picked = unanswered.filter(() => random() < REPLAYS_PER_ROUND / Math.max(unanswered.length, 1)).slice(0, REPLAYS_PER_ROUND);
  const out: AcknowledgedOrder[] = [];
  for (const a of picked) {
    const answer = await call(baseUrl, 'POST', '/api/v1/orders', { ...a.headers, 'idempotency-key': a.key }, a.body);
    assert.ok([200, 201, 409].includes(answer.status), `replay of ${a.key} -> ${answer.status} ${answer.text}`);
    totals.replayed += 1;
    if (answer.status === 409) {
      assert.equal((answer.body as { code: string }).code, 'SOLD_OUT');
      continue;
    }
    const order = answer.body as { id: number; quantity: number };
    assert.equal(order.quantity, a.body.quantity);
    out.push({ id: order.id, buyerId: a.buyerId, offerId: a.body.offerId, quantity: a.body.quantity, key: a.key });
  }
  return out;
}

/** The restarted server serves acknowledged orders to their buyers. */
async function assertServedBack(baseUrl: string, attempts: Attempt[], totals: Totals): Promise<void> {
  const sample = attempts.filter((a) => a.answer?.status === 201).slice(0, API_CHECKS_PER_ROUND);
  for (const a of sample) {
    const order = a.answer?.body as { id: number };
    const served = await expectJson<{ id: number; quantity: number; status: string }>(baseUrl, 'GET', `/api/v1/orders/${order.id}`, a.headers, undefined, 200);
    assert.equal(served.quantity, a.body.quantity);
    assert.equal(served.status, 'pending_payment');
    totals.apiChecked += 1;
  }
}

/** A refusal is a JSON error: ours ({code, message}) or Fastify's while closing ({statusCode, error}). */
function assertProperAnswer(answer: HttpAnswer, context: string): void {
  if (answer.status === 201) {
    assert.equal(typeof (answer.body as { id?: unknown }).id, 'number', `${context}: 201 without an order id: ${answer.text}`);
    return;
  }
  assert.ok(answer.status >= 400 && answer.status < 600, `${context}: unexpected status ${answer.status} ${answer.text}`);
  assert.notEqual(answer.status, 500, `${context}: an internal error: ${answer.text}`);
  const body = answer.body as { code?: unknown; error?: unknown } | null;
  assert.ok(body && (typeof body.code === 'string' || typeof body.error === 'string'), `${context}: not a JSON error: ${answer.status} ${answer.text}`);
}

function parseJsonLine(line: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

function storesUnderTest(): StoreName[] {
  return process.env.DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

for (const store of storesUnderTest()) {
  describe(`durability of hushsale serve on ${store}`, () => {
    let deployment: Deployment;
    let world: World;
    let server: ServerProcess;

    const start = async (env: NodeJS.ProcessEnv = deployment.env): Promise<ServerProcess> => {
      const started = new ServerProcess(deployment.baseUrl, env);
      await started.waitReady();
      return started;
    };

    before(async () => {
      deployment = await createDeployment(store);
      const operatorKey = await createOperatorKey(deployment.env);
      server = await start();
      world = await buildWorld(deployment.baseUrl, operatorKey);
    });

    after(async () => {
      killAllChildren();
      await deployment?.dispose();
    });

    it('keeps every acknowledged order when the server is SIGKILLed mid-burst', { timeout: 240_000 }, async (t) => {
      const rounds = store === 'sqlite' ? SQLITE_KILL_ROUNDS : POSTGRES_KILL_ROUNDS;
      const random = seededRandom(seed ^ (store === 'sqlite' ? 0 : 0x5bd1e995));
      const totals: Totals = { rounds: 0, attempts: 0, acknowledged: 0, unanswered: 0, replayed: 0, apiChecked: 0 };
      const allAcknowledged: AcknowledgedOrder[] = [];
      const statuses: Record<string, number> = {};
      const startedAt = performance.now();
      for (let round = 1; round <= rounds; round++) {
        const context = `${store} round ${round} (seed ${seed})`;
        const attempts = planBurst(world, random, `${store}-${round}`, REQUESTS_PER_BURST);
        const killAfter = Math.floor(REQUESTS_PER_BURST * (0.05 + 0.85 * random()));
        const victim = server;
        let restarted: ServerProcess | undefined;
        await fireBurst(deployment.baseUrl, attempts, (answered) => {
          if (answered !== killAfter) return;
          victim.signal('SIGKILL');
          // The restart starts loading code at once; it opens the data and listens seconds later.
          restarted = new ServerProcess(deployment.baseUrl, deployment.env);
        });
        if (!restarted) victim.signal('SIGKILL');
        const exit = await victim.waitExit();
        assert.ok(restarted, `${context}: the burst ended before the kill moment (${killAfter} answers)`);
        assert.equal(exit.signal, 'SIGKILL', `${context}: the server ended by ${exit.signal ?? exit.code} before the kill`);
        server = restarted;
        await server.waitReady();
        const acked = acknowledged(attempts);
        await assertOrdersDurable(deployment.handle, acked, context);
        await assertOffersBalance(deployment.handle, world, context);
        await assertServedBack(deployment.baseUrl, attempts, totals);
        const replayed = await replayUnanswered(deployment.baseUrl, attempts, random, totals);
        await assertOrdersDurable(deployment.handle, replayed, `${context} replays`);

        allAcknowledged.push(...acked, ...replayed);
        totals.rounds += 1;
        totals.attempts += attempts.length;
        totals.acknowledged += acked.length;
        totals.unanswered += attempts.filter((a) => !a.answer).length;
        for (const [status, n] of Object.entries(countBy(attempts, (a) => String(a.answer?.status ?? 'none')))) statuses[status] = (statuses[status] ?? 0) + n;
        assert.ok(acked.length > 0 || round > 1, `${context}: nothing was acknowledged before the kill`);
      }
      // Every order acknowledged in any round is still there after all the later crashes.
      await assertOrdersDurable(deployment.handle, allAcknowledged, `${store} after ${rounds} rounds (seed ${seed})`);
      await assertOffersBalance(deployment.handle, world, `${store} after ${rounds} rounds`);
      assert.equal(new Set(allAcknowledged.map((o) => o.id)).size, allAcknowledged.length, 'an order id was acknowledged twice');
      const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
      t.diagnostic(`${store}: ${totals.rounds} SIGKILL rounds, ${totals.attempts} attempts, ${totals.acknowledged} acknowledged orders checked after restart ` +
        `(+${allAcknowledged.length - totals.acknowledged} from ${totals.replayed} replays), ${totals.unanswered} unanswered, ${totals.apiChecked} read back through the API, ` +
        `statuses ${JSON.stringify(statuses)}, ${seconds} s, seed ${seed}`);
    });

    it('drains on SIGTERM: exits 0, every answer is proper, every 201 survives', { timeout: 60_000 }, async (t) => {
      const random = seededRandom(seed ^ 0x2545f491);
      const attempts = planBurst(world, random, `${store}-term`, REQUESTS_PER_BURST);
      const termAfter = Math.floor(REQUESTS_PER_BURST * (0.1 + 0.6 * random()));
      const draining = server;
      assert.ok(draining.running, 'the server is up before the burst');
      let termSent = false;
      await fireBurst(deployment.baseUrl, attempts, (answered) => {
        if (answered !== termAfter) return;
        draining.signal('SIGTERM');
        termSent = true;
      });
      assert.ok(termSent, `the burst ended before the SIGTERM moment (${termAfter} answers)`);
      const exit = await draining.waitExit();
      assert.deepEqual(exit, { code: 0, signal: null }, `SIGTERM exit (seed ${seed}):\n${draining.lines.slice(-20).join('\n')}`);
      for (const a of attempts) if (a.answer) assertProperAnswer(a.answer, `${store} SIGTERM ${a.key}`);
      assert.ok(draining.lines.every((line) => !/"level":(50|60)/.test(line)), `errors logged while draining:\n${draining.lines.join('\n')}`);

      // The restart logs at info level: the next test reads its lines.
      server = await start({ ...deployment.env, LOG_LEVEL: 'info' });
      const acked = acknowledged(attempts);
      await assertOrdersDurable(deployment.handle, acked, `${store} SIGTERM`);
      await assertOffersBalance(deployment.handle, world, `${store} SIGTERM`);
      await assertServedBack(deployment.baseUrl, attempts, { rounds: 0, attempts: 0, acknowledged: 0, unanswered: 0, replayed: 0, apiChecked: 0 });
      const statuses = countBy(attempts, (a) => (a.answer ? `${a.answer.status}${(a.answer.body as { code?: string } | null)?.code ? ` ${(a.answer.body as { code: string }).code}` : ''}` : 'none'));
      t.diagnostic(`${store}: SIGTERM after ${termAfter} answers; ${acked.length} acknowledged orders checked; answers ${JSON.stringify(statuses)}`);
    });

    it('never logs a phone number or an address in clear, and tags request lines with their reqId', { timeout: 60_000 }, async () => {
      if (!server.running || server.env.LOG_LEVEL !== 'info') {
        await server.stop();
        server = await start({ ...deployment.env, LOG_LEVEL: 'info' });
      }
      const logged = server;
      const base = deployment.baseUrl;
      const signInMobile = '13912345678';
      const recipientMobile = '13587654321';
      const promoterMobile = '13766554433';
      const street = '梧桐巷 4417 号 Wutong Lane';
      const secrets = [signInMobile, recipientMobile, promoterMobile, street, '梧桐巷', 'Wutong Lane'];

      await expectJson(base, 'POST', '/api/v1/auth/otp/request', {}, { mobile: signInMobile, role: 'buyer' }, 200);
      let code: string | undefined;
      for (let i = 0; i < 100 && !code; i++) {
        code = logged.lines.map((line) => parseJsonLine(line)?.devCode).find((c): c is string => typeof c === 'string');
        if (!code) await sleep(50);
      }
      assert.ok(code, 'the development SMS sender logged no code');
      const wrong = await call(base, 'POST', '/api/v1/auth/otp/verify', {}, { mobile: signInMobile, role: 'buyer', code: code === '000000' ? '111111' : '000000' });
      assert.equal((wrong.body as { code?: string }).code, 'OTP_INVALID');
      const session = await expectJson<{ token: string }>(base, 'POST', '/api/v1/auth/otp/verify', {}, { mobile: signInMobile, role: 'buyer', code }, 200);
      const buyer = { authorization: `Bearer ${session.token}`, 'x-hushsale-access': world.accessToken };
      await expectJson(base, 'POST', '/api/v1/promoters', world.operator, { mobile: promoterMobile, displayName: '另一位推广者' }, 201);

      const address = { name: '王五', mobile: recipientMobile, province: '浙江省', city: '杭州市', district: '西湖区', detail: street };
      const requestId = `durability-${crypto.randomBytes(6).toString('hex')}`;
      const order = await expectJson<{ id: number }>(base, 'POST', '/api/v1/orders', { ...buyer, 'idempotency-key': `log-${requestId}`, 'x-request-id': requestId },
        { offerId: world.offers[0]?.id, quantity: 1, address }, 201);
      await expectJson(base, 'GET', `/api/v1/orders/${order.id}`, buyer, undefined, 200);
      await expectJson(base, 'POST', '/api/v1/orders', { ...buyer, 'idempotency-key': `bad-${requestId}` },
        { offerId: world.offers[0]?.id, quantity: 1, address: { ...address, mobile: `${recipientMobile}9` } }, 400);
      // A browser without the page's script submits its forms by GET: the fields land in the URL.
      const cookie = { cookie: `hs_session=${session.token}` };
      const form = new URLSearchParams({ quantity: '1', ...address }).toString();
      await call(base, 'GET', `/checkout?${form}`, cookie);
      await call(base, 'GET', `/login?${new URLSearchParams({ mobile: signInMobile, code: '123456' }).toString()}`, {});

      logged.signal('SIGTERM');
      assert.deepEqual(await logged.waitExit(), { code: 0, signal: null });

      const needles = secrets.flatMap((s) => [s, encodeURIComponent(s), encodeURIComponent(s).replace(/%20/g, '+')]);
      const lines = logged.lines.filter((line) => line.trim() !== '');
      assert.ok(lines.length > 10, 'the info-level run logged too little to judge');
      let requestLines = 0;
      for (const line of lines) {
        const parsed = parseJsonLine(line);
        assert.ok(parsed, `a log line is not JSON: ${line}`);
        for (const needle of needles) assert.ok(!line.includes(needle), `a log line carries "${needle}" in clear: ${line}`);
        if ('req' in parsed || 'res' in parsed || parsed.msg === 'incoming request' || parsed.msg === 'request completed') {
          assert.equal(typeof parsed.reqId, 'string', `a request log line has no reqId: ${line}`);
          requestLines += 1;
        }
      }
      assert.ok(requestLines >= 10, `too few request lines: ${requestLines}`);
      assert.ok(lines.some((line) => line.includes(`"reqId":"${requestId}"`)), 'the caller-given request id is the reqId in the logs');
      assert.ok(lines.some((line) => line.includes('139****5678')), 'the SMS line names the number masked');
    });
  });
}

describe('readiness before migrations (in process)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hushsale-ready-'));
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('answers /healthz 200, /readyz 503 NOT_READY and every other route 503 until prepare() has run', async () => {
    const config = { ...loadConfig({}), dataDir, databaseUrl: undefined, secret: SECRET, logLevel: 'silent' };
    const hs = await buildHushsale({ config, logger: createLogger('silent') });
    try {
      const health = await hs.app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(health.statusCode, 200);
      assert.deepEqual(health.json(), { status: 'ok' });
      const ready = await hs.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 503);
      assert.equal(ready.json().code, 'NOT_READY');
      const others = [
        { method: 'GET' as const, url: '/api/v1/me' },
        { method: 'POST' as const, url: '/api/v1/orders', payload: { offerId: 'off_x', quantity: 1, address: shippingAddress } },
        { method: 'POST' as const, url: '/api/v1/access', payload: { code: 'ABCDEFGH' } },
        { method: 'GET' as const, url: '/openapi.json' },
        { method: 'GET' as const, url: '/login' },
        { method: 'GET' as const, url: '/no-such-route' },
      ];
      for (const r of others) {
        const res = await hs.app.inject(r);
        assert.equal(res.statusCode, 503, `${r.method} ${r.url} -> ${res.statusCode} ${res.body}`);
        assert.equal(res.json().code, 'NOT_READY');
      }
      await hs.prepare();
      assert.equal((await hs.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
      assert.equal((await hs.app.inject({ method: 'GET', url: '/api/v1/me' })).statusCode, 401, 'after migrations the routes answer for themselves');
    } finally {
      await hs.close();
    }
  });
});
