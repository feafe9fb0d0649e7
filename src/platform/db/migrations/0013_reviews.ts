// Reviews: a store's reviews newest first (the merchant's list pages by store and id).
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against any past schema
type AnyDb = Kysely<any>;

export const reviewsMigration = {
  async up(db: AnyDb): Promise<void> {
    await db.schema.createIndex('reviews_store').on('reviews').columns(['store_id', 'id']).execute();
  },
  async down(db: AnyDb): Promise<void> {
    await db.schema.dropIndex('reviews_store').ifExists().execute();
  },
};
