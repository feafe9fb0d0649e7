// Share-kit routes: the promoter's kit and poster (clearance prices: private), the event's copy
// templates (its merchant or an operator), and bulk link generation (operator).
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole } from '../platform/auth.ts';
import { TEMPLATE_BODY_MAX_CHARS, TEMPLATE_TITLE_MAX_CHARS, TEMPLATE_VARIABLES } from './rules.ts';
import type { SharekitService } from './service.ts';

const bearer = [{ bearer: [] }];
const EventIdParams = Type.Object({ eventId: Type.String({ pattern: '^evt_[0-9a-z]{26}$' }) });
const TemplateParams = Type.Object({ eventId: Type.String({ pattern: '^evt_[0-9a-z]{26}$' }), id: Type.String({ pattern: '^tpl_[0-9a-z]{26}$' }) });
const variablesText = TEMPLATE_VARIABLES.map((v) => `{${v}}`).join(', ');

const Kit = Type.Object({
  eventId: Type.String(),
  event: Type.Object({
    title: Type.String(),
    storeName: Type.String(),
    startsAt: Type.String({ format: 'date-time' }),
    endsAt: Type.String({ format: 'date-time' }),
    window: Type.Object({
      start: Type.String({ description: 'e.g. "12月10日 10:00" (Asia/Shanghai).' }),
      end: Type.String(),
      text: Type.String({ description: 'e.g. "12月10日 10:00–22:00" (Asia/Shanghai).' }),
      timeZone: Type.Literal('Asia/Shanghai'),
    }),
  }),
  link: Type.Object({ linkId: Type.String(), url: Type.String(), token: Type.String(), shareCode: Type.String(), shareText: Type.String() }),
  offers: Type.Array(Type.Object({
    offerId: Type.String(),
    skuId: Type.String(),
    productTitle: Type.String(),
    attributes: Type.Record(Type.String(), Type.String()),
    imageUrl: Type.Union([Type.String(), Type.Null()]),
    publicPriceFen: Type.Integer(),
    clearancePriceFen: Type.Integer({ description: 'Shown to the promoter only (private, no-store).' }),
    perBuyerLimit: Type.Integer(),
    isHero: Type.Boolean(),
    position: Type.Integer(),
  }), { description: 'Heroes first.' }),
  copies: Type.Array(Type.Object({
    templateId: Type.Union([Type.String(), Type.Null()], { description: 'null for a default text (the event has no template).' }),
    title: Type.String(),
    text: Type.String(),
  })),
  posterUrl: Type.String(),
});

const Template = Type.Object({
  id: Type.String(),
  eventId: Type.String(),
  title: Type.String(),
  body: Type.String(),
  position: Type.Integer(),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});

const bodyDescription = `Text with variables ${variablesText} ({start}/{end} in Asia/Shanghai, {price}/{publicPrice} in yuan). "{{" and "}}" are literal braces.`;
const TemplateInput = Type.Object({
  title: Type.String({ minLength: 1, maxLength: TEMPLATE_TITLE_MAX_CHARS }),
  body: Type.String({ minLength: 1, maxLength: TEMPLATE_BODY_MAX_CHARS, description: bodyDescription }),
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
}, { additionalProperties: false });
const TemplatePatch = Type.Object({
  title: Type.Optional(Type.String({ minLength: 1, maxLength: TEMPLATE_TITLE_MAX_CHARS })),
  body: Type.Optional(Type.String({ minLength: 1, maxLength: TEMPLATE_BODY_MAX_CHARS, description: bodyDescription })),
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
}, { additionalProperties: false });

