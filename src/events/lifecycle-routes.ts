// Lifecycle HTTP: the recorded status changes of an event, for its store's staff and operators.
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole, storeScope } from '../platform/auth.ts';
import { AppError } from '../platform/errors.ts';
import type { EventsService } from './service.ts';

/** Every event status (rules.ts EVENT_STATUSES), as a response schema. */
export const EventStatusSchema = Type.Union([
  Type.Literal('draft'), Type.Literal('submitted'), Type.Literal('scheduled'), Type.Literal('warmup'), Type.Literal('live'),
  Type.Literal('ended'), Type.Literal('settled'), Type.Literal('rejected'), Type.Literal('withdrawn'), Type.Literal('cancelled'),
]);
const Status = EventStatusSchema;

const TransitionSchema = Type.Object({
  from: Status,
  to: Status,
  at: Type.String({ format: 'date-time', description: 'When the move was made.' }),
  dueAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: "When a scheduler move fell due (earlier than `at` after a catch-up); null for a person's action." }),
  by: Type.String({ description: "'scheduler' or the id of the user who made the move." }),
}, { additionalProperties: false });

export async function lifecycleRoutes(app: App, events: EventsService): Promise<void> {
  app.get('/api/v1/events/:eventId/transitions', {
    schema: {
      tags: ['events'],
      summary: "An event's status changes, oldest first (operator, or the merchant of its store).",
      security: [{ bearer: [] }],
      params: Type.Object({ eventId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) }),
      response: { 200: Type.Object({ eventId: Type.String(), status: Status, items: Type.Array(TransitionSchema) }), ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator', 'merchant');
    const view = await events.loadEventView(request.params.eventId);
    if (!view) throw new AppError('NOT_FOUND');
    storeScope(principal, view.storeId);
    reply.header('cache-control', 'private, no-store');
    return { eventId: view.id, status: view.status, items: await events.transitionsOf(view.id) };
  });
}
