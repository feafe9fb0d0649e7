// The ledger's working tables: the split of each paid order (what statements and refunds read),
// when an order's money left the hold, and one guard row per payee kind that serialises payout batches.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against any past schema
type AnyDb = Kysely<any>;

export const ledgerMigration = {
  async up(db: AnyDb): Promise<void> {
    // Written once, in the payment's transaction, beside the order's 'order_paid' entry.
    await db.schema.createTable('ledger_order_parts')
      .addColumn('order_id', 'integer', (c) => c.primaryKey().references('orders.id'))
      .addColumn('store_id', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text')
      .addColumn('promoter_id', 'text')
      .addColumn('leader_id', 'text')
      .addColumn('total_fen', 'integer', (c) => c.notNull())
      .addColumn('commission_fen', 'integer', (c) => c.notNull())
      .addColumn('override_fen', 'integer', (c) => c.notNull())
      .addColumn('fee_fen', 'integer', (c) => c.notNull())
      .addColumn('fee_gross_fen', 'integer', (c) => c.notNull())
      .addColumn('merchant_fen', 'integer', (c) => c.notNull())
      .addColumn('commission_rate_bp', 'integer', (c) => c.notNull())
      .addColumn('fee_rate_bp', 'integer', (c) => c.notNull())
      .addColumn('override_rate_bp', 'integer', (c) => c.notNull())
      .addColumn('paid_at', 'text', (c) => c.notNull())
      .addCheckConstraint('ledger_order_parts_sum', sql`total_fen > 0 and commission_fen >= 0 and override_fen >= 0 and override_fen <= fee_fen
        and fee_gross_fen >= fee_fen and merchant_fen >= 0 and merchant_fen + commission_fen + fee_fen = total_fen`)
      .execute();
    await db.schema.createIndex('ledger_order_parts_store').on('ledger_order_parts').columns(['store_id', 'paid_at']).execute();
    await db.schema.createIndex('ledger_order_parts_event').on('ledger_order_parts').columns(['event_id', 'order_id']).execute();
    await db.schema.createIndex('ledger_order_parts_promoter').on('ledger_order_parts').columns(['promoter_id', 'paid_at']).execute();
    await db.schema.createIndex('ledger_order_parts_leader').on('ledger_order_parts').columns(['leader_id', 'paid_at']).execute();

    // Set once when the return window closes (or the order is fully refunded before it does).
    await db.schema.alterTable('orders').addColumn('released_at', 'text').execute();
    // The release sweep reads only paid orders still on hold, through these partial indexes.
    await db.schema.createIndex('orders_hold_delivered').on('orders').columns(['delivered_at'])
      .where(sql.ref('paid_at'), 'is not', null).where(sql.ref('released_at'), 'is', null).execute();
    await db.schema.createIndex('orders_hold_shipped').on('orders').columns(['shipped_at'])
      .where(sql.ref('paid_at'), 'is not', null).where(sql.ref('released_at'), 'is', null).execute();

    await db.schema.createTable('payout_guards')
      .addColumn('payee_kind', 'text', (c) => c.primaryKey())
      .addColumn('last_batch_id', 'text')
      .addColumn('updated_at', 'text')
      .execute();
    await db.insertInto('payout_guards').values([{ payee_kind: 'promoter' }, { payee_kind: 'merchant' }]).execute();
  },
  async down(db: AnyDb): Promise<void> {
    await db.schema.dropTable('payout_guards').ifExists().execute();
    await db.schema.dropIndex('orders_hold_shipped').ifExists().execute();
    await db.schema.dropIndex('orders_hold_delivered').ifExists().execute();
    await db.schema.alterTable('orders').dropColumn('released_at').execute();
    await db.schema.dropTable('ledger_order_parts').ifExists().execute();
  },
};
