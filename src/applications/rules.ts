// Pure rules of a clearance-lot application: the shape of a draft, what blocks submitting, and
// how a local sales window on a Shanghai day becomes UTC instants.

export interface LotOffer {
  skuId: string;
  clearancePriceFen: number;
  allocatedUnits: number;
  perBuyerLimit: number;
  isHero: boolean;
}

export interface DraftInput {
  channelId: string;
  title: string;
  /** Days wished, 'YYYY-MM-DD' in Asia/Shanghai, in order of preference. */
  wishedDates: string[];
  /** Local Asia/Shanghai clock times 'HH:MM'; an end at or before the start ends the next day. */
  windowStart: string;
  windowEnd: string;
  commissionRateBp: number;
  offers: LotOffer[];
}

export interface LotLimits {
  maxOffers: number;
  maxHeroes: number;
  maxWishedDates: number;
  maxWindowMinutes: number;
}

export const defaultLotLimits: LotLimits = { maxOffers: 20, maxHeroes: 3, maxWishedDates: 5, maxWindowMinutes: 24 * 60 };

export interface Problem {
  /** JSON pointer into the draft, e.g. /offers/2/allocatedUnits. */
  path: string;
  code: string;
  message: string;
  messageZh: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function minutesOf(clock: string): number | null {
  const m = CLOCK.exec(clock);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** Length of a window in minutes; an end at or before the start is on the next day. */
export function windowMinutes(start: string, end: string): number | null {
  const s = minutesOf(start);
  const e = minutesOf(end);
  if (s === null || e === null) return null;
  return e > s ? e - s : e + 24 * 60 - s;
}

export function isValidDay(day: string): boolean {
  const m = DAY.exec(day);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === day;
}

const SHANGHAI_OFFSET_MS = 8 * 3_600_000; // China keeps no daylight saving time

/** The UTC instants of a local window on a Shanghai day. */
export function windowOnDay(day: string, start: string, end: string): { startsAtMs: number; endsAtMs: number } {
  const m = DAY.exec(day);
  const s = minutesOf(start);
  const length = windowMinutes(start, end);
  if (!m || s === null || length === null) throw new Error(`bad day or window: ${day} ${start}-${end}`);
  const midnightUtcMs = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - SHANGHAI_OFFSET_MS;
  const startsAtMs = midnightUtcMs + s * 60_000;
  return { startsAtMs, endsAtMs: startsAtMs + length * 60_000 };
}

/** What is wrong with a draft's shape, whatever the catalog says. Empty when it may be saved. */
export function checkDraftShape(draft: DraftInput, limits: LotLimits, minCommissionRateBp: number, todayShanghai: string): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, code: string, message: string, messageZh: string) => problems.push({ path, code, message, messageZh });
  if (draft.wishedDates.length === 0) add('/wishedDates', 'WISHED_DATES_MISSING', 'Wish at least one date.', '请至少选择一个日期。');
  if (draft.wishedDates.length > limits.maxWishedDates) add('/wishedDates', 'TOO_MANY_DATES', `At most ${limits.maxWishedDates} wished dates.`, `最多选择 ${limits.maxWishedDates} 个日期。`);
  const seenDays = new Set<string>();
  draft.wishedDates.forEach((day, i) => {
    if (!isValidDay(day)) add(`/wishedDates/${i}`, 'BAD_DATE', `"${day}" is not a date (YYYY-MM-DD).`, `“${day}”不是有效日期。`);
    else if (day <= todayShanghai) add(`/wishedDates/${i}`, 'DATE_NOT_AHEAD', 'Wished dates must be after today.', '日期须晚于今天。');
    if (seenDays.has(day)) add(`/wishedDates/${i}`, 'DUPLICATE_DATE', 'A date is wished twice.', '日期重复。');
    seenDays.add(day);
  });
  const length = windowMinutes(draft.windowStart, draft.windowEnd);
  if (length === null) add('/windowStart', 'BAD_WINDOW', 'The window is two HH:MM times.', '销售时段应为两个 HH:MM 时间。');
  else if (length > limits.maxWindowMinutes) add('/windowEnd', 'WINDOW_TOO_LONG', 'The sales window lasts at most 24 hours.', '销售时段最长 24 小时。');
  if (draft.offers.length === 0) add('/offers', 'NO_OFFERS', 'Pick at least one SKU.', '请至少选择一个 SKU。');
  if (draft.offers.length > limits.maxOffers) add('/offers', 'TOO_MANY_OFFERS', `At most ${limits.maxOffers} SKUs.`, `最多 ${limits.maxOffers} 个 SKU。`);
  const heroes = draft.offers.filter((o) => o.isHero).length;
  if (heroes > limits.maxHeroes) add('/offers', 'TOO_MANY_HEROES', `At most ${limits.maxHeroes} hero SKUs.`, `主推 SKU 最多 ${limits.maxHeroes} 个。`);
  const seenSkus = new Set<string>();
  draft.offers.forEach((offer, i) => {
    if (seenSkus.has(offer.skuId)) add(`/offers/${i}/skuId`, 'DUPLICATE_SKU', 'A SKU appears twice.', 'SKU 重复。');
    seenSkus.add(offer.skuId);
    if (offer.perBuyerLimit > offer.allocatedUnits) add(`/offers/${i}/perBuyerLimit`, 'LIMIT_ABOVE_UNITS', 'The per-buyer limit exceeds the units.', '每人限购超过了活动数量。');
  });
  if (draft.commissionRateBp < minCommissionRateBp) {
    add('/commissionRateBp', 'COMMISSION_BELOW_MINIMUM', `The channel's minimum commission is ${minCommissionRateBp / 100}%.`, `该频道最低佣金为 ${minCommissionRateBp / 100}%。`);
  }
  return problems;
}

/** Units asked beyond free store stock: an error at submit (stock is carved at approval). */
export function checkUnitsAgainstStock(offers: LotOffer[], freeStock: Map<string, number>): Problem[] {
  const problems: Problem[] = [];
  offers.forEach((offer, i) => {
    const free = freeStock.get(offer.skuId);
    if (free === undefined) problems.push({ path: `/offers/${i}/skuId`, code: 'UNKNOWN_SKU', message: 'No such SKU in this store.', messageZh: '本店没有该 SKU。' });
    else if (offer.allocatedUnits > free) {
      problems.push({ path: `/offers/${i}/allocatedUnits`, code: 'UNITS_ABOVE_STOCK', message: `Only ${free} units are free in store stock.`, messageZh: `店铺可用库存仅剩 ${free} 件。` });
    }
  });
  return problems;
}
