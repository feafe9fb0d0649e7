// HTTP of the accounts feature: sessions from API keys, one-time-code sign-in, the caller, merchants,
// promoters, API keys, and the phone sign-in page.
import { Type } from 'typebox';
import type { FastifyReply } from 'fastify';
import { SESSION_COOKIE, requireRole } from '../platform/auth.ts';
import { errorResponses, type App } from '../platform/http.ts';
import type { AccountsService, SessionGrant } from './service.ts';
import { renderLoginPage } from './pages.ts';
import { MOBILE_PATTERN, OTP_PATTERN, STORE_SLUG_PATTERN, safeNextPath } from './rules.ts';

const bearer = [{ bearer: [] }];
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const RoleSchema = Type.Union([Type.Literal('operator'), Type.Literal('merchant'), Type.Literal('promoter'), Type.Literal('buyer')]);
const MobileRoleSchema = Type.Union([Type.Literal('buyer'), Type.Literal('promoter')], { description: 'Who signs in by mobile number.' });
const Mobile = Type.String({ pattern: MOBILE_PATTERN, description: 'Mainland China mobile number, 11 digits.', examples: ['13812345678'] });
const Name = Type.String({ minLength: 1, maxLength: 60, pattern: '\\S' });

const SessionGrantSchema = Type.Object({
  token: Type.String({ description: 'Bearer token; the same value is set as the hs_session cookie.' }),
  expiresAt: Type.String({ description: 'UTC ISO-8601.' }),
  role: RoleSchema,
  userId: Type.String(),
});

const UserSchema = Type.Object({
  id: Type.String(),
  role: RoleSchema,
  displayName: Type.String(),
  storeId: Nullable(Type.String()),
  mobile: Nullable(Type.String({ description: 'Masked, e.g. 138****5678.' })),
  createdAt: Type.String(),
});

const StoreSchema = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  logoUrl: Nullable(Type.String()),
  createdAt: Type.String(),
});

const apiKeyFields = {
  id: Type.String(),
  prefix: Type.String({ description: 'The first characters of the key, to tell keys apart.' }),
  label: Type.String(),
  createdAt: Type.String(),
  revokedAt: Nullable(Type.String()),
};
const ApiKeySchema = Type.Object(apiKeyFields);
const CreatedApiKeySchema = Type.Object({
  ...apiKeyFields,
  key: Type.String({ description: 'The whole key (hsk_…). Shown this once only: it is stored as a hash.' }),
});

const MerchantSchema = Type.Object({ merchant: UserSchema, store: StoreSchema });

function setSessionCookie(reply: FastifyReply, accounts: AccountsService, session: SessionGrant): void {
  reply.setCookie(SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: accounts.secureCookies,
    expires: new Date(session.expiresAtMs),
  });
}

function grantBody(session: SessionGrant) {
  return { token: session.token, expiresAt: session.expiresAt, role: session.role, userId: session.userId };
}

