// The event lifecycle's record (event_transitions), in-app notices, the SMS/e-mail outbox, and the
// indexes the lifecycle scheduler and the surplus ranking read through.
import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from '../db.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against any past schema
type AnyDb = Kysely<any>;

export function lifecycleNotificationsMigration(dialect: SqlDialect) {
  const serialKey = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: AnyDb): Promise<void> {
      // One row per status change of an event, written in the transaction that made it.
      await db.schema.createTable('event_transitions')
        .addColumn('id', serialKey, (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull().references('events.id'))
        .addColumn('from_status', 'text', (c) => c.notNull())
        .addColumn('to_status', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('due_at', 'text')
        .addColumn('by', 'text', (c) => c.notNull())
        .addCheckConstraint('event_transitions_moves', sql`from_status <> to_status`)
        .execute();
      await db.schema.createIndex('event_transitions_event').on('event_transitions').columns(['event_id', 'id']).execute();
      // The scheduler finds due warm-ups and go-lives by start (ends use events_ends).
      await db.schema.createIndex('events_starts').on('events').columns(['status', 'starts_at']).execute();

      await db.schema.createTable('notices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('audience', 'text', (c) => c.notNull())
        .addColumn('store_id', 'text')
        .addColumn('user_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('title_zh', 'text', (c) => c.notNull())
        .addColumn('title_en', 'text', (c) => c.notNull())
        .addColumn('body_zh', 'text', (c) => c.notNull())
        .addColumn('body_en', 'text', (c) => c.notNull())
        .addColumn('data_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('read_at', 'text')
        .addCheckConstraint('notices_audience_known', sql`audience in ('store','user','platform')`)
        .addCheckConstraint('notices_target_matches', sql`(audience = 'store' and store_id is not null and user_id is null)
          or (audience = 'user' and user_id is not null and store_id is null)
          or (audience = 'platform' and store_id is null and user_id is null)`)
        .execute();
      await db.schema.createIndex('notices_store').on('notices').columns(['store_id', 'id']).execute();
      await db.schema.createIndex('notices_user').on('notices').columns(['user_id', 'id']).execute();
      await db.schema.createIndex('notices_audience').on('notices').columns(['audience', 'id']).execute();

      await db.schema.createTable('outbox')
        .addColumn('id', serialKey, (c) => c.primaryKey())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .addCheckConstraint('outbox_channel_known', sql`channel in ('sms','email')`)
        .addCheckConstraint('outbox_status_known', sql`status in ('pending','sent','failed')`)
        .addCheckConstraint('outbox_attempts_not_negative', sql`attempts >= 0`)
        .execute();
      await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();

      // Paid sales per store (surplus ranking, later statements). Partial: an order is inserted
      // unpaid, so the hot insert path never touches this index.
      await db.schema.createIndex('orders_store_paid').on('orders').columns(['store_id', 'paid_at'])
        .where(sql.ref('paid_at'), 'is not', null).execute();
    },
    async down(db: AnyDb): Promise<void> {
      await db.schema.dropIndex('orders_store_paid').ifExists().execute();
      await db.schema.dropIndex('events_starts').ifExists().execute();
      for (const table of ['outbox', 'notices', 'event_transitions']) await db.schema.dropTable(table).ifExists().execute();
    },
  };
}
