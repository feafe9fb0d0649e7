// STUB of the contract other features rely on — the events feature implements it in full.
import type { AppContext } from '../platform/context.ts';
import type { CatalogService } from '../catalog/service.ts';
import type { EventStatus } from '../platform/db/schema.ts';

export interface OfferView {
  id: string;
  eventId: string;
  skuId: string;
  productId: string;
  productTitle: string;
  skuCode: string;
  attributes: Record<string, string>;
  imageUrl: string | null;
  publicPriceFen: number;
  /** Hidden: only ever sent to a caller with valid access to the event while it is live. */
  clearancePriceFen: number;
  allocatedUnits: number;
  reservedUnits: number;
  perBuyerLimit: number;
  isHero: boolean;
  position: number;
}

export interface EventView {
  id: string;
  storeId: string;
  storeSlug: string;
  storeName: string;
  channelId: string;
  title: string;
  startsAt: string;
  endsAt: string;
  status: EventStatus;
  allocationReturnedAt: string | null;
  offers: OfferView[];
}

export interface EventsService {
  /** The event with its offers (hidden prices included: callers decide what to show), or null. */
  loadEventView(eventId: string): Promise<EventView | null>;
  /** Called after an event has ended and its unsold allocation went back to store stock. */
  onEventEnded(listener: (eventId: string) => void): void;
}

export function createEventsService(_ctx: AppContext, _catalog: CatalogService): EventsService {
  return { loadEventView: async () => null, onEventEnded: () => {} };
}
