// Crash behaviour: a child writes acknowledged orders and is SIGKILLed at a random moment; the parent
// reopens the store and checks that every acknowledged order id is there and nothing is half-written.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert, HOT_OFFER_ID, seededRandom } from './common.ts';
import { createSqliteStore, openSqlite } from './sqlite.ts';
import { resetPgTables, type PgBench } from './postgres.ts';

export const CRASH_RUNS = 5;
/** The kill lands this long after the child says it is writing: uniform in [min, max). */
const KILL_AFTER_MIN_MS = 100;
const KILL_AFTER_MAX_MS = 1_500;
/** If the child never gets ready, give up on it after this. */
const CHILD_READY_TIMEOUT_MS = 15_000;

export interface CrashRun {
  engine: 'sqlite' | 'postgres';
  durability: string;
  killAfterMs: number;
  acknowledgedBatches: number;
  acknowledged: number;
  found: number;
  missing: number;
  /** Rows present but not acknowledged: committed just before the kill, never reported. Allowed. */
  unacknowledgedPresent: number;
  /** reserved_units of the hot offer equals the order rows: no batch half-applied. */
  reservedMatchesOrders: boolean;
  integrity: string;
}

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-child.ts');

/** Runs the child until killed; returns the ids from every complete "ack" line it printed. */
function runChildUntilKilled(args: string[], killAfterMs: number): Promise<{ ids: number[]; batches: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    const ids: number[] = [];
    let batches = 0;
    let killTimer: NodeJS.Timeout | undefined;
    const readyTimer = setTimeout(() => child.kill('SIGKILL'), CHILD_READY_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line === 'ready') {
          clearTimeout(readyTimer);
          killTimer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        } else if (line.startsWith('ack ')) {
          batches += 1;
          for (const id of line.slice(4).split(' ')) ids.push(Number(id));
        }
        newline = buffered.indexOf('\n');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(readyTimer);
      clearTimeout(killTimer);
      if (signal !== 'SIGKILL') reject(new Error(`crash child ended without being killed (code ${code}, signal ${signal})`));
      else resolve({ ids, batches });
    });
  });
}

function tally(
  engine: CrashRun['engine'],
  durability: string,
  killAfterMs: number,
  acked: { ids: number[]; batches: number },
  present: Set<number>,
  reserved: number,
  integrity: string,
): CrashRun {
  const found = acked.ids.filter((id) => present.has(id)).length;
  return {
    engine,
    durability,
    killAfterMs,
    acknowledgedBatches: acked.batches,
    acknowledged: acked.ids.length,
    found,
    missing: acked.ids.length - found,
    unacknowledgedPresent: present.size - found,
    reservedMatchesOrders: reserved === present.size,
    integrity,
  };
}

async function sqliteCrashOnce(killAfterMs: number, seed: number): Promise<CrashRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hushsale-crash-'));
  try {
    const { db, file } = createSqliteStore(dir, 'FULL');
    db.close();
    const acked = await runChildUntilKilled(['sqlite', file, String(seed)], killAfterMs);
    // Reopening recovers from the WAL the killed process left behind.
    const reopened = openSqlite(file, 'FULL');
    try {
      const integrity = String(reopened.pragma('integrity_check', { simple: true }));
      const present = new Set((reopened.prepare('select id from orders').all() as { id: number }[]).map((r) => r.id));
      const { reserved } = reopened.prepare('select reserved_units as reserved from offers where id = ?').get(HOT_OFFER_ID) as {
        reserved: number;
      };
      return tally('sqlite', 'FULL', killAfterMs, acked, present, reserved, integrity);
    } finally {
      reopened.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function pgCrashOnce(bench: PgBench, killAfterMs: number, seed: number): Promise<CrashRun> {
  await resetPgTables(bench.client);
  const acked = await runChildUntilKilled(['postgres', bench.url, String(seed), bench.schema], killAfterMs);
  const rows = await bench.client.query<{ id: string }>('select id from orders');
  const present = new Set(rows.rows.map((r) => Number(r.id)));
  const offer = await bench.client.query<{ reserved: number }>('select reserved_units as reserved from offers where id = $1', [
    HOT_OFFER_ID,
  ]);
  return tally(
    'postgres',
    `synchronous_commit=${bench.settings.synchronous_commit}`,
    killAfterMs,
    acked,
    present,
    offer.rows[0]?.reserved ?? -1,
    'n/a',
  );
}

export async function crashRuns(seed: number, pgBench: PgBench | undefined): Promise<CrashRun[]> {
  const random = seededRandom(seed);
  const out: CrashRun[] = [];
  const targets: ('sqlite' | 'postgres')[] = pgBench ? ['sqlite', 'postgres'] : ['sqlite'];
  for (const engine of targets) {
    for (let i = 0; i < CRASH_RUNS; i += 1) {
      const killAfterMs = Math.round(KILL_AFTER_MIN_MS + random() * (KILL_AFTER_MAX_MS - KILL_AFTER_MIN_MS));
      const childSeed = Math.floor(random() * 2 ** 31);
      const run =
        engine === 'sqlite' ? await sqliteCrashOnce(killAfterMs, childSeed) : await pgCrashOnce(pgBench!, killAfterMs, childSeed);
      console.log(
        `  ${engine} kill ${i + 1}/${CRASH_RUNS} after ${killAfterMs} ms: acknowledged ${run.acknowledged} ` +
          `in ${run.acknowledgedBatches} batches, found ${run.found}, missing ${run.missing}, ` +
          `unacknowledged present ${run.unacknowledgedPresent}, reserved==orders ${run.reservedMatchesOrders}, integrity ${run.integrity}`,
      );
      assert(run.acknowledged > 0, 'the child was killed before acknowledging anything; the run proves nothing');
      out.push(run);
    }
  }
  return out;
}
