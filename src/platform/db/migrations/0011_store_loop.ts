// The store loop: membership with consent, the new-customer mark on orders, after-sales (refunds
// and returns, by quantity), reviews, and each store's return policy.
import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from '../db.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against any past schema
type AnyDb = Kysely<any>;

export function storeLoopMigration(dialect: SqlDialect) {
  const serialKey = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: AnyDb): Promise<void> {
      // Consent given at checkout (never by default), and whether the buyer was new to the store.
      await db.schema.alterTable('orders').addColumn('join_membership', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('orders').addColumn('is_new_customer', 'integer').execute();
      await db.schema.alterTable('orders').addColumn('refunded_units', 'integer', (c) => c.notNull().defaultTo(0)
        .check(sql`refunded_units >= 0`)).execute();
      // The 365-day look-back: a store's orders by buyer in time.
      await db.schema.createIndex('orders_store_buyer').on('orders').columns(['store_id', 'buyer_id', 'created_at']).execute();

      await db.schema.alterTable('stores').addColumn('return_days', 'integer', (c) => c.notNull().defaultTo(7)
        .check(sql`return_days >= 0 and return_days <= 90`)).execute();

      await db.schema.createTable('store_members')
        .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
        .addColumn('buyer_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('joined_at', 'text', (c) => c.notNull())
        .addColumn('source_order_id', 'integer')
        .addColumn('source_event_id', 'text')
        .addColumn('source_promoter_id', 'text')
        .addPrimaryKeyConstraint('store_members_pk', ['store_id', 'buyer_id'])
        .execute();
      await db.schema.createIndex('store_members_joined').on('store_members').columns(['store_id', 'joined_at']).execute();

      await db.schema.createTable('refund_requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'integer', (c) => c.notNull().references('orders.id'))
        .addColumn('store_id', 'text', (c) => c.notNull())
        .addColumn('buyer_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('quantity', 'integer', (c) => c.notNull())
        .addColumn('amount_fen', 'integer', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('decision_reason', 'text')
        .addColumn('return_carrier', 'text')
        .addColumn('return_tracking_no', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('refunded_at', 'text')
        .addCheckConstraint('refund_requests_kind', sql`kind in ('before_shipping','return')`)
        .addCheckConstraint('refund_requests_status', sql`status in ('requested','approved','rejected','returned','refunding','refunded','cancelled')`)
        .addCheckConstraint('refund_requests_amounts', sql`quantity > 0 and amount_fen >= 0`)
        .execute();
      await db.schema.createIndex('refund_requests_order').on('refund_requests').columns(['order_id', 'created_at']).execute();
      await db.schema.createIndex('refund_requests_store_status').on('refund_requests').columns(['store_id', 'status', 'created_at']).execute();

      await db.schema.createTable('reviews')
        .addColumn('id', serialKey, (c) => c.primaryKey())
        .addColumn('order_id', 'integer', (c) => c.notNull().unique().references('orders.id'))
        .addColumn('store_id', 'text', (c) => c.notNull())
        .addColumn('product_id', 'text', (c) => c.notNull())
        .addColumn('sku_id', 'text', (c) => c.notNull())
        .addColumn('buyer_id', 'text', (c) => c.notNull())
        .addColumn('rating', 'integer', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('hidden_at', 'text')
        .addCheckConstraint('reviews_rating', sql`rating >= 1 and rating <= 5`)
        .execute();
      await db.schema.createIndex('reviews_product').on('reviews').columns(['product_id', 'id']).execute();
    },
    async down(db: AnyDb): Promise<void> {
      for (const table of ['reviews', 'refund_requests', 'store_members']) await db.schema.dropTable(table).ifExists().execute();
      await db.schema.dropIndex('orders_store_buyer').ifExists().execute();
      await db.schema.alterTable('stores').dropColumn('return_days').execute();
      for (const column of ['refunded_units', 'is_new_customer', 'join_membership']) await db.schema.alterTable('orders').dropColumn(column).execute();
    },
  };
}
