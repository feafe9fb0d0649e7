// Statements: what a merchant or a promoter is owed for one event or a period of Asia/Shanghai
// days, as JSON totals and as CSV order lines (header in English or zh-CN). A statement covers the
// orders of the event, or those paid in the period, each with its refunds to date; the account
// block is the payee's balances now (pending, available, in transit, paid out, debt).
import { stringify } from 'csv-stringify/sync';
import type { AppContext } from '../platform/context.ts';
import type { Principal } from '../platform/auth.ts';
import { storeScope } from '../platform/auth.ts';
import { AppError } from '../platform/errors.ts';
import { formatYuan } from '../platform/money.ts';
import { proportion, remainingParts, shanghaiDayStartMs, type Split } from './rules.ts';
import type { Balance, LedgerService } from './service.ts';
import * as store from './statements-store.ts';

export type StatementQuery = { eventId: string } | { from: string; to: string };
export type Lang = 'en' | 'zh';

export interface ScopeView {
  eventId: string | null;
  /** Inclusive Asia/Shanghai days of a period statement. */
  from: string | null;
  to: string | null;
}

export interface MerchantStatement {
  storeId: string;
  scope: ScopeView;
  orders: number;
  gmvFen: number;
  refundsFen: number;
  /** Promoters' commission, net of refunds. */
  commissionFen: number;
  /** Team leaders' override, net of refunds: paid out of the platform fee, not on top of it. */
  overrideFen: number;
  /** The fee at the channel's base rate, the discount given, and the fee charged (override included). */
  feeGrossFen: number;
  feeDiscountFen: number;
  feeNetFen: number;
  /** gmv - refunds - commission - feeNet. */
  merchantNetFen: number;
  releasedFen: number;
  pendingFen: number;
  /** Paid out to the store within the period (period statements; null for an event). */
  paidOutInPeriodFen: number | null;
  account: Balance;
}

export interface PromoterStatement {
  promoterId: string;
  scope: ScopeView;
  orders: number;
  gmvFen: number;
  refundsFen: number;
  commissionFen: number;
  overrideFen: number;
  /** Of commission + override: still on hold, and released to the available balance. */
  pendingFen: number;
  releasedFen: number;
  paidOutInPeriodFen: number | null;
  account: Balance;
}

const PERIOD_MAX_DAYS = 400;
const DAY_MS = 86_400_000;

function scopeOf(query: StatementQuery): { scope: store.Scope; view: ScopeView } {
  if ('eventId' in query) return { scope: { eventId: query.eventId }, view: { eventId: query.eventId, from: null, to: null } };
  const fromMs = shanghaiDayStartMs(query.from);
  const toMs = shanghaiDayStartMs(query.to) + DAY_MS;
  if (toMs <= fromMs || toMs - fromMs > PERIOD_MAX_DAYS * DAY_MS) throw new AppError('VALIDATION_FAILED', `from..to must be 1..${PERIOD_MAX_DAYS} days, from not after to`);
  return { scope: { fromMs, toMs }, view: { eventId: null, from: query.from, to: query.to } };
}

