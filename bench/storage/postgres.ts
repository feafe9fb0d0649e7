// PostgreSQL measurements through pg, in a throwaway schema that is dropped at the end.
// One connection, statements sent one after another: this is the latency a single writer sees.
import crypto from 'node:crypto';
import pg from 'pg';
import {
  assert,
  HOT_OFFER_ID,
  ORDER_COLUMNS,
  orderRow,
  orderValues,
  schemaSql,
  timedCommits,
  timestamps,
  type OrderRow,
  type RunFigure,
} from './common.ts';
import type { MeasurementTask, Workload } from './measure.ts';

export const PG_INSERT_SQL = `insert into orders (${ORDER_COLUMNS.join(', ')}) values (${ORDER_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) returning id`;
export const PG_RESERVE_SQL =
  'update offers set reserved_units = reserved_units + $1 where id = $2 and reserved_units + $1 <= allocated_units';

const ARRAY_TYPES: Record<(typeof ORDER_COLUMNS)[number], string> = {
  store_id: 'text[]',
  buyer_id: 'text[]',
  kind: 'text[]',
  event_id: 'text[]',
  offer_id: 'text[]',
  sku_id: 'text[]',
  promoter_id: 'text[]',
  quantity: 'int[]',
  unit_price_fen: 'bigint[]',
  total_fen: 'bigint[]',
  status: 'text[]',
  pay_deadline: 'text[]',
  address_json: 'text[]',
  created_at: 'text[]',
};

/** A whole batch of orders in one statement: one array per column, unnested server-side. */
export const PG_INSERT_BATCH_SQL =
  `insert into orders (${ORDER_COLUMNS.join(', ')}) select * from unnest(` +
  ORDER_COLUMNS.map((c, i) => `$${i + 1}::${ARRAY_TYPES[c]}`).join(', ') +
  ') returning id';

export function batchParams(rows: OrderRow[]): unknown[] {
  return ORDER_COLUMNS.map((c) => rows.map((r) => r[c]));
}

export interface PgBench {
  url: string;
  schema: string;
  client: pg.Client;
  settings: Record<string, string>;
}

export async function openPgBench(url: string): Promise<PgBench> {
  const schema = `hushsale_bench_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.query(`set search_path to ${schema}`);
  await createPgTables(client);
  const settings: Record<string, string> = {};
  for (const name of ['server_version', 'synchronous_commit', 'fsync', 'wal_sync_method', 'full_page_writes', 'commit_delay']) {
    const result = await client.query<Record<string, string>>(`show ${name}`);
    settings[name] = String(result.rows[0]?.[name]);
  }
  return { url, schema, client, settings };
}

export async function closePgBench(bench: PgBench): Promise<void> {
  try {
    await bench.client.query(`drop schema if exists ${bench.schema} cascade`);
  } finally {
    await bench.client.end();
  }
}

export async function createPgTables(client: pg.Client): Promise<void> {
  for (const statement of schemaSql('postgres')) await client.query(statement);
}

/** Empties the tables between runs; truncate keeps named prepared statements valid (a drop would not). */
export async function resetPgTables(client: pg.Client): Promise<void> {
  await client.query('truncate orders restart identity');
  await client.query('update offers set reserved_units = 0 where id = $1', [HOT_OFFER_ID]);
  await client.query('vacuum analyze offers');
}

async function checkPgRun(client: pg.Client, workload: Workload, run: RunFigure): Promise<void> {
  const orders = await client.query<{ n: number }>('select count(*)::int as n from orders');
  assert(orders.rows[0]?.n === run.rows, `orders ${orders.rows[0]?.n} != committed ${run.rows}`);
  if (workload === 'reserve') {
    const offer = await client.query<{ reserved: number }>('select reserved_units as reserved from offers where id = $1', [
      HOT_OFFER_ID,
    ]);
    assert(offer.rows[0]?.reserved === run.rows, `reserved ${offer.rows[0]?.reserved} != ordered ${run.rows}`);
  }
}

async function reserve(client: pg.Client, units: number): Promise<void> {
  const result = await client.query({ name: 'bench_reserve', text: PG_RESERVE_SQL, values: [units, HOT_OFFER_ID] });
  assert(result.rowCount === 1, 'reservation refused');
}

/** One transaction of `count` orders; `batched` writes them with one reservation and one insert statement. */
export async function commitPgOrders(
  client: pg.Client,
  workload: Workload,
  count: number,
  first: number,
  batched: boolean,
): Promise<number[]> {
  const { nowIso, deadlineIso } = timestamps();
  const ids: number[] = [];
  await client.query('begin');
  try {
    if (batched) {
      if (workload === 'reserve') await reserve(client, count);
      const rows = Array.from({ length: count }, (_, i) => orderRow(first + i, nowIso, deadlineIso));
      const result = await client.query<{ id: string }>({
        name: 'bench_insert_batch',
        text: PG_INSERT_BATCH_SQL,
        values: batchParams(rows),
      });
      for (const r of result.rows) ids.push(Number(r.id));
    } else {
      for (let i = 0; i < count; i += 1) {
        if (workload === 'reserve') await reserve(client, 1);
        const values = orderValues(orderRow(first + i, nowIso, deadlineIso));
        const result = await client.query<{ id: string }>({ name: 'bench_insert', text: PG_INSERT_SQL, values });
        ids.push(Number(result.rows[0]?.id));
      }
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
  return ids;
}

async function pgRun(bench: PgBench, workload: Workload, rowsPerCommit: number, batched: boolean): Promise<RunFigure> {
  await resetPgTables(bench.client);
  const run = await timedCommits(rowsPerCommit, async (count, first) => {
    await commitPgOrders(bench.client, workload, count, first, batched);
  });
  await checkPgRun(bench.client, workload, run);
  return run;
}

export function postgresTasks(bench: PgBench): MeasurementTask[] {
  const durability = `synchronous_commit=${bench.settings.synchronous_commit}`;
  const plan: { workload: Workload; rowsPerCommit: number; batched: boolean }[] = [
    { workload: 'insert', rowsPerCommit: 1, batched: false },
    { workload: 'insert', rowsPerCommit: 1000, batched: false },
    { workload: 'insert', rowsPerCommit: 1000, batched: true },
    { workload: 'reserve', rowsPerCommit: 1, batched: false },
    { workload: 'reserve', rowsPerCommit: 500, batched: false },
    { workload: 'reserve', rowsPerCommit: 500, batched: true },
  ];
  return plan.map((p) => {
    const note = p.rowsPerCommit === 1 ? undefined : p.batched ? 'one statement per batch' : 'one statement per row';
    const spec = {
      engine: 'postgres' as const,
      workload: p.workload,
      durability,
      rowsPerCommit: p.rowsPerCommit,
      ...(note ? { note } : {}),
    };
    return { spec, once: () => pgRun(bench, p.workload, p.rowsPerCommit, p.batched) };
  });
}
