// SQLite measurements: better-sqlite3 with prepared statements, and the same work through Kysely,
// each run on a fresh WAL database in its own temp directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type Generated, type SqliteDatabase, type SqliteStatement } from 'kysely';
import {
  assert,
  HOT_OFFER_ID,
  ORDER_COLUMNS,
  orderRow,
  schemaSql,
  timedCommits,
  timestamps,
  type OrderRow,
  type RunFigure,
} from './common.ts';
import type { MeasurementTask, Workload } from './measure.ts';

export type Synchronous = 'FULL' | 'NORMAL';

export interface BenchDb {
  offers: { id: string; allocated_units: number; reserved_units: number; clearance_price_fen: number };
  orders: OrderRow & { id: Generated<number> };
}

/** Opens (or reopens) a bench database the way src/platform/db/db.ts opens the app's. */
export function openSqlite(file: string, synchronous: Synchronous): BetterSqlite3.Database {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

export function createSqliteStore(dir: string, synchronous: Synchronous): { db: BetterSqlite3.Database; file: string } {
  const file = path.join(dir, 'bench.db');
  const db = openSqlite(file, synchronous);
  for (const statement of schemaSql('sqlite')) db.exec(statement);
  return { db, file };
}

export const SQLITE_INSERT_SQL = `insert into orders (${ORDER_COLUMNS.join(', ')}) values (${ORDER_COLUMNS.map((c) => `@${c}`).join(', ')})`;
export const SQLITE_RESERVE_SQL =
  'update offers set reserved_units = reserved_units + @units where id = @id and reserved_units + @units <= allocated_units';

/** Checks what a run must have left: every order row there, and (for reservations) reserved == ordered. */
function checkSqliteRun(db: BetterSqlite3.Database, workload: Workload, run: RunFigure): void {
  const { n } = db.prepare('select count(*) as n from orders').get() as { n: number };
  assert(n === run.rows, `orders ${n} != committed ${run.rows}`);
  if (workload === 'reserve') {
    const { reserved } = db.prepare('select reserved_units as reserved from offers where id = ?').get(HOT_OFFER_ID) as {
      reserved: number;
    };
    assert(reserved === run.rows, `reserved ${reserved} != ordered ${run.rows}`);
  }
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hushsale-bench-'));
  try {
    return await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function directRun(workload: Workload, synchronous: Synchronous, rowsPerCommit: number): Promise<RunFigure> {
  return withTempDir(async (dir) => {
    const { db } = createSqliteStore(dir, synchronous);
    try {
      const insert = db.prepare(SQLITE_INSERT_SQL);
      const reserve = db.prepare(SQLITE_RESERVE_SQL);
      const commit = db.transaction((count: number, first: number) => {
        const { nowIso, deadlineIso } = timestamps();
        for (let i = 0; i < count; i += 1) {
          if (workload === 'reserve') {
            const result = reserve.run({ units: 1, id: HOT_OFFER_ID });
            assert(result.changes === 1, 'reservation refused');
          }
          insert.run(orderRow(first + i, nowIso, deadlineIso));
        }
      });
      const run = await timedCommits(rowsPerCommit, (count, first) => commit(count, first));
      checkSqliteRun(db, workload, run);
      return run;
    } finally {
      db.close();
    }
  });
}

/**
 * The statement cache src/platform/db/db.ts puts under Kysely (commit 8eb2e8e): Kysely's SQLite
 * driver prepares every query afresh, so statements are reused per SQL text. Copied, not imported,
 * so that the bench keeps measuring the same thing while the app's version evolves.
 */
function withStatementCache(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SqliteStatement {
      let statement = cache.get(sql);
      if (!statement) {
        if (cache.size >= 1000) cache.clear();
        statement = sqlite.prepare(sql) as unknown as SqliteStatement;
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/** Kysely over the same connection; `batched` writes a commit as one reservation and one multi-row insert. */
function kyselyRun(
  workload: Workload,
  synchronous: Synchronous,
  rowsPerCommit: number,
  batched: boolean,
  cached: boolean,
): Promise<RunFigure> {
  return withTempDir(async (dir) => {
    const { db: sqlite } = createSqliteStore(dir, synchronous);
    const db = new Kysely<BenchDb>({ dialect: new SqliteDialect({ database: cached ? withStatementCache(sqlite) : sqlite }) });
    const reserve = async (trx: Kysely<BenchDb>, units: number) => {
      const result = await trx
        .updateTable('offers')
        .set((eb) => ({ reserved_units: eb('reserved_units', '+', units) }))
        .where('id', '=', HOT_OFFER_ID)
        .where((eb) => eb(eb('reserved_units', '+', units), '<=', eb.ref('allocated_units')))
        .executeTakeFirst();
      assert(result.numUpdatedRows === 1n, 'reservation refused');
    };
    try {
      const run = await timedCommits(rowsPerCommit, (count, first) =>
        db.transaction().execute(async (trx) => {
          const { nowIso, deadlineIso } = timestamps();
          if (batched) {
            if (workload === 'reserve') await reserve(trx, count);
            const rows = Array.from({ length: count }, (_, i) => orderRow(first + i, nowIso, deadlineIso));
            await trx.insertInto('orders').values(rows).execute();
            return;
          }
          for (let i = 0; i < count; i += 1) {
            if (workload === 'reserve') await reserve(trx, 1);
            await trx
              .insertInto('orders')
              .values(orderRow(first + i, nowIso, deadlineIso))
              .execute();
          }
        }),
      );
      checkSqliteRun(sqlite, workload, run);
      return run;
    } finally {
      await db.destroy();
    }
  });
}

export function sqliteTasks(): MeasurementTask[] {
  const plan: {
    workload: Workload;
    synchronous: Synchronous;
    rowsPerCommit: number;
    kysely: boolean;
    batched?: boolean;
    cached?: boolean;
  }[] = [
    { workload: 'insert', synchronous: 'FULL', rowsPerCommit: 1, kysely: false },
    { workload: 'insert', synchronous: 'NORMAL', rowsPerCommit: 1, kysely: false },
    { workload: 'insert', synchronous: 'FULL', rowsPerCommit: 1000, kysely: false },
    { workload: 'insert', synchronous: 'NORMAL', rowsPerCommit: 1000, kysely: false },
    { workload: 'reserve', synchronous: 'FULL', rowsPerCommit: 1, kysely: false },
    { workload: 'reserve', synchronous: 'NORMAL', rowsPerCommit: 1, kysely: false },
    { workload: 'reserve', synchronous: 'FULL', rowsPerCommit: 500, kysely: false },
    { workload: 'reserve', synchronous: 'NORMAL', rowsPerCommit: 500, kysely: false },
    { workload: 'insert', synchronous: 'FULL', rowsPerCommit: 1, kysely: true },
    { workload: 'insert', synchronous: 'NORMAL', rowsPerCommit: 1, kysely: true },
    { workload: 'insert', synchronous: 'FULL', rowsPerCommit: 1000, kysely: true },
    { workload: 'reserve', synchronous: 'FULL', rowsPerCommit: 1, kysely: true },
    { workload: 'reserve', synchronous: 'FULL', rowsPerCommit: 500, kysely: true },
    { workload: 'insert', synchronous: 'FULL', rowsPerCommit: 1000, kysely: true, batched: true },
    { workload: 'reserve', synchronous: 'FULL', rowsPerCommit: 500, kysely: true, batched: true },
    { workload: 'insert', synchronous: 'FULL', rowsPerCommit: 1000, kysely: true, cached: true },
    { workload: 'reserve', synchronous: 'FULL', rowsPerCommit: 500, kysely: true, cached: true },
    { workload: 'reserve', synchronous: 'FULL', rowsPerCommit: 500, kysely: true, batched: true, cached: true },
  ];
  return plan.map((p) => {
    const shape = p.rowsPerCommit === 1 ? undefined : p.batched ? 'one statement per batch' : 'one statement per row';
    const note = p.cached ? `${shape}, statement cache` : shape;
    const spec = {
      engine: p.kysely ? 'sqlite+kysely' : 'sqlite',
      workload: p.workload,
      durability: p.synchronous,
      rowsPerCommit: p.rowsPerCommit,
      ...(p.kysely && note ? { note } : {}),
    } as const;
    const once = p.kysely
      ? () => kyselyRun(p.workload, p.synchronous, p.rowsPerCommit, p.batched === true, p.cached === true)
      : () => directRun(p.workload, p.synchronous, p.rowsPerCommit);
    return { spec, once };
  });
}
