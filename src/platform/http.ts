// The HTTP server every feature plugs its routes into: schemas (TypeBox -> validation, types,
// OpenAPI), one error handler mapping codes to statuses, health and readiness, security headers.
import crypto from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyBaseLogger, type RawServerDefault, type RawRequestDefaultExpression, type RawReplyDefaultExpression } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { AppError, errorCodes, isAppError, messageFor, statusOfKind, type ErrorCode } from './errors.ts';
import { authenticate, type Authenticator } from './auth.ts';

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export const ErrorBody = Type.Object(
  {
    code: Type.String({ description: 'Stable machine-readable code, e.g. SOLD_OUT.' }),
    message: Type.String({ description: 'Human-readable, in zh-CN or English after Accept-Language.' }),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'Error', description: 'Every refusal: a 4xx (or 5xx) status with a stable code.' },
);

const errorRef = Type.Unsafe<{ code: string; message: string; details?: Record<string, unknown> }>(Type.Ref('Error'));

/** Error responses every route declares, so that every status has a schema. */
export const errorResponses = {
  400: errorRef,
  401: errorRef,
  403: errorRef,
  404: errorRef,
  409: errorRef,
  410: errorRef,
  413: errorRef,
  415: errorRef,
  429: errorRef,
  500: errorRef,
  503: errorRef,
} as const;

export interface HttpOptions {
  logger: FastifyBaseLogger;
  bodyLimitBytes: number;
  auth: Authenticator;
  publicBaseUrl: string;
}

/** Paths and fields never written to logs in clear. */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.mobile',
  '*.address',
  '*.phone',
  '*.code',
  '*.apiKey',
  '*.token',
];

function languageOf(acceptLanguage: string | undefined): 'en' | 'zh' {
  return acceptLanguage?.trim().toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

function fastifyErrorCode(error: FastifyError): ErrorCode | null {
  if (error.validation) return 'VALIDATION_FAILED';
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'MALFORMED_JSON';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'PAYLOAD_TOO_LARGE';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'UNSUPPORTED_MEDIA_TYPE';
    default:
      break;
  }
  if (error instanceof SyntaxError) return 'MALFORMED_JSON';
  if (error.statusCode === 429) return 'RATE_LIMITED';
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return 'VALIDATION_FAILED';
  return null;
}

export async function buildHttpServer(options: HttpOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : crypto.randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    // Closing answers 503 NOT_READY from our own hook (readiness goes false first), in our error shape.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // A malformed URL or an over-long path parameter never reaches the error handler; answer it
    // in the same shape (Fastify's own body has no stable code and echoes the path back).
    frameworkErrors: (_error, request, reply: FastifyReply) => {
      void reply.status(400).send({ code: 'VALIDATION_FAILED', message: messageFor('VALIDATION_FAILED', languageOf(request.headers['accept-language'])) });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addSchema(ErrorBody);
  // JSON only: a text/plain body would pass as a string (and is what a cross-site form can send
  // without a preflight); refuse it with 415 UNSUPPORTED_MEDIA_TYPE like any other type.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('principal', null);
  const readiness = { ready: false };
  app.decorate('readiness', readiness);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const language = languageOf(request.headers['accept-language']);
    if (isAppError(error)) {
      const message = error.message === errorCodes[error.code].en ? messageFor(error.code, language) : error.message;
      return reply.status(error.status).send({ code: error.code, message, ...(error.details ? { details: error.details } : {}) });
    }
    const code = fastifyErrorCode(error);
    if (code) {
      const details = error.validation
        ? { issues: error.validation.map((v) => ({ path: v.instancePath || `${error.validationContext ?? ''}`, message: v.message ?? 'invalid' })) }
        : undefined;
      return reply.status(statusOfKind[errorCodes[code].kind]).send({ code, message: messageFor(code, language), ...(details ? { details } : {}) });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send({ code: 'INTERNAL', message: messageFor('INTERNAL', language) });
  });

  app.setNotFoundHandler((request, reply) => {
    const language = languageOf(request.headers['accept-language']);
    reply.status(404).send({ code: 'ROUTE_NOT_FOUND', message: messageFor('ROUTE_NOT_FOUND', language) });
  });

  await app.register(fastifyCookie);
  // After the cookie plugin, so the session cookie is parsed before we read it.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const path = request.url.split('?', 1)[0];
    if (!readiness.ready && path !== '/healthz' && path !== '/readyz') throw new AppError('NOT_READY');
    request.principal = await authenticate(options.auth, request);
  });

  // Off by default; routes that guard guessable things (share codes, one-time codes) opt in.
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => ({ statusCode: 429, code: 'RATE_LIMITED', message: `Too many requests; retry in ${Math.ceil(context.ttl / 1000)} s.` }),
  });
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        'img-src': ["'self'", 'data:', 'https:'],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
      },
    },
    // Pages are opened from chat apps on phones; keep referrers from leaking link tokens.
    referrerPolicy: { policy: 'no-referrer' },
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Hushsale API',
        version: '0.1.0',
        description: 'Hidden-price brand clearance sales. Errors are `{code, message, details?}` with a stable code. Money is integer fen; times are UTC ISO-8601.',
      },
      servers: [{ url: options.publicBaseUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A session token (hss.…) or an API key (hsk_…).' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });

  app.get('/healthz', { schema: { tags: ['operations'], summary: 'Liveness: the process answers.', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({ status: 'ok' as const }));
  app.get('/readyz', {
    schema: {
      tags: ['operations'],
      summary: 'Readiness: 200 once migrations have run, 503 before.',
      response: { 200: Type.Object({ status: Type.Literal('ready') }), 503: errorRef },
    },
  }, async () => {
    if (!readiness.ready) throw new AppError('NOT_READY');
    return { status: 'ready' as const };
  });
  app.get('/openapi.json', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=60');
    return reply.send(app.swagger());
  });
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    readiness: { ready: boolean };
  }
}
