// All settings, read once from the environment. Every limit has a name here.
import path from 'node:path';

export interface Limits {
  /** Largest request body accepted, in bytes. */
  bodyBytes: number;
  /** Units of one offer or SKU in one order. */
  maxUnitsPerOrder: number;
  /** Offers in one event. */
  maxOffersPerEvent: number;
  /** SKUs in one product. */
  maxSkusPerProduct: number;
  /** Reservations committed together in one transaction. */
  reserveBatchMax: number;
  /** Reservations waiting for a commit before new ones are refused (backpressure). */
  reserveQueueMax: number;
  /** One-time codes one mobile number may request per 10 minutes. */
  otpPerMobilePer10Min: number;
  /** Wrong tries before a one-time code is burnt. */
  otpMaxAttempts: number;
  /** Expired orders cancelled per sweep. */
  expiryBatchMax: number;
  /** Jobs claimed per run of the job runner. */
  jobBatchMax: number;
  /** Events the lifecycle scheduler looks at per sweep (each gets every move it is owed). */
  lifecycleBatchMax: number;
  /** Outbox messages sent per run of the notifications job. */
  outboxBatchMax: number;
  /** Tries of one outbox message before it is marked failed. */
  outboxMaxAttempts: number;
  /** Notices in one page of GET /api/v1/me/notices. */
  noticesPageMax: number;
  /** SKUs of one store the surplus ranking reads (it ranks them in memory). */
  surplusSkusMax: number;
  /** Orders the ledger's release sweep moves out of the hold per run (one transaction each). */
  releaseBatchMax: number;
  /** Payees in one payout batch (the rest wait for the next batch). */
  payoutItemsMax: number;
  /** Order lines in one statement CSV (ask for a shorter period or one event beyond it). */
  statementLinesMax: number;
  /** Copy templates one event may have. */
  copyTemplatesPerEventMax: number;
  /** Bytes of rendered posters kept in memory (least recently used go first). */
  posterCacheBytes: number;
  /** Time one product picture may take to fetch for a poster, and its largest size. */
  posterImageTimeoutMs: number;
  posterImageMaxBytes: number;
  /** Posters rendered at once; more wait their turn (rendering is CPU work). */
  posterRendersMax: number;
  /** Links inserted by one statement of a bulk generation. */
  bulkLinksBatchRows: number;
  /** Live metrics streams open on one event, and on the whole server (each is one socket). */
  metricsStreamsPerEventMax: number;
  metricsStreamsTotalMax: number;
}

export interface Config {
  port: number;
  host: string;
  /** Folder of the embedded database and generated secrets. */
  dataDir: string;
  /** PostgreSQL URL; when unset the embedded SQLite store in dataDir is used. */
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Signing secret for tokens and links; when unset one is generated and kept in the database. */
  secret: string | undefined;
  /** Base URL used in links and QR codes shown to people. */
  publicBaseUrl: string;
  logLevel: string;
  /** SQLite `synchronous`: FULL survives power loss, NORMAL only a process crash. */
  sqliteSynchronous: 'FULL' | 'NORMAL';
  paymentWindowMinutes: number;
  buyerSessionDays: number;
  staffSessionHours: number;
  otpTtlMinutes: number;
  /** The sandbox payment provider: delay before its notification, and whether it sends it twice. */
  sandboxNotifyDelayMs: number;
  sandboxNotifyTwice: boolean;
  /** How often background jobs (expiry, event ends, notifications) run. */
  jobIntervalMs: number;
  /** Hours before its start an event enters warm-up (预热: links and kits out, a countdown, no price). */
  warmupHours: number;
  /** Hours a submitted application holds its day before the hold lapses. */
  applicationHoldHours: number;
  /** A merchant may cancel an approved event until this many hours before its start. */
  applicationCancelLeadHours: number;
  /** SKUs in one clearance lot. */
  applicationMaxOffers: number;
  /** Price guard: a clearance discount deeper than this (basis points of the public price) warns. */
  deepDiscountWarnBp: number;
  /** Distinct promoters one buyer (phone) or one address may buy an event through before it is flagged. */
  fraudPromotersThreshold: number;
  /** Days after delivery a return is still possible: commission and the merchant's money wait them out. */
  returnWindowDays: number;
  /** Without a delivery signal, days after shipping when the hold ends anyway. */
  autoReleaseDaysAfterShipping: number;
  /** Posters may fetch product pictures from private addresses (tests only; never in production). */
  posterImagesFromPrivateHosts: boolean;
  /**
   * Live metrics: how often an event someone watches is polled for paid orders (real time, not the
   * injected clock), how often a comment keeps idle streams open, and after how long the summary is
   * recomputed even when no order was paid (refunds change figures without a new payment).
   */
  metricsStreamPollMs: number;
  metricsStreamHeartbeatMs: number;
  metricsStreamRefreshMs: number;
  limits: Limits;
}

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0) throw new Error(`${name} must be a whole number, got "${value}"`);
  return parsed;
}

