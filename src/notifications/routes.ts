// Notices HTTP: every signed-in caller reads its own notices (a merchant its store's, an operator
// the platform's) and marks them read.
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole } from '../platform/auth.ts';
import type { NotificationsService } from './service.ts';

const NoticeId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

const Text = Type.Object({ zh: Type.String(), en: Type.String() }, { additionalProperties: false });

const NoticeSchema = Type.Object({
  id: Type.String(),
  kind: Type.String({ description: 'submitted, approved, rejected, warmup, live, ended, sold_out.' }),
  title: Text,
  body: Text,
  data: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Null()]), { description: 'Ids the notice is about.' }),
  createdAt: Type.String({ format: 'date-time' }),
  readAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
}, { additionalProperties: false });

export async function notificationsRoutes(app: App, notifications: NotificationsService, pageMax: number): Promise<void> {
  app.get('/api/v1/me/notices', {
    schema: {
      tags: ['notifications'],
      summary: "The caller's in-app notices, newest first (merchant: its store's; operator: the platform's; everyone: their own).",
      security: [{ bearer: [] }],
      querystring: Type.Object({
        limit: Type.Integer({ minimum: 1, maximum: pageMax, default: 50 }),
        cursor: Type.Optional(NoticeId),
        unread: Type.Optional(Type.Boolean({ description: 'Only notices not read yet.' })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(NoticeSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator', 'merchant', 'promoter', 'buyer');
    reply.header('cache-control', 'private, no-store');
    const { limit, cursor, unread } = request.query;
    return notifications.noticesFor(principal, { limit, ...(cursor !== undefined ? { before: cursor } : {}), unreadOnly: unread === true });
  });

  app.post('/api/v1/me/notices/:id/read', {
    schema: {
      tags: ['notifications'],
      summary: 'Marks one of the caller\'s notices read (the first read is kept).',
      security: [{ bearer: [] }],
      params: Type.Object({ id: NoticeId }),
      response: { 200: NoticeSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator', 'merchant', 'promoter', 'buyer');
    reply.header('cache-control', 'private, no-store');
    return notifications.markRead(principal, request.params.id);
  });
}
