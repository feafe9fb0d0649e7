// Channels HTTP: operators create and edit channels and their members; staff and promoters read
// them; a promoter lists their own channels.
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole } from '../platform/auth.ts';
import { AppError } from '../platform/errors.ts';
import { ATTRIBUTION_MODES, BP_MAX, MONTHLY_SLOT_CAP_MAX } from './rules.ts';
import type { ChannelsService } from './service.ts';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const RateBp = (what: string) => Type.Integer({ minimum: 0, maximum: BP_MAX, description: `${what}, in basis points (1/100 of a percent: 1500 = 15%).` });

const fields = {
  name: Type.String({ minLength: 1, maxLength: 80 }),
  vertical: Type.String({ minLength: 1, maxLength: 40, description: 'e.g. 母婴, 男装.' }),
  description: Type.String({ maxLength: 2000 }),
  monthlySlotCap: Type.Integer({ minimum: 0, maximum: MONTHLY_SLOT_CAP_MAX, description: 'Most days held or booked per calendar month (Asia/Shanghai).' }),
  defaultCommissionRateBp: RateBp('Commission offered by default'),
  minCommissionRateBp: RateBp('Lowest commission a brand may offer'),
  platformFeeRateBp: RateBp("The platform's fee"),
  leaderOverrideRateBp: RateBp("A team leader's override on a team member's order, of the order total, paid out of the platform fee (never above it)"),
  attribution: Type.Union([Type.Literal(ATTRIBUTION_MODES[0]), Type.Literal(ATTRIBUTION_MODES[1])], {
    description: 'Which promoter is credited when a buyer opened several links or codes of an event on one device: first_touch (the first stays) or last_touch (the latest replaces it).',
  }),
};

const ChannelSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  vertical: Type.String(),
  description: Type.String(),
  monthlySlotCap: Type.Integer(),
  defaultCommissionRateBp: Type.Integer(),
  minCommissionRateBp: Type.Integer(),
  platformFeeRateBp: Type.Integer(),
  leaderOverrideRateBp: Type.Integer(),
  attribution: fields.attribution,
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
}, { additionalProperties: false });

const MembershipSchema = Type.Object({
  channelId: Type.String(),
  promoterId: Type.String(),
  joinedAt: Type.String({ format: 'date-time' }),
}, { additionalProperties: false });

const PromoterChannelSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  vertical: Type.String(),
  description: Type.String(),
  defaultCommissionRateBp: Type.Integer(),
  minCommissionRateBp: Type.Integer(),
  joinedAt: Type.String({ format: 'date-time' }),
}, { additionalProperties: false });

const ChannelParams = Type.Object({ channelId: Id });