/** A share in basis points: a whole number 0..10000. */
function basisPointsFrom(value: string | undefined, fallback: number, name: string): number {
  const bp = intFrom(value, fallback, name);
  if (bp > 10_000) throw new Error(`${name} is in basis points (0-10000), got "${value}"`);
  return bp;
}

export const defaultLimits: Limits = {
  bodyBytes: 64 * 1024,
  maxUnitsPerOrder: 99,
  maxOffersPerEvent: 50,
  maxSkusPerProduct: 100,
  reserveBatchMax: 512,
  reserveQueueMax: 20_000,
  otpPerMobilePer10Min: 5,
  otpMaxAttempts: 5,
  expiryBatchMax: 500,
  jobBatchMax: 100,
  lifecycleBatchMax: 100,
  outboxBatchMax: 100,
  outboxMaxAttempts: 8,
  noticesPageMax: 100,
  surplusSkusMax: 5000,
  releaseBatchMax: 200,
  payoutItemsMax: 5000,
  statementLinesMax: 100_000,
  copyTemplatesPerEventMax: 10,
  posterCacheBytes: 64 * 1024 * 1024,
  posterImageTimeoutMs: 1500,
  posterImageMaxBytes: 3 * 1024 * 1024,
  posterRendersMax: 2,
  bulkLinksBatchRows: 2000,
  metricsStreamsPerEventMax: 2000,
  metricsStreamsTotalMax: 10_000,
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = intFrom(env.PORT, 3000, 'PORT');
  const sync = (env.HUSHSALE_SQLITE_SYNCHRONOUS ?? 'FULL').toUpperCase();
  if (sync !== 'FULL' && sync !== 'NORMAL') throw new Error('HUSHSALE_SQLITE_SYNCHRONOUS must be FULL or NORMAL');
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    dataDir: path.resolve(env.HUSHSALE_DATA_DIR ?? './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    secret: env.HUSHSALE_SECRET || undefined,
    publicBaseUrl: (env.HUSHSALE_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    logLevel: env.LOG_LEVEL ?? 'info',
    sqliteSynchronous: sync,
    paymentWindowMinutes: intFrom(env.HUSHSALE_PAYMENT_WINDOW_MINUTES, 15, 'HUSHSALE_PAYMENT_WINDOW_MINUTES'),
    buyerSessionDays: 30,
    staffSessionHours: 12,
    otpTtlMinutes: 5,
    sandboxNotifyDelayMs: intFrom(env.HUSHSALE_SANDBOX_NOTIFY_DELAY_MS, 500, 'HUSHSALE_SANDBOX_NOTIFY_DELAY_MS'),
    sandboxNotifyTwice: env.HUSHSALE_SANDBOX_NOTIFY_TWICE !== '0',
    jobIntervalMs: intFrom(env.HUSHSALE_JOB_INTERVAL_MS, 1000, 'HUSHSALE_JOB_INTERVAL_MS'),
    warmupHours: intFrom(env.HUSHSALE_WARMUP_HOURS, 24, 'HUSHSALE_WARMUP_HOURS'),
    applicationHoldHours: intFrom(env.HUSHSALE_APPLICATION_HOLD_HOURS, 48, 'HUSHSALE_APPLICATION_HOLD_HOURS'),
    applicationCancelLeadHours: intFrom(env.HUSHSALE_CANCEL_LEAD_HOURS, 24, 'HUSHSALE_CANCEL_LEAD_HOURS'),
    applicationMaxOffers: intFrom(env.HUSHSALE_LOT_MAX_SKUS, 20, 'HUSHSALE_LOT_MAX_SKUS'),
    deepDiscountWarnBp: basisPointsFrom(env.HUSHSALE_DEEP_DISCOUNT_WARN_BP, 7000, 'HUSHSALE_DEEP_DISCOUNT_WARN_BP'),
    fraudPromotersThreshold: Math.max(2, intFrom(env.HUSHSALE_FRAUD_PROMOTERS_THRESHOLD, 3, 'HUSHSALE_FRAUD_PROMOTERS_THRESHOLD')),
    returnWindowDays: intFrom(env.HUSHSALE_RETURN_WINDOW_DAYS, 7, 'HUSHSALE_RETURN_WINDOW_DAYS'),
    autoReleaseDaysAfterShipping: intFrom(env.HUSHSALE_AUTO_RELEASE_DAYS_AFTER_SHIPPING, 15, 'HUSHSALE_AUTO_RELEASE_DAYS_AFTER_SHIPPING'),
    posterImagesFromPrivateHosts: false,
    metricsStreamPollMs: Math.max(100, intFrom(env.HUSHSALE_METRICS_STREAM_POLL_MS, 1000, 'HUSHSALE_METRICS_STREAM_POLL_MS')),
    metricsStreamHeartbeatMs: 15_000,
    metricsStreamRefreshMs: 30_000,
    limits: { ...defaultLimits },
  };
}
