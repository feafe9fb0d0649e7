// Pure review decisions: who may review an order, how a body is checked, how a buyer's name is
// masked, and the screening that keeps a review from telling the public the price paid or that the
// item came from a hidden sale. No I/O, no clock reads: times are passed in.
import { shanghaiDay } from '../calendar/rules.ts';

/** An order's status and kind as checkout keeps them (rules read no schema module). */
export type OrderStatus = 'pending_payment' | 'paid' | 'cancelled';
export type OrderKind = 'event' | 'public';

/** Longest review body kept, in characters (code points) after trimming. */
export const REVIEW_BODY_MAX_CHARS = 1000;
/** Longest body accepted on the wire, before trimming: a bound, not the rule. */
export const REVIEW_BODY_MAX_RAW_CHARS = 2000;

export const RATING_MIN = 1;
export const RATING_MAX = 5;

export interface OrderForReview {
  buyerId: string;
  status: OrderStatus;
  deliveredAt: string | null;
  quantity: number;
  refundedUnits: number;
}

export type ReviewDecision =
  | { ok: true }
  | { ok: false; code: 'NOT_FOUND' | 'CONFLICT'; message?: string };

/**
 * A buyer reviews their own order once it is delivered, unless every unit was refunded. Another
 * buyer's order is answered as a missing one. The "once" is the database's UNIQUE(order_id).
 */
export function decideReview(order: OrderForReview | null, buyerId: string): ReviewDecision {
  if (!order || order.buyerId !== buyerId) return { ok: false, code: 'NOT_FOUND' };
  if (order.status !== 'paid' || order.deliveredAt === null) {
    return { ok: false, code: 'CONFLICT', message: 'The order has not been delivered yet: it can be reviewed once it arrives.' };
  }
  if (order.refundedUnits >= order.quantity) {
    return { ok: false, code: 'CONFLICT', message: 'The order was refunded in full: there is nothing left to review.' };
  }
  return { ok: true };
}

export type BodyCheck = { ok: true; body: string } | { ok: false; message: string };

/** Trims the body and checks its length in characters (an emoji is one). */
export function checkReviewBody(raw: string): BodyCheck {
  const body = raw.trim();
  const chars = [...body].length;
  if (chars === 0) return { ok: false, message: 'The review is empty.' };
  if (chars > REVIEW_BODY_MAX_CHARS) return { ok: false, message: `A review holds at most ${REVIEW_BODY_MAX_CHARS} characters.` };
  return { ok: true, body };
}

export function isValidRating(rating: number): boolean {
  return Number.isInteger(rating) && rating >= RATING_MIN && rating <= RATING_MAX;
}

/**
 * The name a review shows: "买家 ***1234" from the mobile's last four digits, else the display
 * name's first letter ("张***"), else "买家 ***". Never a whole number, never more than four digits.
 */
export function maskBuyerName(displayName: string | null, mobile: string | null): string {
  const digits = (mobile ?? '').replace(/[^0-9]/g, '');
  if (digits.length >= 7) return `买家 ***${digits.slice(-4)}`;
  const first = [...(displayName ?? '').trim()][0];
  // A letter or a CJK character only: a digit could start a phone number typed as a name.
  if (first !== undefined && /^\p{L}$/u.test(first)) return `${first}***`;
  return '买家 ***';
}

/** The day a review was written, in Asia/Shanghai: no time of day. */
export function reviewDay(createdAtIso: string): string {
  return shanghaiDay(Date.parse(createdAtIso));
}

/**
 * Words that tell the public an item came from a hidden sale or how its price was reached.
 * Matched after NFKC, lower-casing and removing spaces and separators, so "清 仓 价" and
 * "Promo-Code" are caught too.
 */
export const HIDDEN_SALE_WORDS: readonly string[] = [
  '清仓价', '清仓', '特卖', '特卖惠', '内部价', '内购', '员工价', '口令', '淘口令', '推广链接', '推广码',
  '分享码', '邀请码', '专享价', '专属价', '隐藏价', '神秘价', '暗号', '团购价', '团长价', '秒杀价',
  '折扣码', '优惠码', '福利价', '渠道价', '出厂价',
  'clearance price', 'clearance sale', 'hidden price', 'secret price', 'internal price', 'share code', 'promo code', 'promoter link',
];

/** What is stripped before matching words: whitespace and the separators used to dodge a filter. */
const SEPARATORS = /[\s\p{P}\p{S}_]+/gu;

