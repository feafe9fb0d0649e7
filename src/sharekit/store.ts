// The share kit's SQL: copy templates per event, the promoter's name, and bulk link generation
// (the channel's approved members without a link, multi-row inserts that skip conflicts).
import type { Db } from '../platform/db/db.ts';
import type { EventCopyTemplatesTable, PromoterLinksTable } from '../platform/db/schema.ts';

export type TemplateRow = Omit<EventCopyTemplatesTable, 'position'> & { position: number };

const templateColumns = ['id', 'event_id', 'title', 'body', 'position', 'created_by', 'created_at', 'deleted_at'] as const;

export async function listTemplates(db: Db, eventId: string, limit: number): Promise<TemplateRow[]> {
  return db.selectFrom('event_copy_templates').select(templateColumns)
    .where('event_id', '=', eventId).where('deleted_at', 'is', null)
    .orderBy('position').orderBy('id').limit(limit).execute();
}

export async function findTemplate(db: Db, eventId: string, id: string): Promise<TemplateRow | undefined> {
  return db.selectFrom('event_copy_templates').select(templateColumns)
    .where('id', '=', id).where('event_id', '=', eventId).where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function countTemplates(db: Db, eventId: string): Promise<number> {
  const row = await db.selectFrom('event_copy_templates').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('event_id', '=', eventId).where('deleted_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertTemplate(db: Db, row: TemplateRow): Promise<void> {
  await db.insertInto('event_copy_templates').values(row).execute();
}

export async function updateTemplate(db: Db, eventId: string, id: string, changes: Partial<Pick<TemplateRow, 'title' | 'body' | 'position'>>): Promise<boolean> {
  const result = await db.updateTable('event_copy_templates').set(changes)
    .where('id', '=', id).where('event_id', '=', eventId).where('deleted_at', 'is', null).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function softDeleteTemplate(db: Db, eventId: string, id: string, nowIso: string): Promise<boolean> {
  const result = await db.updateTable('event_copy_templates').set({ deleted_at: nowIso })
    .where('id', '=', id).where('event_id', '=', eventId).where('deleted_at', 'is', null).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function promoterName(db: Db, userId: string): Promise<string> {
  const row = await db.selectFrom('users').select('display_name').where('id', '=', userId).executeTakeFirst();
  return row?.display_name ?? '';
}

/**
 * The next `limit` approved members of the channel (by id, after `afterId`) with no link for the
 * event yet: one keyset page over the channel's primary key, with an anti-join on the link's
 * unique (event, promoter) index.
 */
export async function promotersWithoutLink(db: Db, channelId: string, eventId: string, afterId: string, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('channel_promoters as cp')
    .innerJoin('promoter_profiles as pp', 'pp.user_id', 'cp.promoter_id')
    .select('cp.promoter_id')
    .where('cp.channel_id', '=', channelId)
    .where('cp.promoter_id', '>', afterId)
    .where('pp.status', '=', 'approved')
    .where((eb) => eb.not(eb.exists(eb.selectFrom('promoter_links as pl').select('pl.id')
      .whereRef('pl.promoter_id', '=', 'cp.promoter_id').where('pl.event_id', '=', eventId))))
    .orderBy('cp.promoter_id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.promoter_id);
}

/** Inserts the rows in one statement, skipping any that conflict; returns the promoters whose row landed. */
export async function insertLinksSkippingConflicts(db: Db, rows: PromoterLinksTable[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const landed = await db.insertInto('promoter_links').values(rows)
    .onConflict((oc) => oc.doNothing())
    .returning('promoter_id')
    .execute();
  return new Set(landed.map((r) => r.promoter_id));
}

/** Which of these promoters now hold a link for the event. */
export async function promotersWithLink(db: Db, eventId: string, promoterIds: string[]): Promise<Set<string>> {
  if (promoterIds.length === 0) return new Set();
  const rows = await db.selectFrom('promoter_links').select('promoter_id')
    .where('event_id', '=', eventId).where('promoter_id', 'in', promoterIds).execute();
  return new Set(rows.map((r) => r.promoter_id));
}
