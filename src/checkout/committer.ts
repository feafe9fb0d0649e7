// Group commit: reservations decided in memory queue here and are written together, one
// transaction per batch, flushed on the next turn of the event loop. A buyer's order is
// acknowledged only after its batch committed, so an acknowledged order survives a crash.
import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../platform/db/schema.ts';
import { AppError } from '../platform/errors.ts';
import { reserveBatchInTransaction, reserveInTransaction, type ReservationRow, type ReserveOutcome } from './store.ts';
import { storeIdempotentInTransaction, storeIdempotentBatch } from './idempotency.ts';

export interface PendingReservation {
  row: ReservationRow;
  /** Stored with the order so a retried request replays this answer. */
  idempotency: { principal: string; key: string; hash: string };
  /** The answer body for the buyer once the order id is known. */
  answer: (orderId: number) => unknown;
  settle: (outcome: ReserveOutcome | Error) => void;
}

export class ReservationCommitter {
  private queue: PendingReservation[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly log: FastifyBaseLogger,
    private readonly batchMax: number,
    private readonly queueMax: number,
    /** Told, after a batch committed and its buyers were answered, which offers it sold out. */
    private readonly onSoldOut: (offerIds: string[]) => void = () => {},
  ) {}

  get depth(): number {
    return this.queue.length;
  }

  submit(item: Omit<PendingReservation, 'settle'>): Promise<ReserveOutcome> {
    if (this.queue.length >= this.queueMax) return Promise.reject(new AppError('BUSY'));
    return new Promise<ReserveOutcome>((resolve, reject) => {
      this.queue.push({ ...item, settle: (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome)) });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, this.batchMax);
    if (batch.length === 0) return;
    const soldOut = new Set<string>();
    try {
      const outcomes = await this.db.transaction().execute(async (trx) => {
        soldOut.clear();
        const results = await reserveBatchInTransaction(trx, batch.map((item) => item.row), soldOut);
        const records = [];
        for (const [i, outcome] of results.entries()) {
          const item = batch[i] as PendingReservation;
          if (outcome.ok) records.push({ ...item.idempotency, statusCode: 201, body: item.answer(outcome.orderId), createdAt: item.row.createdAt });
        }
        await storeIdempotentBatch(trx, records);
        return results;
      });
      batch.forEach((item, i) => item.settle(outcomes[i] as ReserveOutcome));
      this.reportSoldOut(soldOut);
    } catch (error) {
      soldOut.clear();
      // One bad item must not fail its neighbours: retry each alone.
      this.log.warn({ err: error, batch: batch.length }, 'reservation batch failed; retrying items one by one');
      for (const item of batch) {
        try {
          const itemSoldOut = new Set<string>();
          const outcome = await this.db.transaction().execute(async (trx) => {
            const result = await reserveInTransaction(trx, item.row, itemSoldOut);
            if (result.ok) await storeIdempotentInTransaction(trx, item.idempotency, 201, item.answer(result.orderId), item.row.createdAt);
            return result;
          });
          item.settle(outcome);
          this.reportSoldOut(itemSoldOut);
        } catch (itemError) {
          item.settle(itemError instanceof Error ? itemError : new Error(String(itemError)));
        }
      }
    }
  }

  private reportSoldOut(offerIds: Set<string>): void {
    if (offerIds.size === 0) return;
    try {
      this.onSoldOut([...offerIds]);
    } catch (err) {
      this.log.error({ err }, 'sold-out listener failed');
    }
  }

  /** Waits until everything queued has been written. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.flushing || this.scheduled) {
      if (this.flushing) await this.flushing;
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
