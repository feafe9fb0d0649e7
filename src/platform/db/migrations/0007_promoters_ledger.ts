// Promoters at scale: profiles and vetting, teams (leader -> promoter, never deeper), invite codes,
// per-event copy templates, attribution settings, fraud flags, the double-entry ledger and payouts.
import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from '../db.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against any past schema
type AnyDb = Kysely<any>;

export function promotersLedgerMigration(dialect: SqlDialect) {
  const serialKey = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: AnyDb): Promise<void> {
      await db.schema.createTable('promoter_profiles')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_reason', 'text')
        .addColumn('wechat_id', 'text')
        .addColumn('audience_size', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('channels_wished_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('is_leader', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('leader_id', 'text', (c) => c.references('users.id'))
        .addColumn('invite_code', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addCheckConstraint('promoter_profiles_status_known', sql`status in ('pending','approved','suspended','banned')`)
        .addCheckConstraint('promoter_profiles_audience', sql`audience_size >= 0`)
        // Two levels by design: a leader is never in a team, and nobody leads themselves.
        .addCheckConstraint('promoter_profiles_two_levels', sql`(is_leader = 0 or leader_id is null) and (leader_id is null or leader_id <> user_id)`)
        .execute();
      await db.schema.createIndex('promoter_profiles_leader').on('promoter_profiles').columns(['leader_id', 'user_id']).execute();
      await db.schema.createIndex('promoter_profiles_status').on('promoter_profiles').columns(['status', 'created_at']).execute();
      // Promoters who signed in before vetting existed keep working.
      await sql`insert into promoter_profiles (user_id, status, created_at, updated_at)
        select id, 'approved', created_at, created_at from users where role = 'promoter'`.execute(db);

      await db.schema.createTable('promoter_status_changes')
        .addColumn('id', serialKey, (c) => c.primaryKey())
        .addColumn('promoter_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('from_status', 'text', (c) => c.notNull())
        .addColumn('to_status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('by', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('promoter_status_changes_promoter').on('promoter_status_changes').columns(['promoter_id', 'id']).execute();

      await db.schema.createTable('promoter_invites')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('leader_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('max_uses', 'integer')
        .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addCheckConstraint('promoter_invites_uses', sql`uses >= 0 and (max_uses is null or uses <= max_uses)`)
        .execute();
      await db.schema.createIndex('promoter_invites_leader').on('promoter_invites').columns(['leader_id', 'created_at']).execute();

      // Copy texts per event, with {variables} filled per promoter (see sharekit/rules.ts).
      await db.schema.createTable('event_copy_templates')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull().references('events.id'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('deleted_at', 'text')
        .execute();
      await db.schema.createIndex('event_copy_templates_event').on('event_copy_templates').columns(['event_id', 'position']).execute();

      await db.schema.alterTable('channels').addColumn('attribution', 'text', (c) => c.notNull().defaultTo('last_touch')
        .check(sql`attribution in ('first_touch','last_touch')`)).execute();
      await db.schema.alterTable('channels').addColumn('leader_override_rate_bp', 'integer', (c) => c.notNull().defaultTo(100)
        .check(sql`leader_override_rate_bp >= 0 and leader_override_rate_bp <= 10000`)).execute();

      // Fulfilment signals the return window reads, refunds so far, and a key for "one address".
      await db.schema.alterTable('orders').addColumn('shipped_at', 'text').execute();
      await db.schema.alterTable('orders').addColumn('delivered_at', 'text').execute();
      await db.schema.alterTable('orders').addColumn('carrier', 'text').execute();
      await db.schema.alterTable('orders').addColumn('tracking_no', 'text').execute();
      await db.schema.alterTable('orders').addColumn('refunded_fen', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('orders').addColumn('address_key', 'text').execute();
      // Paid orders of an event by promoter (leaderboards, fraud checks); partial like orders_store_paid.
      await db.schema.createIndex('orders_event_paid').on('orders').columns(['event_id', 'promoter_id'])
        .where(sql.ref('paid_at'), 'is not', null).execute();
      // Paid orders of an event to one address (fraud checks); the key is written when an order is paid.
      await db.schema.createIndex('orders_event_address').on('orders').columns(['event_id', 'address_key'])
        .where(sql.ref('address_key'), 'is not', null).execute();

      await db.schema.createTable('fraud_flags')
        .addColumn('id', serialKey, (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text')
        .addColumn('order_id', 'integer')
        .addColumn('promoter_id', 'text')
        .addColumn('buyer_id', 'text')
        .addColumn('detail_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('resolved_at', 'text')
        .addColumn('resolved_by', 'text')
        .execute();
      await db.schema.createIndex('fraud_flags_open').on('fraud_flags').columns(['resolved_at', 'id']).execute();
      await db.schema.createIndex('fraud_flags_promoter').on('fraud_flags').columns(['promoter_id', 'id']).execute();

      // The ledger: append-only journal entries, each one business fact, whose postings sum to zero.
      await db.schema.createTable('ledger_entries')
        .addColumn('id', serialKey, (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('order_id', 'integer')
        .addColumn('event_id', 'text')
        .addColumn('store_id', 'text')
        .addColumn('memo', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ledger_entries_order').on('ledger_entries').columns(['order_id', 'id']).execute();
      await db.schema.createIndex('ledger_entries_event').on('ledger_entries').columns(['event_id', 'id']).execute();
      await db.schema.createIndex('ledger_entries_store_time').on('ledger_entries').columns(['store_id', 'created_at']).execute();
      await db.schema.createTable('ledger_postings')
        .addColumn('id', serialKey, (c) => c.primaryKey())
        .addColumn('entry_id', 'integer', (c) => c.notNull().references('ledger_entries.id'))
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'text')
        .addColumn('amount_fen', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addCheckConstraint('ledger_postings_not_zero', sql`amount_fen <> 0`)
        .execute();
      await db.schema.createIndex('ledger_postings_entry').on('ledger_postings').columns(['entry_id']).execute();
      await db.schema.createIndex('ledger_postings_account').on('ledger_postings').columns(['account', 'id']).execute();
      await db.schema.createIndex('ledger_postings_owner').on('ledger_postings').columns(['owner_id', 'account']).execute();
      await appendOnly(db, dialect, ['ledger_entries', 'ledger_postings']);

      await db.schema.createTable('payout_batches')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('payee_kind', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('total_fen', 'integer', (c) => c.notNull())
        .addColumn('item_count', 'integer', (c) => c.notNull())
        .addColumn('provider_ref', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('submitted_at', 'text')
        .addColumn('paid_at', 'text')
        .addCheckConstraint('payout_batches_payee_kind', sql`payee_kind in ('promoter','merchant')`)
        .addCheckConstraint('payout_batches_status', sql`status in ('created','submitted','paid','failed')`)
        .addCheckConstraint('payout_batches_total', sql`total_fen >= 0 and item_count >= 0`)
        .execute();
      await db.schema.createTable('payout_items')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('batch_id', 'text', (c) => c.notNull().references('payout_batches.id'))
        .addColumn('payee_id', 'text', (c) => c.notNull())
        .addColumn('amount_fen', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('failure_reason', 'text')
        .addColumn('paid_at', 'text')
        .addCheckConstraint('payout_items_amount', sql`amount_fen > 0`)
        .addCheckConstraint('payout_items_status', sql`status in ('pending','paid','failed')`)
        .execute();
      await db.schema.createIndex('payout_items_batch_payee').unique().on('payout_items').columns(['batch_id', 'payee_id']).execute();
      await db.schema.createIndex('payout_items_payee').on('payout_items').columns(['payee_id', 'status']).execute();
      // The sandbox payout provider's own record (a real provider keeps this on its side).
      await db.schema.createTable('sandbox_payouts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_ref', 'text', (c) => c.notNull().unique())
        .addColumn('total_fen', 'integer', (c) => c.notNull())
        .addColumn('item_count', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('paid_at', 'text')
        .execute();
    },
    async down(db: AnyDb): Promise<void> {
      for (const table of ['sandbox_payouts', 'payout_items', 'payout_batches', 'ledger_postings', 'ledger_entries', 'fraud_flags',
        'event_copy_templates', 'promoter_invites', 'promoter_status_changes', 'promoter_profiles']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
      await db.schema.dropIndex('orders_event_address').ifExists().execute();
      await db.schema.dropIndex('orders_event_paid').ifExists().execute();
      for (const column of ['address_key', 'refunded_fen', 'tracking_no', 'carrier', 'delivered_at', 'shipped_at']) {
        await db.schema.alterTable('orders').dropColumn(column).execute();
      }
      for (const column of ['leader_override_rate_bp', 'attribution']) await db.schema.alterTable('channels').dropColumn(column).execute();
      if (dialect === 'postgres') await sql`drop function if exists ledger_append_only()`.execute(db);
    },
  };
}

/** The database itself refuses to change or delete a ledger row: corrections are new entries. */
async function appendOnly(db: AnyDb, dialect: SqlDialect, tables: string[]): Promise<void> {
  if (dialect === 'postgres') {
    await sql`create or replace function ledger_append_only() returns trigger language plpgsql as $$
      begin raise exception 'the ledger is append-only: % on % refused', tg_op, tg_table_name; end $$`.execute(db);
    for (const table of tables) {
      await sql`create trigger ${sql.id(`${table}_append_only`)} before update or delete on ${sql.table(table)}
        for each row execute function ledger_append_only()`.execute(db);
    }
    return;
  }
  for (const table of tables) {
    for (const op of ['update', 'delete']) {
      await sql`create trigger ${sql.id(`${table}_no_${op}`)} before ${sql.raw(op)} on ${sql.table(table)}
        begin select raise(abort, ${sql.lit(`the ledger is append-only: ${op} on ${table} refused`)}); end`.execute(db);
    }
  }
}
