// Clearance-lot applications: a merchant's draft of an event, its review, and the terms frozen
// into the event at approval.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against any past schema
type AnyDb = Kysely<any>;

export const applicationsMigration = {
  async up(db: AnyDb): Promise<void> {
    await db.schema.createTable('event_applications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
      .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('wished_dates_json', 'text', (c) => c.notNull())
      .addColumn('window_start', 'text', (c) => c.notNull())
      .addColumn('window_end', 'text', (c) => c.notNull())
      .addColumn('commission_rate_bp', 'integer', (c) => c.notNull())
      .addColumn('offers_json', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('held_day', 'text')
      .addColumn('hold_expires_at', 'text')
      .addColumn('scheduled_day', 'text')
      .addColumn('reject_reason', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('submitted_at', 'text')
      .addColumn('decided_at', 'text')
      .addColumn('decided_by', 'text')
      .execute();
    await db.schema.createIndex('event_applications_store').on('event_applications').columns(['store_id', 'created_at']).execute();
    await db.schema.createIndex('event_applications_status').on('event_applications').columns(['status', 'hold_expires_at']).execute();
    await db.schema.alterTable('events').addColumn('commission_rate_bp', 'integer').execute();
    await db.schema.alterTable('events').addColumn('terms_json', 'text').execute();
  },
  async down(db: AnyDb): Promise<void> {
    await db.schema.alterTable('events').dropColumn('terms_json').execute();
    await db.schema.alterTable('events').dropColumn('commission_rate_bp').execute();
    await db.schema.dropTable('event_applications').execute();
  },
};
