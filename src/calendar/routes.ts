// Calendar HTTP: a channel's month, each day free, held or booked. Operators see which event holds
// or booked a day; merchants see the states only, never another brand's event.
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole } from '../platform/auth.ts';
import { merchantMonthView, type CalendarService } from './service.ts';
import { shanghaiMonth } from './rules.ts';
import type { Clock } from '../platform/clock.ts';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

const DaySchema = Type.Object({
  day: Type.String({ description: 'YYYY-MM-DD in Asia/Shanghai.' }),
  state: Type.Union([Type.Literal('free'), Type.Literal('held'), Type.Literal('booked')], { description: 'A hold past its expiry shows as free.' }),
  eventId: Type.Optional(Type.String({ description: 'Operators only.' })),
  holdUntil: Type.Optional(Type.String({ format: 'date-time', description: 'Operators only, held days: when the hold lapses.' })),
}, { additionalProperties: false });

const MonthSchema = Type.Object({
  channelId: Type.String(),
  month: Type.String({ description: 'YYYY-MM in Asia/Shanghai.' }),
  cap: Type.Integer({ description: 'Most days held or booked this month.' }),
  used: Type.Integer({ description: 'Days held or booked this month.' }),
  days: Type.Array(DaySchema),
}, { additionalProperties: false });

export async function calendarRoutes(app: App, calendar: CalendarService, clock: Clock): Promise<void> {
  app.get('/api/v1/channels/:channelId/calendar', {
    schema: {
      tags: ['channels'],
      summary: "A channel's month: every day free, held or booked, with the slot cap and count (operator, merchant).",
      description: 'Merchants see states only; operators also see the event of each held or booked day.',
      security: [{ bearer: [] }],
      params: Type.Object({ channelId: Id }),
      querystring: Type.Object({
        month: Type.Optional(Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM (Asia/Shanghai); the current month when left out.' })),
      }, { additionalProperties: false }),
      response: { 200: MonthSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator', 'merchant');
    const view = await calendar.monthView(request.params.channelId, request.query.month ?? shanghaiMonth(clock.nowMs()));
    reply.header('cache-control', 'private, no-store');
    return principal.role === 'operator' ? view : merchantMonthView(view);
  });
}
