// Promoter teams and vetting: when a member joined their team, and paid orders by promoter (a
// leader's team view sums them per member).
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against any past schema
type AnyDb = Kysely<any>;

export const promotersMigration = {
  async up(db: AnyDb): Promise<void> {
    await db.schema.alterTable('promoter_profiles').addColumn('team_joined_at', 'text').execute();
    // Partial like orders_store_paid: an order is inserted unpaid, so the hot insert path never touches it.
    await db.schema.createIndex('orders_promoter_paid').on('orders').columns(['promoter_id', 'paid_at'])
      .where(sql.ref('paid_at'), 'is not', null).execute();
  },
  async down(db: AnyDb): Promise<void> {
    await db.schema.dropIndex('orders_promoter_paid').ifExists().execute();
    await db.schema.alterTable('promoter_profiles').dropColumn('team_joined_at').execute();
  },
};
