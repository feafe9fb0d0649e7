// The writer that gets killed: reserves on the hot offer and inserts orders in group-commit batches,
// and only after a batch has committed prints its order ids ("ack 1 2 3") on stdout.
// Usage (from crash.ts): node --import tsx crash-child.ts sqlite <file> <seed>
//                        node --import tsx crash-child.ts postgres <url> <seed> <schema>
import fs from 'node:fs';
import pg from 'pg';
import { assert, HOT_OFFER_ID, orderRow, seededRandom, timestamps } from './common.ts';
import { openSqlite, SQLITE_INSERT_SQL, SQLITE_RESERVE_SQL } from './sqlite.ts';
import { commitPgOrders } from './postgres.ts';

/** The child stops by itself after this, so a missed kill cannot leave it running. */
const CHILD_MAX_MS = 10_000;
/** Keeps each "ack" line under PIPE_BUF (4096 bytes), so a line reaches the parent whole or not at all. */
export const CRASH_BATCH_MAX = 50;

function acknowledge(ids: number[]): void {
  fs.writeSync(1, `ack ${ids.join(' ')}\n`);
}

async function runSqlite(file: string, random: () => number): Promise<void> {
  const db = openSqlite(file, 'FULL');
  const reserve = db.prepare(SQLITE_RESERVE_SQL);
  const insert = db.prepare(SQLITE_INSERT_SQL);
  let next = 0;
  const commit = db.transaction((count: number): number[] => {
    const { nowIso, deadlineIso } = timestamps();
    const ids: number[] = [];
    for (let i = 0; i < count; i += 1) {
      assert(reserve.run({ units: 1, id: HOT_OFFER_ID }).changes === 1, 'reservation refused');
      ids.push(Number(insert.run(orderRow(next + i, nowIso, deadlineIso)).lastInsertRowid));
    }
    return ids;
  });
  fs.writeSync(1, 'ready\n');
  const start = performance.now();
  while (performance.now() - start < CHILD_MAX_MS) {
    const count = 1 + Math.floor(random() * CRASH_BATCH_MAX);
    acknowledge(commit(count));
    next += count;
    // The flush of the next batch happens on the next event-loop turn, as in the server.
    await new Promise((resolve) => setImmediate(resolve));
  }
  db.close();
}

async function runPostgres(url: string, schema: string, random: () => number): Promise<void> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  let next = 0;
  fs.writeSync(1, 'ready\n');
  const start = performance.now();
  while (performance.now() - start < CHILD_MAX_MS) {
    const count = 1 + Math.floor(random() * CRASH_BATCH_MAX);
    acknowledge(await commitPgOrders(client, 'reserve', count, next, true));
    next += count;
  }
  await client.end();
}

const [engine, target, seedText, schema] = process.argv.slice(2);
const random = seededRandom(Number(seedText));
if (engine === 'sqlite' && target) await runSqlite(target, random);
else if (engine === 'postgres' && target && schema) await runPostgres(target, schema, random);
else throw new Error(`usage: crash-child.ts sqlite <file> <seed> | postgres <url> <seed> <schema>`);
fs.writeSync(1, 'done\n');
