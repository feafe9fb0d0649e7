// Background work in the same database: periodic sweeps (expiries, event ends) and a queue of
// one-off jobs (payment notifications) claimed with a lease, FOR UPDATE SKIP LOCKED on PostgreSQL,
// so no second system is needed and a job survives a restart.
import { sql, type Kysely } from 'kysely';
import type { Database } from './db/schema.ts';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from './clock.ts';
import { isoUtc } from './clock.ts';
import type { DbHandle } from './db/db.ts';

export type JobHandler = (payload: unknown) => Promise<void>;
type Sweep = () => Promise<number>;

const LEASE_MS = 30_000;
const MAX_ATTEMPTS = 10;

export class Jobs {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly sweeps = new Map<string, Sweep>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly handle: DbHandle,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    private readonly batchMax: number,
  ) {}

  /** A task run on every tick; returns how many things it did (for logs). */
  addSweep(name: string, sweep: Sweep): void {
    this.sweeps.set(name, sweep);
  }

  on(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Queues a job to run at `runAtMs` (now by default); pass `executor` to enqueue inside a transaction. */
  async enqueue(kind: string, payload: unknown, runAtMs = this.clock.nowMs(), executor: Kysely<Database> = this.handle.db): Promise<void> {
    const now = isoUtc(this.clock.nowMs());
    await executor.insertInto('jobs').values({
      kind,
      payload_json: JSON.stringify(payload),
      run_at: isoUtc(runAtMs),
      attempts: 0,
      locked_until: null,
      done_at: null,
      last_error: null,
      created_at: now,
    }).execute();
  }

  /** Runs every sweep and every due job once; tests call this after moving the clock. */
  async runOnce(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      for (const [name, sweep] of this.sweeps) {
        try {
          const done = await sweep();
          if (done > 0) this.log.info({ sweep: name, done }, 'sweep');
        } catch (err) {
          this.log.error({ err, sweep: name }, 'sweep failed');
        }
      }
      await this.runDueJobs();
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async claimDue(): Promise<Array<{ id: number; kind: string; payload_json: string; attempts: number }>> {
    const nowMs = this.clock.nowMs();
    const now = isoUtc(nowMs);
    const leaseUntil = isoUtc(nowMs + LEASE_MS);
    const skipLocked = this.handle.dialect === 'postgres' ? sql`for update skip locked` : sql``;
    const result = await sql<{ id: number; kind: string; payload_json: string; attempts: number }>`
      update jobs set locked_until = ${leaseUntil}, attempts = attempts + 1
      where id in (
        select id from jobs
        where done_at is null and run_at <= ${now} and (locked_until is null or locked_until < ${now})
        order by run_at limit ${this.batchMax} ${skipLocked}
      )
      returning id, kind, payload_json, attempts`.execute(this.handle.db);
    return result.rows;
  }

  private async runDueJobs(): Promise<void> {
    const jobs = await this.claimDue();
    for (const job of jobs) {
      const handler = this.handlers.get(job.kind);
      const nowMs = this.clock.nowMs();
      try {
        if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
        await handler(JSON.parse(job.payload_json) as unknown);
        await this.handle.db.updateTable('jobs').set({ done_at: isoUtc(this.clock.nowMs()), locked_until: null }).where('id', '=', job.id).execute();
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const giveUp = job.attempts >= MAX_ATTEMPTS;
        // Back off: 1 s, 2 s, 4 s ... capped at 5 minutes.
        const retryAt = nowMs + Math.min(300_000, 1000 * 2 ** (job.attempts - 1));
        this.log.warn({ job: job.id, kind: job.kind, attempts: job.attempts, giveUp, error: message }, 'job failed');
        await this.handle.db.updateTable('jobs').set({
          last_error: message.slice(0, 500),
          locked_until: null,
          run_at: isoUtc(retryAt),
          ...(giveUp ? { done_at: isoUtc(nowMs) } : {}),
        }).where('id', '=', job.id).execute();
      }
    }
  }

  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      void this.runOnce();
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.running) await this.running;
  }
}