export async function sharekitRoutes(app: App, sharekit: SharekitService): Promise<void> {
  app.get('/api/v1/events/:eventId/kit', {
    schema: {
      tags: ['sharekit'],
      summary: "The calling promoter's share kit for an event: link, share code, texts, window, offers with clearance prices, poster URL.",
      description: 'From warm-up on, for an approved promoter of the event\'s channel (the rules of POST /events/{eventId}/links). Private, never cached.',
      security: bearer,
      params: EventIdParams,
      response: { 200: Kit, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'promoter');
    const kit = await sharekit.kitFor(principal.userId, request.params.eventId);
    reply.header('cache-control', 'private, no-store');
    return kit;
  });

  app.get('/api/v1/events/:eventId/kit/poster.png', {
    schema: {
      tags: ['sharekit'],
      summary: "The calling promoter's poster (PNG, 750x1334): brand, heroes, window, prices, QR code of the link, share code.",
      security: bearer,
      params: EventIdParams,
      response: {
        200: { description: 'A PNG image.', content: { 'image/png': { schema: Type.String({ format: 'binary' }) } } },
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'promoter');
    const { png } = await sharekit.posterFor(principal.userId, request.params.eventId);
    // The poster shows the clearance price: the promoter's browser may keep it, shared caches never.
    reply.header('cache-control', 'private, max-age=300');
    reply.type('image/png');
    // Bytes go out as they are (Fastify serialises only objects); the schema above only documents them.
    return reply.send(png as unknown as string);
  });

  app.get('/api/v1/events/:eventId/copy-templates', {
    schema: {
      tags: ['sharekit'],
      summary: "The event's copy templates (its merchant or an operator).",
      security: bearer,
      params: EventIdParams,
      response: { 200: Type.Object({ templates: Type.Array(Template), variables: Type.Array(Type.String()) }), ...errorResponses },
    },
  }, async (request) => {
    const principal = requireRole(request, 'merchant', 'operator');
    return { templates: await sharekit.listTemplates(principal, request.params.eventId), variables: [...TEMPLATE_VARIABLES] };
  });

  app.post('/api/v1/events/:eventId/copy-templates', {
    schema: {
      tags: ['sharekit'],
      summary: 'Adds a copy template to the event. Unknown variables or unbalanced braces: 400 VALIDATION_FAILED naming them.',
      security: bearer,
      params: EventIdParams,
      body: TemplateInput,
      response: { 201: Template, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'merchant', 'operator');
    const created = await sharekit.createTemplate(principal, request.params.eventId, request.body);
    return reply.status(201).send(created);
  });

  app.patch('/api/v1/events/:eventId/copy-templates/:id', {
    schema: {
      tags: ['sharekit'],
      summary: 'Changes a copy template (title, body, position).',
      security: bearer,
      params: TemplateParams,
      body: TemplatePatch,
      response: { 200: Template, ...errorResponses },
    },
  }, async (request) => {
    const principal = requireRole(request, 'merchant', 'operator');
    return sharekit.updateTemplate(principal, request.params.eventId, request.params.id, request.body);
  });

  app.delete('/api/v1/events/:eventId/copy-templates/:id', {
    schema: {
      tags: ['sharekit'],
      summary: 'Deletes a copy template.',
      security: bearer,
      params: TemplateParams,
      response: { 200: Type.Object({ deleted: Type.Boolean() }), ...errorResponses },
    },
  }, async (request) => {
    const principal = requireRole(request, 'merchant', 'operator');
    await sharekit.deleteTemplate(principal, request.params.eventId, request.params.id);
    return { deleted: true };
  });

  app.post('/api/v1/events/:eventId/links/bulk', {
    schema: {
      tags: ['sharekit'],
      summary: "Makes links and share codes for every approved promoter of the event's channel who has none yet (from warm-up on).",
      security: bearer,
      params: EventIdParams,
      response: {
        200: Type.Object({
          created: Type.Integer({ description: 'Links made by this call (0 when every member already had one).' }),
          batches: Type.Integer(),
          elapsedMs: Type.Integer(),
        }),
        ...errorResponses,
      },
    },
  }, async (request) => {
    requireRole(request, 'operator');
    return sharekit.bulkLinks(request.params.eventId);
  });
}
