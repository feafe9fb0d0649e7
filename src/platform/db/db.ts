// Opens the one database: embedded SQLite in the data folder by default, PostgreSQL when a URL is
// given. Feature code sees only Kysely<Database> and never asks which engine runs.
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type MigrationProvider, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { Database } from './schema.ts';
import { initialMigration } from './migrations/0001_initial.ts';
import { orderRequestKeyMigration } from './migrations/0002_order_request_key.ts';
import { channelsCalendarMigration } from './migrations/0003_channels_calendar.ts';
import { pricesFeesMigration } from './migrations/0004_prices_fees.ts';
import { lifecycleNotificationsMigration } from './migrations/0005_lifecycle_notifications.ts';
import { applicationsMigration } from './migrations/0006_applications.ts';
import { promotersLedgerMigration } from './migrations/0007_promoters_ledger.ts';
import { ledgerMigration } from './migrations/0010_ledger.ts';
import { promotersMigration } from './migrations/0008_promoters.ts';
import { storeLoopMigration } from './migrations/0011_store_loop.ts';
import { metricsMigration } from './migrations/0012_metrics.ts';
import { reviewsMigration } from './migrations/0013_reviews.ts';
import { aftersalesMigration } from './migrations/0014_aftersales.ts';

export type SqlDialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;

export interface DbHandle {
  db: Db;
  dialect: SqlDialect;
  /** Where the data lives, for logs (never includes a password). */
  location: string;
  /** The PostgreSQL schema in use, when not the default search path. */
  pgSchema?: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  sqliteSynchronous: 'FULL' | 'NORMAL';
  /** PostgreSQL schema to use (tests give each run its own); created if missing. */
  pgSchema?: string;
  pgPoolSize?: number;
}

// int8 and numeric come back from pg as strings; every such column here holds a safe integer.
pg.types.setTypeParser(20, (value) => Number(value));
pg.types.setTypeParser(1700, (value) => Number(value));

export async function openDatabase(options: OpenOptions): Promise<DbHandle> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openSqlite(options);
}

function openSqlite(options: OpenOptions): DbHandle {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const file = path.join(options.dataDir, 'hushsale.db');
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${options.sqliteSynchronous}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    dialect: 'sqlite',
    location: file,
    close: () => db.destroy(),
  };
}

const STATEMENT_CACHE_MAX = 1000;

/**
 * Kysely prepares every query afresh; compiling SQL costs more than running it on the hot path.
 * Statements are reused per SQL text (Kysely runs one query at a time on this connection).
 */
function withStatementCache(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SqliteStatement {
      let statement = cache.get(sql);
      if (!statement) {
        if (cache.size >= STATEMENT_CACHE_MAX) cache.clear();
        statement = sqlite.prepare(sql) as unknown as SqliteStatement;
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

async function openPostgres(url: string, options: OpenOptions): Promise<DbHandle> {
  const schema = options.pgSchema;
  if (schema !== undefined) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`bad schema name ${schema}`);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.pgPoolSize ?? 10,
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const safeUrl = new URL(url);
  safeUrl.password = '';
  return {
    db,
    dialect: 'postgres',
    ...(schema !== undefined ? { pgSchema: schema } : {}),
    location: `${safeUrl.host}${safeUrl.pathname}${schema ? ` (schema ${schema})` : ''}`,
    close: () => db.destroy(),
  };
}

function migrationsFor(dialect: SqlDialect): Record<string, Migration> {
  return {
    '0001_initial': initialMigration(dialect),
    '0002_order_request_key': orderRequestKeyMigration,
    '0003_channels_calendar': channelsCalendarMigration(dialect),
    '0004_prices_fees': pricesFeesMigration(dialect),
    '0005_lifecycle_notifications': lifecycleNotificationsMigration(dialect),
    '0006_applications': applicationsMigration,
    '0007_promoters_ledger': promotersLedgerMigration(dialect),
    '0008_promoters': promotersMigration,
    '0010_ledger': ledgerMigration,
    '0011_store_loop': storeLoopMigration(dialect),
    '0012_metrics': metricsMigration,
    '0013_reviews': reviewsMigration,
    '0014_aftersales': aftersalesMigration,
  };
}

/** Applies every pending migration in order; returns the names applied. Throws on failure. */
export async function migrateToLatest(handle: DbHandle): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(handle.dialect) };
  // Kysely looks for its migration tables across every schema it can see: name ours, or another
  // schema's tables would be taken for this one's.
  const migrator = new Migrator({ db: handle.db, provider, ...(handle.pgSchema !== undefined ? { migrationTableSchema: handle.pgSchema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
