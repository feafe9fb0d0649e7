// Leaderboard HTTP: per event (its merchant, the channel's promoters, operators) and per channel
// (its promoters, operators).
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole } from '../platform/auth.ts';
import { BOARD_LIMIT_MAX, type LeaderboardsService } from './service.ts';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: "A day in Asia/Shanghai, 'YYYY-MM-DD'." });
const By = Type.Union([Type.Literal('gmv'), Type.Literal('orders')], { default: 'gmv', description: 'gmv: paid totals less refunds; orders: paid orders.' });
const Row = Type.Object({
  rank: Type.Integer({ description: '1-based; equal figures share a rank.' }),
  promoterId: Type.String(),
  displayName: Type.String(),
  orders: Type.Integer(),
  gmvFen: Type.Integer(),
}, { additionalProperties: false });
const Board = Type.Object({
  scope: Type.Union([Type.Literal('event'), Type.Literal('channel')]),
  scopeId: Type.String(),
  by: Type.Union([Type.Literal('gmv'), Type.Literal('orders')]),
  from: Type.Union([Type.String(), Type.Null()]),
  to: Type.Union([Type.String(), Type.Null()]),
  asOf: Type.String({ format: 'date-time', description: 'Boards refresh at most once a second.' }),
  promoterCount: Type.Integer({ description: 'Promoters with at least one paid order on this board.' }),
  items: Type.Array(Row),
  me: Type.Union([Row, Type.Null()], { description: "The calling promoter's own row, also when outside the top." }),
}, { additionalProperties: false });
const Limit = Type.Integer({ minimum: 1, maximum: BOARD_LIMIT_MAX, default: 50 });

export async function leaderboardsRoutes(app: App, boards: LeaderboardsService): Promise<void> {
  app.get('/api/v1/events/:eventId/leaderboard', {
    schema: {
      tags: ['promoters'],
      summary: "An event's promoters ranked by paid GMV or paid orders, live (the event's merchant, the channel's promoters, operators).",
      security: [{ bearer: [] }],
      params: Type.Object({ eventId: Id }),
      querystring: Type.Object({ by: By, limit: Limit }, { additionalProperties: false }),
      response: { 200: Board, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator', 'merchant', 'promoter');
    reply.header('cache-control', 'private, no-store');
    return boards.eventBoard(principal, request.params.eventId, request.query.by, request.query.limit);
  });

  app.get('/api/v1/channels/:channelId/leaderboard', {
    schema: {
      tags: ['promoters'],
      summary: "A channel's promoters ranked over a period of its events (the channel's promoters, operators).",
      description: 'The period is Asia/Shanghai days, both ends included; by default the 30 days ending today; at most 366 days.',
      security: [{ bearer: [] }],
      params: Type.Object({ channelId: Id }),
      querystring: Type.Object({ by: By, limit: Limit, from: Type.Optional(Day), to: Type.Optional(Day) }, { additionalProperties: false }),
      response: { 200: Board, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator', 'promoter');
    reply.header('cache-control', 'private, no-store');
    const { by, limit, from, to } = request.query;
    return boards.channelBoard(principal, request.params.channelId, by, limit, { from, to });
  });
}
