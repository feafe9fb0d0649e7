// Another server process for the calendar race tests: a whole Hushsale on the same database,
// which says "ready", waits for "go" on stdin, makes all its calendar attempts at once and prints
// their outcomes as one JSON line. Run by test/calendar.test.ts; not a test itself.
import readline from 'node:readline';
import { buildHushsale } from '../src/app.ts';
import { loadConfig } from '../src/platform/config.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { openDatabase } from '../src/platform/db/db.ts';
import { createLogger } from '../src/platform/log.ts';

export interface WorkerInput {
  databaseUrl?: string;
  pgSchema?: string;
  dataDir: string;
  nowMs: number;
  attempts: Array<{ kind: 'hold' | 'book'; channelId: string; day: string; eventId: string; holdUntilMs: number }>;
}

const input = JSON.parse(process.argv[2] ?? '{}') as WorkerInput;
const handle = await openDatabase({
  databaseUrl: input.databaseUrl,
  dataDir: input.dataDir,
  sqliteSynchronous: 'NORMAL',
  ...(input.pgSchema !== undefined ? { pgSchema: input.pgSchema } : {}),
  pgPoolSize: 8,
});
const config = { ...loadConfig({}), dataDir: input.dataDir, databaseUrl: input.databaseUrl, logLevel: 'silent', secret: 'test-secret-test-secret-test-secret-0123456789' };
const hs = await buildHushsale({ config, clock: new ManualClock(input.nowMs), handle, logger: createLogger('silent') });
await hs.prepare();
const lines = readline.createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const line of lines) if (line.trim() === 'go') break;
const { calendar } = hs.services;
const results = await Promise.all(input.attempts.map((a) => (a.kind === 'book'
  ? calendar.bookDay(undefined, { channelId: a.channelId, day: a.day, eventId: a.eventId })
  : calendar.holdDay(undefined, { channelId: a.channelId, day: a.day, eventId: a.eventId, holdUntilMs: a.holdUntilMs }))));
process.stdout.write(`${JSON.stringify(results)}\n`);
lines.close();
await hs.close();
