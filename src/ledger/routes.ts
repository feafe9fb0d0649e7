// Ledger routes: statements (merchant: own store; promoter: themself; operator: anyone), a
// promoter's balance, and the operator's balance audit. Every answer is private, never cached.
import { Type, type Static } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole, type Principal } from '../platform/auth.ts';
import { AppError } from '../platform/errors.ts';
import type { LedgerService } from './service.ts';
import type { Lang, StatementQuery, StatementsService } from './statements.ts';

const PRIVATE = 'private, no-store';
const bearer = [{ bearer: [] }];
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: "An Asia/Shanghai day, 'YYYY-MM-DD' (inclusive)." });
const Fen = Type.Integer();

const Query = Type.Object({
  eventId: Type.Optional(Id),
  from: Type.Optional(Day),
  to: Type.Optional(Day),
  lang: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('zh')], { description: 'CSV header language (default en).' })),
}, { additionalProperties: false, description: 'Either eventId, or from and to.' });
type QueryT = Static<typeof Query>;

const Balance = Type.Object({
  pendingFen: Fen, availableFen: Fen, debtFen: Type.Integer({ description: 'Clawed back after it was paid out; repaid from later earnings first.' }),
  inTransitFen: Fen, paidOutFen: Fen,
});
const Scope = Type.Object({ eventId: Type.Union([Type.String(), Type.Null()]), from: Type.Union([Type.String(), Type.Null()]), to: Type.Union([Type.String(), Type.Null()]) });

const MerchantStatement = Type.Object({
  storeId: Type.String(), scope: Scope, orders: Type.Integer(), gmvFen: Fen, refundsFen: Fen, commissionFen: Fen,
  overrideFen: Type.Integer({ description: "Team leaders' override: paid out of the platform fee, included in feeNetFen." }),
  feeGrossFen: Fen, feeDiscountFen: Fen, feeNetFen: Fen, merchantNetFen: Fen, releasedFen: Fen, pendingFen: Fen,
  paidOutInPeriodFen: Type.Union([Fen, Type.Null()]), account: Balance,
});
const PromoterStatement = Type.Object({
  promoterId: Type.String(), scope: Scope, orders: Type.Integer(), gmvFen: Fen, refundsFen: Fen, commissionFen: Fen, overrideFen: Fen,
  pendingFen: Fen, releasedFen: Fen, paidOutInPeriodFen: Type.Union([Fen, Type.Null()]), account: Balance,
});
const Audit = Type.Object({
  balanced: Type.Boolean(), entries: Type.Integer(), postings: Type.Integer(), totalFen: Fen,
  unbalanced: Type.Array(Type.Object({ entryId: Type.Integer(), kind: Type.String(), dedupeKey: Type.String(), sumFen: Fen })),
  byKind: Type.Record(Type.String(), Fen),
});
const CsvBody = { description: 'CSV (UTF-8 with BOM): a header row, one row per order, a total row. Amounts in CNY.', content: { 'text/csv': { schema: Type.String() } } };

function statementQuery(query: QueryT): StatementQuery {
  if (query.eventId !== undefined && query.from === undefined && query.to === undefined) return { eventId: query.eventId };
  if (query.eventId === undefined && query.from !== undefined && query.to !== undefined) return { from: query.from, to: query.to };
  throw new AppError('VALIDATION_FAILED', 'give eventId, or from and to');
}

export async function ledgerRoutes(app: App, ledger: LedgerService, statements: StatementsService): Promise<void> {
  const StoreParams = Type.Object({ storeId: Id });
  app.get('/api/v1/stores/:storeId/statements', {
    schema: {
      tags: ['ledger'], summary: "Merchant statement of one event (?eventId=) or period (?from=&to=, Asia/Shanghai days): GMV, refunds, commission, override, fee gross/discount/net, merchant net, released/pending, the store's balances.", security: bearer,
      params: StoreParams, querystring: Query, response: { 200: MerchantStatement, ...errorResponses },
    },
  }, async (request, reply) => {
    const by = requireRole(request, 'merchant', 'operator');
    reply.header('cache-control', PRIVATE);
    return statements.merchant(by, request.params.storeId, statementQuery(request.query));
  });

  app.get('/api/v1/stores/:storeId/statements.csv', {
    schema: { tags: ['ledger'], summary: 'The merchant statement as CSV: one row per order (?lang=zh for a Chinese header).', security: bearer, params: StoreParams, querystring: Query, response: { 200: CsvBody, ...errorResponses } },
  }, async (request, reply) => {
    const by = requireRole(request, 'merchant', 'operator');
    const body = await statements.merchantCsv(by, request.params.storeId, statementQuery(request.query), (request.query.lang ?? 'en') as Lang);
    return sendCsv(reply, body, `statement-${request.params.storeId}.csv`);
  });

  const promoterStatement = (path: string, summary: string, roles: Array<'promoter' | 'operator'>, idOf: (params: Record<string, string>, by: Principal) => string) => {
    const params = path.includes(':promoterId') ? Type.Object({ promoterId: Id }) : Type.Object({});
    app.get(path, {
      schema: { tags: ['ledger'], summary, security: bearer, params, querystring: Query, response: { 200: PromoterStatement, ...errorResponses } },
    }, async (request, reply) => {
      const by = requireRole(request, ...roles);
      reply.header('cache-control', PRIVATE);
      return statements.promoter(by, idOf(request.params as Record<string, string>, by), statementQuery(request.query));
    });
    app.get(`${path}.csv`, {
      schema: { tags: ['ledger'], summary: `${summary} As CSV: one row per order.`, security: bearer, params, querystring: Query, response: { 200: CsvBody, ...errorResponses } },
    }, async (request, reply) => {
      const by = requireRole(request, ...roles);
      const id = idOf(request.params as Record<string, string>, by);
      return sendCsv(reply, await statements.promoterCsv(by, id, statementQuery(request.query), (request.query.lang ?? 'en') as Lang), `statement-${id}.csv`);
    });
  };
  promoterStatement('/api/v1/me/statement', 'Promoter: own statement of one event or period (orders, GMV, commission and override net of refunds, pending/released, balances).', ['promoter'], (_p, by) => by.userId);
  promoterStatement('/api/v1/promoters/:promoterId/statement', "Operator: any promoter's statement.", ['operator'], (p) => p.promoterId as string);

  app.get('/api/v1/me/balance', {
    schema: { tags: ['ledger'], summary: 'Promoter: pending, available, in transit, paid out and debt now.', security: bearer, response: { 200: Balance, ...errorResponses } },
  }, async (request, reply) => {
    const by = requireRole(request, 'promoter');
    reply.header('cache-control', PRIVATE);
    return ledger.balanceOf('promoter', by.userId);
  });

  app.get('/api/v1/ledger/audit', {
    schema: { tags: ['ledger'], summary: 'Operator: the balance audit. Every entry sums to zero and so do all postings (balanced: true), or the entries that do not.', security: bearer, response: { 200: Audit, ...errorResponses } },
  }, async (request, reply) => {
    requireRole(request, 'operator');
    reply.header('cache-control', PRIVATE);
    const result = await ledger.audit();
    return { balanced: result.totalFen === 0 && result.unbalanced.length === 0, ...result };
  });
}

/** Marks the answer as a private CSV download; the text goes out as is (no JSON serialiser for text/csv). */
function sendCsv(reply: { header(name: string, value: string): unknown; type(t: string): unknown }, body: string, filename: string): string {
  reply.header('cache-control', PRIVATE);
  reply.header('content-disposition', `attachment; filename="${filename}"`);
  reply.type('text/csv; charset=utf-8');
  return body;
}
