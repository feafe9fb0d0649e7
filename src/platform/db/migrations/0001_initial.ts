// The foundation schema: accounts, catalog, events and offers, access links, orders, payments, jobs.
import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from '../db.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against any past schema
type AnyDb = Kysely<any>;

export function initialMigration(dialect: SqlDialect) {
  const serialKey = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: AnyDb): Promise<void> {
      await db.schema.createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();

      await db.schema.createTable('stores')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('logo_url', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema.createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('mobile', 'text')
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('store_id', 'text', (c) => c.references('stores.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('disabled_at', 'text')
        .addCheckConstraint('users_role_known', sql`role in ('operator','merchant','promoter','buyer')`)
        .execute();
      await db.schema.createIndex('users_role_mobile').unique().on('users').columns(['role', 'mobile'])
        .where(sql.ref('mobile'), 'is not', null).execute();

      await db.schema.createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('label', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();

      await db.schema.createTable('otp_codes')
        .addColumn('id', serialKey, (c) => c.primaryKey())
        .addColumn('mobile', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('consumed_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('otp_codes_mobile').on('otp_codes').columns(['mobile', 'role', 'created_at']).execute();

      await db.schema.createTable('products')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('image_url', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('products_store').on('products').columns(['store_id', 'created_at']).execute();

      await db.schema.createTable('skus')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
        .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('attributes_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('image_url', 'text')
        .addColumn('public_price_fen', 'bigint', (c) => c.notNull())
        .addColumn('stock_units', 'integer', (c) => c.notNull())
        .addColumn('cost_fen', 'bigint')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addCheckConstraint('skus_stock_not_negative', sql`stock_units >= 0`)
        .addCheckConstraint('skus_price_positive', sql`public_price_fen > 0`)
        .addUniqueConstraint('skus_store_code', ['store_id', 'code'])
        .execute();
      await db.schema.createIndex('skus_product').on('skus').column('product_id').execute();

      await db.schema.createTable('channels')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('vertical', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema.createTable('events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
        .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('starts_at', 'text', (c) => c.notNull())
        .addColumn('ends_at', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('allocation_returned_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addCheckConstraint('events_window_ordered', sql`ends_at > starts_at`)
        .execute();
      await db.schema.createIndex('events_ends').on('events').columns(['status', 'ends_at']).execute();

      await db.schema.createTable('offers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull().references('events.id'))
        .addColumn('sku_id', 'text', (c) => c.notNull().references('skus.id'))
        .addColumn('clearance_price_fen', 'bigint', (c) => c.notNull())
        .addColumn('allocated_units', 'integer', (c) => c.notNull())
        .addColumn('reserved_units', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('per_buyer_limit', 'integer', (c) => c.notNull())
        .addColumn('is_hero', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
        .addCheckConstraint('offers_reserved_within_allocation', sql`reserved_units >= 0 and reserved_units <= allocated_units`)
        .addCheckConstraint('offers_price_positive', sql`clearance_price_fen > 0`)
        .addUniqueConstraint('offers_event_sku', ['event_id', 'sku_id'])
        .execute();

      await db.schema.createTable('buyer_holdings')
        .addColumn('offer_id', 'text', (c) => c.notNull().references('offers.id'))
        .addColumn('buyer_id', 'text', (c) => c.notNull())
        .addColumn('units', 'integer', (c) => c.notNull())
        .addColumn('limit_units', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('buyer_holdings_pk', ['offer_id', 'buyer_id'])
        .addCheckConstraint('buyer_holdings_within_limit', sql`units >= 0 and units <= limit_units`)
        .execute();

      await db.schema.createTable('promoter_links')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull().references('events.id'))
        .addColumn('promoter_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('share_code', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addUniqueConstraint('promoter_links_event_promoter', ['event_id', 'promoter_id'])
        .execute();

      // The hot table: an integer key and no index beyond what the expiry sweep and buyers need.
      await db.schema.createTable('orders')
        .addColumn('id', serialKey, (c) => c.primaryKey())
        .addColumn('store_id', 'text', (c) => c.notNull())
        .addColumn('buyer_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text')
        .addColumn('offer_id', 'text')
        .addColumn('sku_id', 'text', (c) => c.notNull())
        .addColumn('promoter_id', 'text')
        .addColumn('link_id', 'text')
        .addColumn('quantity', 'integer', (c) => c.notNull())
        .addColumn('unit_price_fen', 'bigint', (c) => c.notNull())
        .addColumn('total_fen', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('pay_deadline', 'text', (c) => c.notNull())
        .addColumn('address_json', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('paid_at', 'text')
        .addColumn('cancelled_at', 'text')
        .addColumn('cancel_reason', 'text')
        .addCheckConstraint('orders_quantity_positive', sql`quantity > 0`)
        .execute();
      await db.schema.createIndex('orders_pending_deadline').on('orders').columns(['status', 'pay_deadline']).execute();
      await db.schema.createIndex('orders_buyer').on('orders').columns(['buyer_id', 'id']).execute();

      await db.schema.createTable('payments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'bigint', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('provider_ref', 'text')
        .addColumn('amount_fen', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('succeeded_at', 'text')
        .addColumn('refunded_at', 'text')
        .addColumn('note', 'text')
        .execute();
      await db.schema.createIndex('payments_order').on('payments').column('order_id').execute();

      await db.schema.createTable('sandbox_payments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_ref', 'text', (c) => c.notNull())
        .addColumn('amount_fen', 'bigint', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('notify_url', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('paid_at', 'text')
        .addColumn('refunded_fen', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();

      await db.schema.createTable('idempotency_keys')
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer', (c) => c.notNull())
        .addColumn('response_json', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['principal', 'key'])
        .execute();

      await db.schema.createTable('jobs')
        .addColumn('id', serialKey, (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payload_json', 'text', (c) => c.notNull())
        .addColumn('run_at', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'text')
        .addColumn('done_at', 'text')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('jobs_due').on('jobs').columns(['done_at', 'run_at']).execute();
    },
    async down(db: AnyDb): Promise<void> {
      for (const table of ['jobs', 'idempotency_keys', 'sandbox_payments', 'payments', 'orders', 'promoter_links',
        'buyer_holdings', 'offers', 'events', 'channels', 'skus', 'products', 'otp_codes', 'api_keys', 'users',
        'stores', 'settings']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
