// Applications' SQL: one row per draft, its lot as JSON (a handful of offers, read and written whole).
import type { Kysely } from 'kysely';
import type { Database, EventApplicationsTable } from '../platform/db/schema.ts';

export type ApplicationRow = EventApplicationsTable;
type Executor = Kysely<Database>;

export async function insertApplication(db: Executor, row: ApplicationRow): Promise<void> {
  await db.insertInto('event_applications').values(row).execute();
}

export async function findApplication(db: Executor, id: string): Promise<ApplicationRow | undefined> {
  return db.selectFrom('event_applications').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listApplications(db: Executor, filter: { storeId?: string; status?: ApplicationRow['status'] }, limit: number): Promise<ApplicationRow[]> {
  let query = db.selectFrom('event_applications').selectAll();
  if (filter.storeId !== undefined) query = query.where('store_id', '=', filter.storeId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  return query.orderBy('created_at', 'desc').limit(limit).execute();
}

/** Moves an application from one status to another; false when it was no longer in `from`. */
export async function moveApplication(db: Executor, id: string, from: ReadonlyArray<ApplicationRow['status']>, changes: Partial<ApplicationRow>): Promise<boolean> {
  const result = await db.updateTable('event_applications').set(changes).where('id', '=', id).where('status', 'in', [...from]).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Submitted applications whose hold on a day has lapsed, oldest first. */
export async function lapsedHolds(db: Executor, nowIso: string, limit: number): Promise<ApplicationRow[]> {
  return db.selectFrom('event_applications').selectAll().where('status', '=', 'submitted')
    .where('hold_expires_at', 'is not', null).where('hold_expires_at', '<=', nowIso).orderBy('hold_expires_at').limit(limit).execute();
}

export async function freeStockOf(db: Executor, storeId: string, skuIds: string[]): Promise<Map<string, number>> {
  if (skuIds.length === 0) return new Map();
  const rows = await db.selectFrom('skus').select(['id', 'stock_units']).where('store_id', '=', storeId).where('id', 'in', skuIds).execute();
  return new Map(rows.map((r) => [r.id, r.stock_units]));
}
