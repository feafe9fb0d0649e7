// Public price history (backfilled from today's SKUs), a product category for fee policies, and the
// operator's fee discount policies.
import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from '../db.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against any past schema
type AnyDb = Kysely<any>;

export function pricesFeesMigration(dialect: SqlDialect) {
  const serialKey = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: AnyDb): Promise<void> {
      // One row per public price a SKU has had; the row with the latest effective_from is in force.
      await db.schema.createTable('sku_price_history')
        .addColumn('id', serialKey, (c) => c.primaryKey())
        .addColumn('sku_id', 'text', (c) => c.notNull().references('skus.id'))
        .addColumn('price_fen', 'bigint', (c) => c.notNull())
        .addColumn('effective_from', 'text', (c) => c.notNull())
        .addColumn('changed_by', 'text')
        .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('operator_override', 'integer', (c) => c.notNull().defaultTo(0))
        .addCheckConstraint('sku_price_history_price_positive', sql`price_fen > 0`)
        .addCheckConstraint('sku_price_history_override_flag', sql`operator_override in (0, 1)`)
        .execute();
      await db.schema.createIndex('sku_price_history_sku').on('sku_price_history').columns(['sku_id', 'effective_from', 'id']).execute();
      // What each SKU costs today, from its creation: changes made before this migration are unknown.
      await sql`insert into sku_price_history (sku_id, price_fen, effective_from, changed_by, reason, operator_override)
        select id, public_price_fen, created_at, null, 'backfilled at migration 0004', 0 from skus`.execute(db);

      // The price guard's "lowest public sale price of the last 30 days". Partial, so the hot event
      // orders are never indexed: only public-store orders pay for it.
      await db.schema.createIndex('orders_public_sku_paid').on('orders').columns(['sku_id', 'paid_at'])
        .where(sql<boolean>`kind = 'public'`).execute();

      await db.schema.alterTable('products').addColumn('category', 'text', (c) => c.notNull().defaultTo('')).execute();

      await db.schema.createTable('fee_policies')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('store_id', 'text', (c) => c.references('stores.id'))
        .addColumn('category', 'text')
        .addColumn('channel_id', 'text', (c) => c.references('channels.id'))
        .addColumn('discount_bp', 'integer', (c) => c.notNull())
        .addColumn('starts_at', 'text')
        .addColumn('ends_at', 'text')
        .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('deleted_at', 'text')
        .addColumn('deleted_by', 'text')
        .addCheckConstraint('fee_policies_kind_known', sql`kind in ('store', 'category', 'first_event')`)
        .addCheckConstraint('fee_policies_discount_range', sql`discount_bp >= 0 and discount_bp <= 10000`)
        .addCheckConstraint('fee_policies_store_has_store', sql`kind <> 'store' or store_id is not null`)
        .addCheckConstraint('fee_policies_category_has_category', sql`kind <> 'category' or (category is not null and category <> '')`)
        .addCheckConstraint('fee_policies_window_ordered', sql`starts_at is null or ends_at is null or ends_at > starts_at`)
        .execute();
      await db.schema.createIndex('fee_policies_live').on('fee_policies').columns(['deleted_at', 'kind']).execute();
    },
    async down(db: AnyDb): Promise<void> {
      await db.schema.dropTable('fee_policies').ifExists().execute();
      await db.schema.dropIndex('orders_public_sku_paid').ifExists().execute();
      await db.schema.alterTable('products').dropColumn('category').execute();
      await db.schema.dropTable('sku_price_history').ifExists().execute();
    },
  };
}