/** 'YYYY-MM-DD HH:MM:SS' in Asia/Shanghai, what people read in a spreadsheet. */
function shanghaiTime(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

const MERCHANT_COLUMNS: Array<[string, string]> = [
  ['Order', '订单号'], ['Paid at (Asia/Shanghai)', '支付时间(北京时间)'], ['Event', '活动'], ['Promoter', '推广者'], ['Order total (CNY)', '订单金额(元)'],
  ['Refunded (CNY)', '已退款(元)'], ['Commission (CNY)', '佣金(元)'], ['Leader override (CNY)', '团长奖励(元)'], ['Platform fee gross (CNY)', '平台服务费原价(元)'],
  ['Fee discount (CNY)', '服务费优惠(元)'], ['Platform fee net (CNY)', '平台服务费实收(元)'], ['Merchant net (CNY)', '商家应得(元)'], ['Status', '状态'],
];
const PROMOTER_COLUMNS: Array<[string, string]> = [
  ['Order', '订单号'], ['Paid at (Asia/Shanghai)', '支付时间(北京时间)'], ['Event', '活动'], ['Role', '身份'], ['Order total (CNY)', '订单金额(元)'],
  ['Refunded (CNY)', '已退款(元)'], ['Earned (CNY)', '收益(元)'], ['Status', '状态'],
];
const words = {
  released: { en: 'released', zh: '已结算' }, pending: { en: 'on hold', zh: '待结算' }, total: { en: 'Total', zh: '合计' },
  promoter: { en: 'promoter', zh: '推广者' }, leader: { en: 'team leader', zh: '团长' },
} as const;

export interface StatementsService {
  merchant(by: Principal, storeId: string, query: StatementQuery): Promise<MerchantStatement>;
  merchantCsv(by: Principal, storeId: string, query: StatementQuery, lang: Lang): Promise<string>;
  promoter(by: Principal, promoterId: string, query: StatementQuery): Promise<PromoterStatement>;
  promoterCsv(by: Principal, promoterId: string, query: StatementQuery, lang: Lang): Promise<string>;
}

export function createStatementsService(ctx: AppContext, ledger: LedgerService): StatementsService {
  const { db, config } = ctx;

  async function assertStoreScope(by: Principal, storeId: string, query: StatementQuery): Promise<void> {
    storeScope(by, storeId);
    if ('eventId' in query) {
      const event = await store.eventOfStore(db, query.eventId);
      if (!event || event.store_id !== storeId) throw new AppError('NOT_FOUND');
    }
  }

  function assertPromoterScope(by: Principal, promoterId: string): void {
    if (by.role === 'operator') return;
    if (by.role === 'promoter' && by.userId === promoterId) return;
    throw new AppError('NOT_FOUND');
  }

  async function lines(who: { storeId: string } | { promoterId: string }, scope: store.Scope): Promise<store.OrderLine[]> {
    const rows = await store.orderLines(db, who, scope, config.limits.statementLinesMax);
    if (rows.length > config.limits.statementLinesMax) throw new AppError('STATEMENT_TOO_LARGE', undefined, { linesMax: config.limits.statementLinesMax });
    return rows;
  }

  async function merchant(by: Principal, storeId: string, query: StatementQuery): Promise<MerchantStatement> {
    await assertStoreScope(by, storeId, query);
    const { scope, view } = scopeOf(query);
    const t = await store.merchantTotals(db, storeId, scope);
    const feeNetFen = t.overrideFen + t.platformFen;
    return {
      storeId, scope: view, orders: t.orders, gmvFen: t.gmvFen, refundsFen: t.refundsFen, commissionFen: t.commissionFen, overrideFen: t.overrideFen,
      feeGrossFen: feeNetFen + t.feeDiscountFen, feeDiscountFen: t.feeDiscountFen, feeNetFen,
      merchantNetFen: t.gmvFen - t.refundsFen - t.commissionFen - feeNetFen, releasedFen: t.releasedMerchantFen, pendingFen: t.pendingMerchantFen,
      paidOutInPeriodFen: 'fromMs' in scope ? await store.paidOutBetween(db, 'merchant', storeId, scope.fromMs, scope.toMs) : null,
      account: await ledger.balanceOf('merchant', storeId),
    };
  }

  async function promoter(by: Principal, promoterId: string, query: StatementQuery): Promise<PromoterStatement> {
    assertPromoterScope(by, promoterId);
    const { scope, view } = scopeOf(query);
    const t = await store.promoterTotals(db, promoterId, scope);
    const pendingFen = t.commissionPendingFen + t.overridePendingFen;
    return {
      promoterId, scope: view, orders: t.orders, gmvFen: t.gmvFen, refundsFen: t.refundsFen, commissionFen: t.commissionFen, overrideFen: t.overrideFen,
      pendingFen, releasedFen: t.commissionFen + t.overrideFen - pendingFen,
      paidOutInPeriodFen: 'fromMs' in scope ? await store.paidOutBetween(db, 'promoter', promoterId, scope.fromMs, scope.toMs) : null,
      account: await ledger.balanceOf('promoter', promoterId),
    };
  }

  return {
    merchant,
    promoter,

    async merchantCsv(by, storeId, query, lang) {
      await assertStoreScope(by, storeId, query);
      const rows = await lines({ storeId }, scopeOf(query).scope);
      const sums = new Array<number>(8).fill(0);
      const body = rows.map((line) => {
        const net = remainingParts(splitOf(line), line.refundedFen);
        const discount = remainingDiscount(line);
        const amounts = [line.totalFen, line.refundedFen, net.commissionFen, net.overrideFen, net.overrideFen + net.platformFen + discount, discount, net.overrideFen + net.platformFen, net.merchantFen];
        amounts.forEach((a, i) => { sums[i] = (sums[i] ?? 0) + a; });
        return [String(line.orderId), shanghaiTime(line.paidAt), line.eventId ?? '', line.promoterId ?? '', ...amounts.map(formatYuan), words[line.releasedAt ? 'released' : 'pending'][lang]];
      });
      const header = MERCHANT_COLUMNS.map(([en, zh]) => (lang === 'zh' ? zh : en));
      return csv([header, ...body, [words.total[lang], '', '', '', ...sums.map(formatYuan), '']]);
    },

    async promoterCsv(by, promoterId, query, lang) {
      assertPromoterScope(by, promoterId);
      const rows = await lines({ promoterId }, scopeOf(query).scope);
      let earned = 0;
      const body = rows.map((line) => {
        const net = remainingParts(splitOf(line), line.refundedFen);
        const asLeader = line.leaderId === promoterId;
        const amount = asLeader ? net.overrideFen : net.commissionFen;
        earned += amount;
        return [String(line.orderId), shanghaiTime(line.paidAt), line.eventId ?? '', words[asLeader ? 'leader' : 'promoter'][lang],
          formatYuan(line.totalFen), formatYuan(line.refundedFen), formatYuan(amount), words[line.releasedAt ? 'released' : 'pending'][lang]];
      });
      const header = PROMOTER_COLUMNS.map(([en, zh]) => (lang === 'zh' ? zh : en));
      return csv([header, ...body, [words.total[lang], '', '', '', '', '', formatYuan(earned), '']]);
    },
  };
}

function splitOf(line: store.OrderLine): Split {
  return { totalFen: line.totalFen, commissionFen: line.commissionFen, overrideFen: line.overrideFen, feeFen: line.feeFen, feeGrossFen: line.feeGrossFen, merchantFen: line.merchantFen };
}

/** The discount left after refunds, reversed like every other part. */
function remainingDiscount(line: store.OrderLine): number {
  const discount = line.feeGrossFen - line.feeFen;
  return discount - proportion(discount, line.refundedFen, line.totalFen);
}

/** RFC 4180 with a BOM, so spreadsheet programs read the Chinese text as UTF-8. */
function csv(records: string[][]): string {
  return `\uFEFF${stringify(records, { record_delimiter: '\r\n' })}`;
}
