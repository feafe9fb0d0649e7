// What every feature service is built from: settings, clock, database, signer, logger, jobs.
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.ts';
import type { Clock } from './clock.ts';
import type { Db, DbHandle } from './db/db.ts';
import type { Signer } from './signing.ts';
import type { Jobs } from './jobs.ts';
import type { IdempotencyGuard } from './idempotency.ts';

export interface AppContext {
  config: Config;
  clock: Clock;
  handle: DbHandle;
  db: Db;
  signer: Signer;
  log: FastifyBaseLogger;
  jobs: Jobs;
  idempotency: IdempotencyGuard;
}
