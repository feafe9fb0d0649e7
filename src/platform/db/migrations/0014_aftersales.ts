// After-sales: units of an order claimed by refund requests (open or done), so that concurrent
// requests can never claim more than the order's quantity; a buyer's Idempotency-Key on each
// request (one request per key, across processes); the sandbox provider's refunds by refund id.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against any past schema
type AnyDb = Kysely<any>;

export const aftersalesMigration = {
  async up(db: AnyDb): Promise<void> {
    // Raised by a conditional update when a request is made, lowered when one is rejected or
    // cancelled; refunded_units never passes it. The CHECK backs the update's condition.
    await db.schema.alterTable('orders').addColumn('claimed_units', 'integer', (c) => c.notNull().defaultTo(0)
      .check(sql`claimed_units >= 0 and claimed_units <= quantity`)).execute();
    await sql`update orders set claimed_units = refunded_units where refunded_units > 0`.execute(db);

    await db.schema.alterTable('refund_requests').addColumn('request_key', 'text').execute();
    await db.schema.createIndex('refund_requests_buyer_key').on('refund_requests').columns(['buyer_id', 'request_key']).unique().execute();

    // What the sandbox provider refunded, once per refund id (a real provider's out_refund_no).
    await db.schema.createTable('sandbox_refunds')
      .addColumn('refund_id', 'text', (c) => c.primaryKey())
      .addColumn('sandbox_payment_id', 'text', (c) => c.notNull())
      .addColumn('amount_fen', 'bigint', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addCheckConstraint('sandbox_refunds_amount', sql`amount_fen > 0`)
      .execute();
    await db.schema.createIndex('sandbox_refunds_payment').on('sandbox_refunds').column('sandbox_payment_id').execute();
  },
  async down(db: AnyDb): Promise<void> {
    await db.schema.dropTable('sandbox_refunds').ifExists().execute();
    await db.schema.dropIndex('refund_requests_buyer_key').ifExists().execute();
    await db.schema.alterTable('refund_requests').dropColumn('request_key').execute();
    await db.schema.alterTable('orders').dropColumn('claimed_units').execute();
  },
};
