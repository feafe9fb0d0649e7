// What buyers are shown of an event's offers, and how access travels (cookie or header).
import { Type, type Static } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventView } from '../events/service.ts';
import type { AccessService, OpenedAccess } from './service.ts';
import type { Phase } from './rules.ts';

export const ACCESS_HEADER = 'x-hushsale-access';

export const BuyerOffer = Type.Object({
  offerId: Type.String(),
  skuId: Type.String(),
  productTitle: Type.String(),
  skuCode: Type.String(),
  attributes: Type.Record(Type.String(), Type.String()),
  imageUrl: Type.Union([Type.String(), Type.Null()]),
  publicPriceFen: Type.Integer(),
  clearancePriceFen: Type.Optional(Type.Integer({ description: 'Present only with valid access while the event is live.' })),
  perBuyerLimit: Type.Integer(),
  isHero: Type.Boolean(),
  soldOut: Type.Boolean(),
});

export function buyerOffers(event: EventView, phase: Phase): Static<typeof BuyerOffer>[] {
  return event.offers.map((offer) => ({
    offerId: offer.id,
    skuId: offer.skuId,
    productTitle: offer.productTitle,
    skuCode: offer.skuCode,
    attributes: offer.attributes,
    imageUrl: offer.imageUrl,
    publicPriceFen: offer.publicPriceFen,
    ...(phase === 'live' ? { clearancePriceFen: offer.clearancePriceFen } : {}),
    perBuyerLimit: offer.perBuyerLimit,
    isHero: offer.isHero,
    soldOut: offer.reservedUnits >= offer.allocatedUnits,
  }));
}

export function setAccessCookie(reply: FastifyReply, access: AccessService, opened: OpenedAccess, secure: boolean): void {
  reply.setCookie(access.accessCookieName(opened.grant.eventId), opened.accessToken, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    expires: new Date(opened.expiresAtMs),
  });
}

/** The access token a request carries for an event: header first, then the event's cookie. */
export function accessTokenOf(request: FastifyRequest, access: AccessService, eventId: string): string | undefined {
  const header = request.headers[ACCESS_HEADER];
  if (typeof header === 'string' && header.length > 0) return header;
  return request.cookies[access.accessCookieName(eventId)];
}