export async function channelsRoutes(app: App, channels: ChannelsService): Promise<void> {
  app.post('/api/v1/channels', {
    schema: {
      tags: ['channels'],
      summary: 'Create a promoter channel (operator).',
      description: 'Left out: description "", monthlySlotCap 31, defaultCommissionRateBp 1000, minCommissionRateBp 500, platformFeeRateBp 600, leaderOverrideRateBp 100, attribution last_touch. The default commission may not be below the minimum.',
      security: [{ bearer: [] }],
      body: Type.Object({
        name: fields.name,
        vertical: fields.vertical,
        description: Type.Optional(fields.description),
        monthlySlotCap: Type.Optional(fields.monthlySlotCap),
        defaultCommissionRateBp: Type.Optional(fields.defaultCommissionRateBp),
        minCommissionRateBp: Type.Optional(fields.minCommissionRateBp),
        platformFeeRateBp: Type.Optional(fields.platformFeeRateBp),
        leaderOverrideRateBp: Type.Optional(fields.leaderOverrideRateBp),
        attribution: Type.Optional(fields.attribution),
      }, { additionalProperties: false }),
      response: { 201: ChannelSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    requireRole(request, 'operator');
    return reply.status(201).send(await channels.createChannel(request.body));
  });

  app.get('/api/v1/channels', {
    schema: {
      tags: ['channels'],
      summary: 'List channels (staff and promoters).',
      security: [{ bearer: [] }],
      response: { 200: Type.Object({ items: Type.Array(ChannelSchema) }), ...errorResponses },
    },
  }, async (request) => {
    requireRole(request, 'operator', 'merchant', 'promoter');
    return { items: await channels.listChannels() };
  });

  app.get('/api/v1/channels/:channelId', {
    schema: {
      tags: ['channels'],
      summary: 'One channel with its terms (staff and promoters).',
      security: [{ bearer: [] }],
      params: ChannelParams,
      response: { 200: ChannelSchema, ...errorResponses },
    },
  }, async (request) => {
    requireRole(request, 'operator', 'merchant', 'promoter');
    const channel = await channels.getChannel(request.params.channelId);
    if (!channel) throw new AppError('NOT_FOUND');
    return channel;
  });

  app.patch('/api/v1/channels/:channelId', {
    schema: {
      tags: ['channels'],
      summary: "Change a channel's name, description or terms (operator).",
      description: 'A new monthlySlotCap applies from the current month (Asia/Shanghai) on; CONFLICT (409, details {months: [{month, used}]}) when a month already holds more days than it.',
      security: [{ bearer: [] }],
      params: ChannelParams,
      body: Type.Object({
        name: Type.Optional(fields.name),
        vertical: Type.Optional(fields.vertical),
        description: Type.Optional(fields.description),
        monthlySlotCap: Type.Optional(fields.monthlySlotCap),
        defaultCommissionRateBp: Type.Optional(fields.defaultCommissionRateBp),
        minCommissionRateBp: Type.Optional(fields.minCommissionRateBp),
        platformFeeRateBp: Type.Optional(fields.platformFeeRateBp),
        leaderOverrideRateBp: Type.Optional(fields.leaderOverrideRateBp),
        attribution: Type.Optional(fields.attribution),
      }, { additionalProperties: false, minProperties: 1 }),
      response: { 200: ChannelSchema, ...errorResponses },
    },
  }, async (request) => {
    requireRole(request, 'operator');
    return channels.updateChannel(request.params.channelId, request.body);
  });

  app.post('/api/v1/channels/:channelId/promoters', {
    schema: {
      tags: ['channels'],
      summary: 'Add a promoter to a channel (operator); 201 when added, 200 when they already belonged.',
      security: [{ bearer: [] }],
      params: ChannelParams,
      body: Type.Object({ promoterId: Id }, { additionalProperties: false }),
      response: { 200: MembershipSchema, 201: MembershipSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    requireRole(request, 'operator');
    const { membership, created } = await channels.addPromoter(request.params.channelId, request.body.promoterId);
    return reply.status(created ? 201 : 200).send(membership);
  });

  app.delete('/api/v1/channels/:channelId/promoters/:promoterId', {
    schema: {
      tags: ['channels'],
      summary: 'Remove a promoter from a channel (operator); removed is false when they did not belong.',
      security: [{ bearer: [] }],
      params: Type.Object({ channelId: Id, promoterId: Id }),
      response: { 200: Type.Object({ channelId: Type.String(), promoterId: Type.String(), removed: Type.Boolean() }, { additionalProperties: false }), ...errorResponses },
    },
  }, async (request) => {
    requireRole(request, 'operator');
    const { channelId, promoterId } = request.params;
    const { removed } = await channels.removePromoter(channelId, promoterId);
    return { channelId, promoterId, removed };
  });

  app.get('/api/v1/me/channels', {
    schema: {
      tags: ['channels'],
      summary: 'The channels the signed-in promoter belongs to (promoter).',
      security: [{ bearer: [] }],
      response: { 200: Type.Object({ items: Type.Array(PromoterChannelSchema) }), ...errorResponses },
    },
  }, async (request) => {
    const principal = requireRole(request, 'promoter');
    return { items: await channels.channelsOfPromoter(principal.userId) };
  });
}