export async function accountsRoutes(app: App, accounts: AccountsService): Promise<void> {
  app.post('/api/v1/sessions', {
    schema: {
      tags: ['accounts'],
      summary: 'Sign in with an API key (operators, merchants): returns a session token and sets the hs_session cookie.',
      body: Type.Object({ apiKey: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
      response: { 200: SessionGrantSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const session = await accounts.signInWithApiKey(request.body.apiKey);
    setSessionCookie(reply, accounts, session);
    return grantBody(session);
  });

  app.delete('/api/v1/sessions', {
    schema: {
      tags: ['accounts'],
      summary: 'Sign out: clears the hs_session cookie.',
      response: { 200: Type.Object({ signedOut: Type.Literal(true) }), ...errorResponses },
    },
  }, async (_request, reply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { signedOut: true as const };
  });

  app.post('/api/v1/auth/otp/request', {
    schema: {
      tags: ['accounts'],
      summary: 'Send a 6-digit sign-in code by SMS to a buyer or promoter (rate limited per number).',
      body: Type.Object({ mobile: Mobile, role: MobileRoleSchema }, { additionalProperties: false }),
      response: {
        200: Type.Object({ sentTo: Type.String({ description: 'The masked number.' }), expiresAt: Type.String() }),
        ...errorResponses,
      },
    },
  }, async (request) => accounts.requestOtp(request.body.mobile, request.body.role));

  app.post('/api/v1/auth/otp/verify', {
    schema: {
      tags: ['accounts'],
      summary: 'Sign in with the code: creates the buyer or promoter on first sign-in, sets the hs_session cookie.',
      body: Type.Object(
        { mobile: Mobile, role: MobileRoleSchema, code: Type.String({ pattern: OTP_PATTERN }) },
        { additionalProperties: false },
      ),
      response: { 200: SessionGrantSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const session = await accounts.verifyOtp(request.body.mobile, request.body.role, request.body.code);
    setSessionCookie(reply, accounts, session);
    return grantBody(session);
  });

  app.get('/api/v1/me', {
    schema: {
      tags: ['accounts'],
      summary: 'The signed-in caller.',
      security: bearer,
      response: { 200: UserSchema, ...errorResponses },
    },
  }, async (request) => accounts.me(requireRole(request, 'operator', 'merchant', 'promoter', 'buyer')));

  app.post('/api/v1/merchants', {
    schema: {
      tags: ['accounts'],
      summary: 'Operator: add a brand: its store, a merchant user and a first API key (shown once).',
      security: bearer,
      body: Type.Object({
        storeName: Name,
        storeSlug: Type.String({ minLength: 2, maxLength: 40, pattern: STORE_SLUG_PATTERN, description: 'lowercase a-z, 0-9 and inner dashes' }),
        displayName: Name,
        description: Type.Optional(Type.String({ maxLength: 2000 })),
        logoUrl: Type.Optional(Type.String({ maxLength: 500, pattern: '^https://\\S+$' })),
      }, { additionalProperties: false }),
      response: {
        201: Type.Object({ merchant: UserSchema, store: StoreSchema, apiKey: CreatedApiKeySchema }),
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    requireRole(request, 'operator');
    const created = await accounts.createMerchant(request.body);
    return reply.status(201).send(created);
  });

  app.get('/api/v1/merchants', {
    schema: {
      tags: ['accounts'],
      summary: 'Operator: merchants and their stores, oldest first; pass `next` back as `after` for more.',
      security: bearer,
      querystring: Type.Object({
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        after: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({ items: Type.Array(MerchantSchema), next: Nullable(Type.String()) }),
        ...errorResponses,
      },
    },
  }, async (request) => {
    requireRole(request, 'operator');
    const limit = request.query.limit ?? 50;
    const items = await accounts.listMerchants(limit, request.query.after);
    const last = items[items.length - 1];
    return { items, next: items.length === limit && last ? last.merchant.id : null };
  });

  app.post('/api/v1/promoters', {
    schema: {
      tags: ['accounts'],
      summary: 'Operator: add a promoter by mobile number (201), or get the existing one (200).',
      security: bearer,
      body: Type.Object({ mobile: Mobile, displayName: Name }, { additionalProperties: false }),
      response: {
        200: Type.Object({ promoter: UserSchema, created: Type.Boolean() }),
        201: Type.Object({ promoter: UserSchema, created: Type.Boolean() }),
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    requireRole(request, 'operator');
    const result = await accounts.addPromoter(request.body.mobile, request.body.displayName);
    return reply.status(result.created ? 201 : 200).send(result);
  });

  app.post('/api/v1/api-keys', {
    schema: {
      tags: ['accounts'],
      summary: 'Operator or merchant: make another API key for yourself (the key is shown once).',
      security: bearer,
      body: Type.Object({ label: Type.String({ minLength: 1, maxLength: 80, pattern: '\\S' }) }, { additionalProperties: false }),
      response: { 201: CreatedApiKeySchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator', 'merchant');
    return reply.status(201).send(await accounts.createApiKey(principal, request.body.label));
  });

  app.get('/api/v1/api-keys', {
    schema: {
      tags: ['accounts'],
      summary: 'Operator or merchant: your API keys, newest first (prefixes only).',
      security: bearer,
      response: { 200: Type.Object({ items: Type.Array(ApiKeySchema) }), ...errorResponses },
    },
  }, async (request) => {
    const principal = requireRole(request, 'operator', 'merchant');
    return { items: await accounts.listApiKeys(principal) };
  });

  app.delete('/api/v1/api-keys/:id', {
    schema: {
      tags: ['accounts'],
      summary: 'Operator or merchant: revoke one of your API keys; it stops working at once.',
      security: bearer,
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
      response: { 200: ApiKeySchema, ...errorResponses },
    },
  }, async (request) => {
    const principal = requireRole(request, 'operator', 'merchant');
    return accounts.revokeApiKey(principal, request.params.id);
  });

  app.get('/login', {
    schema: {
      tags: ['pages'],
      summary: 'Sign-in page for buyers and promoters (HTML): mobile number and SMS code.',
      querystring: Type.Object({
        next: Type.Optional(Type.String({ maxLength: 2000, description: 'Same-site path to return to, e.g. /e/abc.' })),
        role: Type.Optional(MobileRoleSchema),
      }),
      response: { 200: { content: { 'text/html': { schema: Type.String({ description: 'The sign-in page.' }) } } }, ...errorResponses },
    },
  }, async (request, reply) => {
    const body = renderLoginPage({ nextPath: safeNextPath(request.query.next), role: request.query.role ?? 'buyer' });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
  });
}