function squeezed(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(SEPARATORS, '');
}

/** The hidden-sale words a text contains, in list order. */
export function hiddenSaleWordsIn(text: string): string[] {
  const plain = squeezed(text);
  return HIDDEN_SALE_WORDS.filter((word) => plain.includes(squeezed(word)));
}

/** 12345 fen -> ['123.45']; 12350 -> ['123.5', '123.50']; 12300 -> ['123.0', '123.00']. */
function decimalForms(fen: number): string[] {
  const yuan = Math.floor(fen / 100);
  const cents = fen % 100;
  const two = `${yuan}.${String(cents).padStart(2, '0')}`;
  return cents % 10 === 0 ? [two, `${yuan}.${cents / 10}`] : [two];
}

/** Whole-yuan forms near the price: its yuan part and the nearest whole yuan. */
function wholeForms(fen: number): string[] {
  return [...new Set([String(Math.floor(fen / 100)), String(Math.round(fen / 100))])];
}

const MONEY_BEFORE = '(?:¥|rmb|cny|人民币)\\s*';
const MONEY_AFTER = '\\s*(?:元|块|圆|rmb|cny)';

/**
 * Whether a text names a price: as a decimal (123.45, 123.5), as fen (12345), or as whole yuan
 * with a money mark (¥123, 123元, 123 块). Full-width digits and ￥ count; thousands commas are ignored.
 */
export function namesPrice(text: string, priceFen: number): boolean {
  if (!Number.isSafeInteger(priceFen) || priceFen <= 0) return false;
  const plain = text.normalize('NFKC').toLowerCase().replace(/(?<=[0-9]),(?=[0-9]{3})/g, '');
  const bare = [...decimalForms(priceFen), String(priceFen)];
  for (const form of bare) {
    if (new RegExp(`(?<![0-9.])${form.replace('.', '\\.')}(?![0-9])`).test(plain)) return true;
  }
  for (const whole of wholeForms(priceFen)) {
    // A whole number of yuan, not the start of a decimal (123.9元 is another price).
    const number = `(?<![0-9.])${whole}(?:\\.0{1,2})?(?![0-9.])`;
    if (new RegExp(`${MONEY_BEFORE}${number}`).test(plain) || new RegExp(`${number}${MONEY_AFTER}`).test(plain)) return true;
  }
  return false;
}

export interface ScreenInput {
  body: string;
  /** Only an event order's price is secret; what a public order paid is the public price. */
  orderKind: OrderKind;
  unitPriceFen: number;
  totalFen: number;
}

export interface Screening {
  /** True when the review must not be shown to the public. */
  hides: boolean;
  /** The body names the price paid (unit or total) of an event order. */
  namesPricePaid: boolean;
  /** Hidden-sale words found. */
  words: string[];
}

/**
 * The screening of a review body, recomputed whenever needed (nothing stored but hidden_at): a body
 * that names an event order's price or uses a hidden-sale word is kept from the public.
 */
export function screenReview(input: ScreenInput): Screening {
  const namesPricePaid = input.orderKind === 'event'
    && (namesPrice(input.body, input.unitPriceFen) || (input.totalFen !== input.unitPriceFen && namesPrice(input.body, input.totalFen)));
  const words = hiddenSaleWordsIn(input.body);
  return { hides: namesPricePaid || words.length > 0, namesPricePaid, words };
}

export type HiddenBy = 'screening' | 'merchant' | null;

/** Why a review is hidden: the screening wins, since a merchant cannot lift it. */
export function hiddenBy(hiddenAt: string | null, screening: Screening): HiddenBy {
  if (screening.hides) return 'screening';
  return hiddenAt !== null ? 'merchant' : null;
}

export type UnhideDecision = { ok: true; write: boolean } | { ok: false; message: string };

/** A merchant may show again what they hid, never what the screening hides. */
export function decideUnhide(hiddenAt: string | null, screening: Screening): UnhideDecision {
  if (screening.hides) {
    return { ok: false, message: 'This review names the price paid or the hidden sale: the screening keeps it from the public.' };
  }
  return { ok: true, write: hiddenAt !== null };
}

/** Average rating to one decimal, null without reviews. */
export function averageRating(ratingSum: number, count: number): number | null {
  if (count <= 0) return null;
  return Math.round((ratingSum / count) * 10) / 10;
}
