// Leaderboards' SQL: paid orders grouped by promoter, for an event (through orders_event_paid) or
// for a channel's events in a period.
import { sql } from 'kysely';
import type { Db } from '../platform/db/db.ts';
import type { PromoterTally } from './rules.ts';

const gmv = sql<number>`sum(orders.total_fen - orders.refunded_fen)`;

export async function talliesOfEvent(db: Db, eventId: string): Promise<PromoterTally[]> {
  const rows = await db.selectFrom('orders')
    .select(['orders.promoter_id', (eb) => eb.fn.countAll<number>().as('orders'), gmv.as('gmv_fen')])
    .where('orders.event_id', '=', eventId).where('orders.paid_at', 'is not', null).where('orders.promoter_id', 'is not', null)
    .groupBy('orders.promoter_id').execute();
  return rows.map((r) => ({ promoterId: r.promoter_id as string, orders: Number(r.orders), gmvFen: Number(r.gmv_fen) }));
}

/** Orders paid in [fromIso, toIso) of the channel's events. */
export async function talliesOfChannel(db: Db, channelId: string, fromIso: string, toIso: string): Promise<PromoterTally[]> {
  const rows = await db.selectFrom('orders')
    .innerJoin('events', 'events.id', 'orders.event_id')
    .select(['orders.promoter_id', (eb) => eb.fn.countAll<number>().as('orders'), gmv.as('gmv_fen')])
    .where('events.channel_id', '=', channelId).where('orders.paid_at', '>=', fromIso).where('orders.paid_at', '<', toIso)
    .where('orders.promoter_id', 'is not', null)
    .groupBy('orders.promoter_id').execute();
  return rows.map((r) => ({ promoterId: r.promoter_id as string, orders: Number(r.orders), gmvFen: Number(r.gmv_fen) }));
}

export async function eventScope(db: Db, eventId: string) {
  return db.selectFrom('events').select(['id', 'store_id', 'channel_id']).where('id', '=', eventId).executeTakeFirst();
}

export async function isChannelMember(db: Db, channelId: string, promoterId: string): Promise<boolean> {
  const row = await db.selectFrom('channel_promoters').select('promoter_id')
    .where('channel_id', '=', channelId).where('promoter_id', '=', promoterId).executeTakeFirst();
  return row !== undefined;
}
