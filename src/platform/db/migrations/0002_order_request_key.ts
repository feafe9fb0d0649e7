// Orders remember the Idempotency-Key of the request that made them: it ties each row of a
// group-committed multi-row insert back to its request, and traces an order to its request.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against any past schema
type AnyDb = Kysely<any>;

export const orderRequestKeyMigration = {
  async up(db: AnyDb): Promise<void> {
    await db.schema.alterTable('orders').addColumn('request_key', 'text').execute();
  },
  async down(db: AnyDb): Promise<void> {
    await db.schema.alterTable('orders').dropColumn('request_key').execute();
  },
};
