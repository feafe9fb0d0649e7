// The in-memory book of hot offers: how many units are left and what each buyer holds. A
// reservation is decided here, synchronously, so a burst on one SKU never waits on a row lock;
// the database (conditional updates + CHECK constraints) stays the guard that no path can skip.
import type { EventView } from '../events/service.ts';

export interface OfferState {
  offerId: string;
  eventId: string;
  storeId: string;
  skuId: string;
  productTitle: string;
  clearancePriceFen: number;
  perBuyerLimit: number;
  startsAtMs: number;
  endsAtMs: number;
  /** Allocation minus units held or sold, including reservations still being committed. */
  remaining: number;
  held: Map<string, number>;
}

export class OfferBook {
  private readonly offers = new Map<string, OfferState>();
  private readonly loading = new Map<string, Promise<void>>();

  get(offerId: string): OfferState | undefined {
    return this.offers.get(offerId);
  }

  /** Loads an event's offers once, however many requests ask at the same moment. */
  async ensureEvent(eventId: string, load: () => Promise<{ event: EventView; holdings: Array<{ offerId: string; buyerId: string; units: number }> } | null>): Promise<void> {
    let pending = this.loading.get(eventId);
    if (!pending) {
      pending = (async () => {
        const loaded = await load();
        if (!loaded) return;
        const { event, holdings } = loaded;
        for (const offer of event.offers) {
          this.offers.set(offer.id, {
            offerId: offer.id,
            eventId: event.id,
            storeId: event.storeId,
            skuId: offer.skuId,
            productTitle: offer.productTitle,
            clearancePriceFen: offer.clearancePriceFen,
            perBuyerLimit: offer.perBuyerLimit,
            startsAtMs: Date.parse(event.startsAt),
            endsAtMs: Date.parse(event.endsAt),
            remaining: offer.allocatedUnits - offer.reservedUnits,
            held: new Map(),
          });
        }
        for (const h of holdings) this.offers.get(h.offerId)?.held.set(h.buyerId, h.units);
      })().finally(() => this.loading.delete(eventId));
      this.loading.set(eventId, pending);
    }
    await pending;
  }

  take(state: OfferState, buyerId: string, quantity: number): void {
    state.remaining -= quantity;
    state.held.set(buyerId, (state.held.get(buyerId) ?? 0) + quantity);
    if (state.remaining < 0) throw new Error(`book invariant broken: offer ${state.offerId} remaining ${state.remaining}`);
  }

  giveBack(offerId: string, buyerId: string, quantity: number): void {
    const state = this.offers.get(offerId);
    if (!state) return;
    state.remaining += quantity;
    const held = (state.held.get(buyerId) ?? 0) - quantity;
    if (held > 0) state.held.set(buyerId, held);
    else state.held.delete(buyerId);
  }

  /** Forgets an event (it ended, or the database disagreed): the next request reloads from the truth. */
  forgetEvent(eventId: string): void {
    for (const [id, state] of this.offers) if (state.eventId === eventId) this.offers.delete(id);
  }

  clear(): void {
    this.offers.clear();
  }
}
