// Shared pieces of the storage bench: the small schema (the shapes of offers and orders), order rows,
// a bounded timing loop, medians, a seeded random source and a probe of how busy the machine is.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Hard limits so that every measurement ends: by time, and by count as a second guard. */
export const RUN_BUDGET_MS = 800;
export const RUNS_PER_MEASUREMENT = 3;
export const MAX_ROWS_PER_RUN = 5_000_000;

export const HOT_OFFER_ID = 'of_hot';
/** Large enough that the hot-row runs never sell out, so every attempt measures a real reservation. */
export const HOT_ALLOCATED_UNITS = 1_000_000_000;

/** One DDL for both engines; `idType` differs (SQLite rowid alias vs PostgreSQL bigserial). */
export function schemaSql(engine: 'sqlite' | 'postgres'): string[] {
  const idType = engine === 'postgres' ? 'bigserial' : 'integer';
  return [
    `create table offers (
       id text primary key,
       allocated_units integer not null,
       reserved_units integer not null default 0,
       clearance_price_fen bigint not null,
       constraint offers_reserved_within_allocation check (reserved_units >= 0 and reserved_units <= allocated_units),
       constraint offers_price_positive check (clearance_price_fen > 0))`,
    `create table orders (
       id ${idType} primary key,
       store_id text not null,
       buyer_id text not null,
       kind text not null,
       event_id text,
       offer_id text,
       sku_id text not null,
       promoter_id text,
       quantity integer not null,
       unit_price_fen bigint not null,
       total_fen bigint not null,
       status text not null,
       pay_deadline text not null,
       address_json text not null,
       created_at text not null,
       constraint orders_quantity_positive check (quantity > 0))`,
    'create index orders_pending_deadline on orders (status, pay_deadline)',
    'create index orders_buyer on orders (buyer_id, id)',
    `insert into offers (id, allocated_units, reserved_units, clearance_price_fen) values ('${HOT_OFFER_ID}', ${HOT_ALLOCATED_UNITS}, 0, 9900)`,
  ];
}

export const ORDER_COLUMNS = [
  'store_id',
  'buyer_id',
  'kind',
  'event_id',
  'offer_id',
  'sku_id',
  'promoter_id',
  'quantity',
  'unit_price_fen',
  'total_fen',
  'status',
  'pay_deadline',
  'address_json',
  'created_at',
] as const;

export interface OrderRow {
  store_id: string;
  buyer_id: string;
  kind: string;
  event_id: string;
  offer_id: string;
  sku_id: string;
  promoter_id: string;
  quantity: number;
  unit_price_fen: number;
  total_fen: number;
  status: string;
  pay_deadline: string;
  address_json: string;
  created_at: string;
}

const ADDRESS_JSON = JSON.stringify({
  name: '张三',
  mobile: '13900000000',
  region: '上海市 浦东新区',
  line: '世纪大道 100 号 1 栋 101',
});

/** An order of one unit of the hot offer; only the buyer and promoter vary, as in a burst. */
export function orderRow(n: number, nowIso: string, deadlineIso: string): OrderRow {
  return {
    store_id: 'st_bench',
    buyer_id: `by_${n}`,
    kind: 'clearance',
    event_id: 'ev_bench',
    offer_id: HOT_OFFER_ID,
    sku_id: 'sk_bench',
    promoter_id: `pr_${n % 50_000}`,
    quantity: 1,
    unit_price_fen: 9900,
    total_fen: 9900,
    status: 'pending',
    pay_deadline: deadlineIso,
    address_json: ADDRESS_JSON,
    created_at: nowIso,
  };
}

export function orderValues(row: OrderRow): (string | number)[] {
  return ORDER_COLUMNS.map((c) => row[c]);
}

export function timestamps(): { nowIso: string; deadlineIso: string } {
  const now = new Date();
  return { nowIso: now.toISOString(), deadlineIso: new Date(now.getTime() + 15 * 60_000).toISOString() };
}

export interface RunFigure {
  rows: number;
  commits: number;
  elapsedMs: number;
}

/**
 * Runs `commitOne(rowsInThisCommit, firstRowNumber)` until the time budget or the row cap is reached.
 * Each call is one transaction; the loop never starts a commit past the budget.
 */
export async function timedCommits(
  rowsPerCommit: number,
  commitOne: (rows: number, first: number) => Promise<void> | void,
): Promise<RunFigure> {
  const start = performance.now();
  let rows = 0;
  let commits = 0;
  let elapsedMs = 0;
  while (rows + rowsPerCommit <= MAX_ROWS_PER_RUN && elapsedMs < RUN_BUDGET_MS) {
    await commitOne(rowsPerCommit, rows);
    rows += rowsPerCommit;
    commits += 1;
    elapsedMs = performance.now() - start;
  }
  return { rows, commits, elapsedMs };
}

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** mulberry32: small, fast, seedable; enough to place kills and size batches reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** Only a PostgreSQL on 127.0.0.1 is ever touched by the bench. */
export function localPostgresUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const parsed = new URL(url);
  if (parsed.hostname !== '127.0.0.1' || parsed.searchParams.has('host')) {
    throw new Error(`DATABASE_URL must point at 127.0.0.1 for the bench (got host ${parsed.hostname})`);
  }
  return url;
}

export interface MachineProbe {
  /** Median and 90th percentile of one 4 KiB append + fdatasync in the temp dir: the floor under a durable commit. */
  fdatasyncMedianMs: number;
  fdatasyncP90Ms: number;
  samples: number;
  loadAverage1m: number;
  /** Linux pressure stall information for I/O ("some avg10"), when the kernel offers it. */
  ioPressureSomeAvg10: number | null;
}

const PROBE_MAX_SAMPLES = 200;
const PROBE_BUDGET_MS = 300;

/** How busy the shared box and its disk are right now, so the figures can be read in context. */
export function probeMachine(dir: string): MachineProbe {
  const file = path.join(dir, `fsync-probe-${process.pid}`);
  const fd = fs.openSync(file, 'a');
  const page = Buffer.alloc(4096, 1);
  const latencies: number[] = [];
  const start = performance.now();
  try {
    while (latencies.length < PROBE_MAX_SAMPLES && performance.now() - start < PROBE_BUDGET_MS) {
      const t0 = performance.now();
      fs.writeSync(fd, page);
      fs.fdatasyncSync(fd);
      latencies.push(performance.now() - t0);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
  latencies.sort((a, b) => a - b);
  let ioPressureSomeAvg10: number | null = null;
  try {
    const match = /some avg10=([\d.]+)/.exec(fs.readFileSync('/proc/pressure/io', 'utf8'));
    if (match) ioPressureSomeAvg10 = Number(match[1]);
  } catch {
    // Not Linux, or no PSI: leave it out.
  }
  return {
    fdatasyncMedianMs: Number(median(latencies).toFixed(3)),
    fdatasyncP90Ms: Number(latencies[Math.floor(latencies.length * 0.9)]!.toFixed(3)),
    samples: latencies.length,
    loadAverage1m: Number(os.loadavg()[0]!.toFixed(2)),
    ioPressureSomeAvg10,
  };
}
