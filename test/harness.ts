// Test harness: a real Hushsale on a real store (embedded SQLite always, PostgreSQL when
// DATABASE_URL is set), a manual clock, and signed-in principals made the way sessions are made.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import { buildHushsale, type Hushsale } from '../src/app.ts';
import type { App } from '../src/platform/http.ts';
import { loadConfig, type Config } from '../src/platform/config.ts';
import { ManualClock, isoUtc } from '../src/platform/clock.ts';
import { openDatabase, type DbHandle } from '../src/platform/db/db.ts';
import { createLogger } from '../src/platform/log.ts';
import { issueSessionToken, type Principal } from '../src/platform/auth.ts';
import { newId } from '../src/platform/ids.ts';
import type { Role } from '../src/platform/db/schema.ts';

export type StoreName = 'sqlite' | 'postgres';

/** The stores every integration test runs on. */
export function storesUnderTest(): StoreName[] {
  return process.env.DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface TestApp {
  hs: Hushsale;
  clock: ManualClock;
  config: Config;
  store: StoreName;
  /** Signs in a new user of `role` and returns its bearer token and principal. */
  signIn(role: Role, options?: { storeId?: string; mobile?: string; name?: string }): Promise<{ token: string; principal: Principal; headers: Record<string, string> }>;
  /** A second Hushsale on the same database and clock: another server process, as far as state goes. */
  startPeer(): Promise<Hushsale>;
  close(): Promise<void>;
}

let mobileCounter = 0;
/** A fresh, valid mainland mobile number for each call within one process. */
export function nextMobile(): string {
  mobileCounter += 1;
  return `139${String(process.pid % 10000).padStart(4, '0')}${String(mobileCounter).padStart(4, '0')}`;
}

export interface TestStore {
  handle: DbHandle;
  dataDir: string;
  /** Another connection (pool) to the same database, as a second server process would have. */
  openAnother(): Promise<DbHandle>;
  cleanup(): Promise<void>;
}

export async function openTestStore(store: StoreName): Promise<TestStore> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hushsale-test-'));
  if (store === 'sqlite') {
    const open = () => openDatabase({ databaseUrl: undefined, dataDir, sqliteSynchronous: 'NORMAL' });
    const handle = await open();
    return { handle, dataDir, openAnother: open, cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const url = process.env.DATABASE_URL as string;
  const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  const open = () => openDatabase({ databaseUrl: url, dataDir, sqliteSynchronous: 'NORMAL', pgSchema: schema, pgPoolSize: 8 });
  const handle = await open();
  return {
    handle,
    dataDir,
    openAnother: open,
    cleanup: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startTestApp(store: StoreName, overrides: Partial<Config> = {}): Promise<TestApp> {
  const testStore = await openTestStore(store);
  const { handle, cleanup, dataDir } = testStore;
  const peers: Hushsale[] = [];
  const config: Config = { ...loadConfig({}), dataDir, databaseUrl: undefined, logLevel: 'silent', secret: 'test-secret-test-secret-test-secret-0123456789', ...overrides };
  const clock = new ManualClock('2026-11-25T02:00:00.000Z');
  const hs = await buildHushsale({ config, clock, handle, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') });
  await hs.prepare();
  const signIn: TestApp['signIn'] = async (role, options = {}) => {
    const id = newId('usr', clock.nowMs());
    const mobile = role === 'promoter' || role === 'buyer' ? options.mobile ?? nextMobile() : null;
    await hs.ctx.db.insertInto('users').values({
      id,
      role,
      mobile,
      display_name: options.name ?? `${role} ${id.slice(-4)}`,
      store_id: options.storeId ?? null,
      created_at: isoUtc(clock.nowMs()),
      disabled_at: null,
    }).execute();
    // A shortcut past vetting: a promoter signed in here is approved (test/promoters.test.ts signs up for real).
    if (role === 'promoter') {
      const nowIso = isoUtc(clock.nowMs());
      await hs.ctx.db.insertInto('promoter_profiles').values({ user_id: id, status: 'approved', status_reason: null, wechat_id: null, leader_id: null, invite_code: null, created_at: nowIso, updated_at: nowIso }).execute();
    }
    const principal: Principal = { userId: id, role, storeId: options.storeId ?? null };
    const token = issueSessionToken(hs.ctx.signer, principal, clock.nowMs() + 365 * 86_400_000);
    return { token, principal, headers: { authorization: `Bearer ${token}` } };
  };
  return {
    hs,
    clock,
    config,
    store,
    signIn,
    async startPeer() {
      const peer = await buildHushsale({ config, clock, handle: await testStore.openAnother(), logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') });
      await peer.prepare();
      peers.push(peer);
      return peer;
    },
    async close() {
      for (const peer of peers) await peer.close();
      await hs.close();
      await cleanup();
    },
  };
}

/** Every method+path the app registers, read from its radix tree (HEAD twins left out). */
export function registeredRoutes(app: App): Array<{ method: string; url: string }> {
  const out: Array<{ method: string; url: string }> = [];
  const prefixes: string[] = [];
  for (const line of app.printRoutes().split('\n')) {
    const match = /^((?:│ {3}| {4})*)[└├]── (.*)$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    const node = /^(.*) \(([A-Z, ]+)\)$/.exec(match[2] ?? '');
    const segment = node ? (node[1] as string) : (match[2] as string);
    prefixes.length = depth;
    const url = (prefixes[depth - 1] ?? '') + segment;
    prefixes[depth] = url;
    for (const method of node ? (node[2] as string).split(', ') : []) if (method !== 'HEAD') out.push({ method, url });
  }
  return out;
}
