// Storage bench: the figures behind the storage choice (docs/architecture.md), measured on this machine.
// SQLite direct and through Kysely, PostgreSQL when DATABASE_URL is set (127.0.0.1 only), and a crash test.
// Run: npm run bench:storage   (or: node --import tsx bench/storage.ts [--seed N])
// Writes bench/results/storage-<date>.json. A bench prints figures; it asserts correctness, never timings.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import {
  localPostgresUrl,
  MAX_ROWS_PER_RUN,
  probeMachine,
  RUN_BUDGET_MS,
  RUNS_PER_MEASUREMENT,
  type MachineProbe,
} from './storage/common.ts';
import { label, measureInterleaved, type Measurement } from './storage/measure.ts';
import { sqliteTasks } from './storage/sqlite.ts';
import { closePgBench, openPgBench, postgresTasks, type PgBench } from './storage/postgres.ts';
import { crashRuns, CRASH_RUNS, type CrashRun } from './storage/crash.ts';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
/** DESIGN.md, "Measured on this machine kind": PGlite on disk, 1,000 rows per transaction. */
const PGLITE_DESIGN_FIGURE = '~11k rows/s (PGlite on disk, 1,000 rows per transaction; DESIGN.md, not re-measured)';

function packageVersion(name: string): string {
  try {
    // Read from the file: some packages (kysely) do not export their package.json.
    const file = path.join(BENCH_DIR, '..', 'node_modules', name, 'package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

function parseSeed(argv: string[]): number {
  const at = argv.indexOf('--seed');
  const seed = at >= 0 ? Number(argv[at + 1]) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed)) throw new Error('--seed takes an integer');
  return seed;
}

function printTable(measurements: Measurement[]): void {
  const header = ['engine', 'workload', 'durability', 'rows/tx', 'rows/s (median)', 'min-max', 'commits/s', 'ms/commit'];
  const rows = measurements.map((m) => [
    m.engine + (m.note ? ` (${m.note})` : ''),
    m.workload === 'insert' ? 'insert order' : 'reserve + order',
    m.durability,
    String(m.rowsPerCommit),
    m.rowsPerSecMedian.toLocaleString('en-US'),
    `${m.rowsPerSecMin.toLocaleString('en-US')}-${m.rowsPerSecMax.toLocaleString('en-US')}`,
    m.commitsPerSecMedian.toLocaleString('en-US'),
    m.msPerCommitMedian.toFixed(3),
  ]);
  printRows(header, rows);
}

function printCrashTable(runs: CrashRun[]): void {
  const header = [
    'engine',
    'durability',
    'kill after ms',
    'acknowledged',
    'found',
    'missing',
    'unacked present',
    'reserved==orders',
    'integrity',
  ];
  printRows(
    header,
    runs.map((r) => [
      r.engine,
      r.durability,
      String(r.killAfterMs),
      String(r.acknowledged),
      String(r.found),
      String(r.missing),
      String(r.unacknowledgedPresent),
      String(r.reservedMatchesOrders),
      r.integrity,
    ]),
  );
}

function describeProbe(p: MachineProbe): string {
  return (
    `fdatasync 4 KiB median ${p.fdatasyncMedianMs} ms (p90 ${p.fdatasyncP90Ms} ms, ${p.samples} samples), ` +
    `load average ${p.loadAverage1m} on ${os.cpus().length} cpus, io pressure avg10 ${p.ioPressureSomeAvg10 ?? 'n/a'}%`
  );
}

function printRows(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  const started = performance.now();
  const seed = parseSeed(process.argv.slice(2));
  const pgUrl = localPostgresUrl(process.env.DATABASE_URL);
  const sqliteVersion = (new BetterSqlite3(':memory:').prepare('select sqlite_version() as v').get() as { v: string }).v;
  console.log(
    `storage bench: ${os.cpus().length} cpus (${os.cpus()[0]?.model}), node ${process.version}, SQLite ${sqliteVersion}, ` +
      `seed ${seed}, ${RUNS_PER_MEASUREMENT} runs of <= ${RUN_BUDGET_MS} ms each, temp dir ${os.tmpdir()}`,
  );

  const probeAtStart = probeMachine(os.tmpdir());
  console.log(`machine now: ${describeProbe(probeAtStart)}`);
  let pgBench: PgBench | undefined;
  if (pgUrl) {
    pgBench = await openPgBench(pgUrl);
    console.log(
      `PostgreSQL ${pgBench.settings.server_version} via pg on 127.0.0.1, throwaway schema ${pgBench.schema}, ` +
        `synchronous_commit=${pgBench.settings.synchronous_commit}, fsync=${pgBench.settings.fsync}:`,
    );
  } else {
    console.log('PostgreSQL: skipped (DATABASE_URL not set)');
  }
  const pgliteVersion = packageVersion('@electric-sql/pglite');
  console.log(
    `PGlite: ${pgliteVersion === 'not installed' ? `not installed, skipped; ${PGLITE_DESIGN_FIGURE}` : `installed (${pgliteVersion}) but not measured by this bench`}`,
  );

  let measurements: Measurement[];
  let crash: CrashRun[];
  try {
    console.log(
      'SQLite in WAL mode (better-sqlite3 prepared statements, and the same through Kysely)' +
        (pgBench ? ', PostgreSQL via pg:' : ':'),
    );
    measurements = await measureInterleaved([...sqliteTasks(), ...(pgBench ? postgresTasks(pgBench) : [])]);
    console.log(
      `Crash: ${CRASH_RUNS} SIGKILLs of a group-commit writer per store, then reopen and look for every acknowledged id:`,
    );
    crash = await crashRuns(seed, pgBench);
  } finally {
    if (pgBench) await closePgBench(pgBench);
  }

  console.log('\nThroughput (median of runs; one connection / one writer; rows = orders):');
  printTable(measurements);
  console.log('\nCrash (SIGKILL at a random moment; "missing" must be 0):');
  printCrashTable(crash);
  const missing = crash.reduce((sum, r) => sum + r.missing, 0);
  const halfApplied = crash.filter((r) => !r.reservedMatchesOrders || (r.engine === 'sqlite' && r.integrity !== 'ok')).length;
  console.log(
    `\ncrash total: ${crash.reduce((s, r) => s + r.acknowledged, 0)} acknowledged, ${missing} missing, ${halfApplied} runs half-applied or corrupt`,
  );

  const probeAtEnd = probeMachine(os.tmpdir());
  console.log(`machine at start: ${describeProbe(probeAtStart)}\nmachine at end:   ${describeProbe(probeAtEnd)}`);

  const date = new Date().toISOString().slice(0, 10);
  const out = path.join(RESULTS_DIR, `storage-${date}.json`);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const result = {
    date: new Date().toISOString(),
    command: `npm run bench:storage${pgUrl ? ' (DATABASE_URL=postgres://…@127.0.0.1)' : ''} -- --seed ${seed}`,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      totalMemMiB: Math.round(os.totalmem() / 2 ** 20),
      platform: `${os.platform()} ${os.release()}`,
      node: process.version,
      tmpdir: os.tmpdir(),
    },
    probeAtStart,
    probeAtEnd,
    versions: {
      sqlite: sqliteVersion,
      betterSqlite3: packageVersion('better-sqlite3'),
      kysely: packageVersion('kysely'),
      pg: packageVersion('pg'),
      pglite: pgliteVersion,
      postgres: pgBench?.settings.server_version ?? 'not measured',
    },
    postgresSettings: pgBench?.settings ?? null,
    limits: {
      runBudgetMs: RUN_BUDGET_MS,
      runsPerMeasurement: RUNS_PER_MEASUREMENT,
      maxRowsPerRun: MAX_ROWS_PER_RUN,
      crashRuns: CRASH_RUNS,
    },
    seed,
    measurements: measurements.map((m) => ({ label: label(m), ...m })),
    crash,
    crashSummary: { acknowledged: crash.reduce((s, r) => s + r.acknowledged, 0), missing, halfApplied },
    pglite:
      pgliteVersion === 'not installed'
        ? { skipped: true, designFigure: PGLITE_DESIGN_FIGURE }
        : { skipped: true, installed: pgliteVersion },
    durationMs: Math.round(performance.now() - started),
  };
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), out)} in ${(result.durationMs / 1000).toFixed(1)} s`);
  if (missing > 0 || halfApplied > 0) process.exitCode = 1;
}

await main();
