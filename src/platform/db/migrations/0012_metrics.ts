// Event metrics: the allocation an offer had before the event's end gave its unsold units back
// (sell-through is judged against it), and a store's and a channel's events by start time.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against any past schema
type AnyDb = Kysely<any>;

export const metricsMigration = {
  async up(db: AnyDb): Promise<void> {
    // Written once, when the end shrinks allocated_units to what was held or sold; null before
    // that (allocated_units is still the allocation). Offers of events that ended before this
    // migration keep null: their first allocation is not known any more.
    await db.schema.alterTable('offers').addColumn('initial_allocated_units', 'integer').execute();
    // The events of a store and of a channel in a period (store and channel metrics).
    await db.schema.createIndex('events_store_starts').on('events').columns(['store_id', 'starts_at']).execute();
    await db.schema.createIndex('events_channel_starts').on('events').columns(['channel_id', 'starts_at']).execute();
  },
  async down(db: AnyDb): Promise<void> {
    await db.schema.dropIndex('events_channel_starts').ifExists().execute();
    await db.schema.dropIndex('events_store_starts').ifExists().execute();
    await db.schema.alterTable('offers').dropColumn('initial_allocated_units').execute();
  },
};
