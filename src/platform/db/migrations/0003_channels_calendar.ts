// Channels get their terms (slot cap, commission and fee rates in basis points) and members;
// the calendar gets its two guard tables: one row per taken day, one counter per channel-month.
import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from '../db.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against any past schema
type AnyDb = Kysely<any>;

export function channelsCalendarMigration(_dialect: SqlDialect) {
  return {
    async up(db: AnyDb): Promise<void> {
      // Column checks (both engines accept a CHECK on ADD COLUMN); cross-field rules (minimum <=
      // default) live in channels/rules.ts.
      await db.schema.alterTable('channels')
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema.alterTable('channels')
        .addColumn('monthly_slot_cap', 'integer', (c) => c.notNull().defaultTo(31).check(sql`monthly_slot_cap >= 0 and monthly_slot_cap <= 31`))
        .execute();
      await db.schema.alterTable('channels')
        .addColumn('default_commission_rate_bp', 'integer', (c) => c.notNull().defaultTo(1000).check(sql`default_commission_rate_bp >= 0 and default_commission_rate_bp <= 10000`))
        .execute();
      await db.schema.alterTable('channels')
        .addColumn('min_commission_rate_bp', 'integer', (c) => c.notNull().defaultTo(500).check(sql`min_commission_rate_bp >= 0 and min_commission_rate_bp <= 10000`))
        .execute();
      await db.schema.alterTable('channels')
        .addColumn('platform_fee_rate_bp', 'integer', (c) => c.notNull().defaultTo(600).check(sql`platform_fee_rate_bp >= 0 and platform_fee_rate_bp <= 10000`))
        .execute();
      await db.schema.alterTable('channels').addColumn('updated_at', 'text').execute();

      await db.schema.createTable('channel_promoters')
        .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
        .addColumn('promoter_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('joined_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('channel_promoters_pk', ['channel_id', 'promoter_id'])
        .execute();
      await db.schema.createIndex('channel_promoters_promoter').on('channel_promoters').columns(['promoter_id', 'channel_id']).execute();

      // A free day has no row: the primary key makes "one brand per channel per day" structural.
      await db.schema.createTable('calendar_days')
        .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('month', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('hold_until', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('calendar_days_pk', ['channel_id', 'day'])
        .addCheckConstraint('calendar_days_state_known', sql`(state = 'held' and hold_until is not null) or (state = 'booked' and hold_until is null)`)
        .addCheckConstraint('calendar_days_month_of_day', sql`substr(day, 1, 7) = month`)
        .execute();
      await db.schema.createIndex('calendar_days_lapsing').on('calendar_days').columns(['state', 'hold_until']).execute();
      await db.schema.createIndex('calendar_days_event').on('calendar_days').column('event_id').execute();

      // Days held or booked per channel-month; the CHECK is the last word on the monthly cap.
      await db.schema.createTable('calendar_months')
        .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
        .addColumn('month', 'text', (c) => c.notNull())
        .addColumn('used', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cap', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('calendar_months_pk', ['channel_id', 'month'])
        .addCheckConstraint('calendar_months_within_cap', sql`used >= 0 and used <= cap`)
        .execute();
    },
    async down(db: AnyDb): Promise<void> {
      for (const table of ['calendar_months', 'calendar_days', 'channel_promoters']) await db.schema.dropTable(table).ifExists().execute();
      for (const column of ['updated_at', 'platform_fee_rate_bp', 'min_commission_rate_bp', 'default_commission_rate_bp', 'monthly_slot_cap', 'description']) {
        await db.schema.alterTable('channels').dropColumn(column).execute();
      }
    },
  };
}
