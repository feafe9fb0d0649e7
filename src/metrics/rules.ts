// Pure figures of event metrics: Asia/Shanghai hour and day buckets from UTC hours, sell-through,
// shares in basis points, time to sell out, and whether a public price stayed flat. No I/O.
import { SHANGHAI_OFFSET_MS, shanghaiDay } from '../calendar/rules.ts';

export const HOUR_MS = 3_600_000;
/** Most hours one series holds: a 7-day window, the payment window after it, and slack. */
export const HOURS_MAX = 8 * 24 + 24;

/** Paid sales of one UTC hour, as SQL groups them (`substr(paid_at, 1, 13)` = 'YYYY-MM-DDTHH'). */
export interface HourTally {
  utcHour: string;
  orders: number;
  units: number;
  gmvFen: number;
}

export interface Tally {
  orders: number;
  units: number;
  gmvFen: number;
}

export interface HourBucket extends Tally {
  /** UTC instant the hour starts. */
  startsAt: string;
  /** The same hour on an Asia/Shanghai clock, 'YYYY-MM-DD HH:00'. */
  shanghaiHour: string;
}

export const ZERO: Tally = { orders: 0, units: 0, gmvFen: 0 };

export function addTally(a: Tally, b: Tally): Tally {
  return { orders: a.orders + b.orders, units: a.units + b.units, gmvFen: a.gmvFen + b.gmvFen };
}

/** 'YYYY-MM-DDTHH' (UTC) -> the instant it starts. */
export function utcHourStartMs(utcHour: string): number {
  const ms = Date.parse(`${utcHour}:00:00.000Z`);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(utcHour) || !Number.isFinite(ms)) throw new Error(`not a UTC hour: ${utcHour}`);
  return ms;
}

/** The Asia/Shanghai wall-clock label of the hour starting at `ms` (UTC+8 has whole hours: UTC and Shanghai hours share boundaries). */
export function shanghaiHourLabel(ms: number): string {
  return `${new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 13).replace('T', ' ')}:00`;
}

const floorHour = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;

/**
 * Every hour of [startsAtMs, endsAtMs) in order, each with what was paid in it (zero when nothing
 * was), widened to any hour outside the window that has sales (an order reserved before the end
 * may be paid after it). The buckets add up to the total of `tallies`.
 */
export function hourBuckets(tallies: readonly HourTally[], startsAtMs: number, endsAtMs: number): HourBucket[] {
  if (!(endsAtMs > startsAtMs)) throw new Error('a window ends after it starts');
  const byHour = new Map<number, Tally>();
  for (const t of tallies) {
    const at = utcHourStartMs(t.utcHour);
    byHour.set(at, addTally(byHour.get(at) ?? ZERO, t));
  }
  let first = floorHour(startsAtMs);
  let last = floorHour(endsAtMs - 1);
  for (const at of byHour.keys()) {
    first = Math.min(first, at);
    last = Math.max(last, at);
  }
  const count = (last - first) / HOUR_MS + 1;
  if (count > HOURS_MAX) throw new Error(`an hourly series of ${count} hours is longer than ${HOURS_MAX}`);
  const out: HourBucket[] = [];
  for (let at = first; at <= last; at += HOUR_MS) {
    const t = byHour.get(at) ?? ZERO;
    out.push({ startsAt: new Date(at).toISOString(), shanghaiHour: shanghaiHourLabel(at), orders: t.orders, units: t.units, gmvFen: t.gmvFen });
  }
  return out;
}

/** Paid sales of one UTC hour split by where they were sold. */
export interface KindHourTally extends HourTally {
  kind: 'public' | 'event';
}

export interface DayFigures {
  /** Asia/Shanghai day 'YYYY-MM-DD'. */
  day: string;
  public: Tally;
  events: Tally;
  total: Tally;
}

/** Per Asia/Shanghai day of `days` (in order), the public store's and the events' sales; hours outside the days are ignored. */
export function dayFigures(tallies: readonly KindHourTally[], days: readonly string[]): DayFigures[] {
  const byDay = new Map(days.map((day) => [day, { day, public: ZERO, events: ZERO, total: ZERO }]));
  for (const t of tallies) {
    const figures = byDay.get(shanghaiDay(utcHourStartMs(t.utcHour)));
    if (!figures) continue;
    if (t.kind === 'public') figures.public = addTally(figures.public, t);
    else figures.events = addTally(figures.events, t);
    figures.total = addTally(figures.total, t);
  }
  return days.map((day) => byDay.get(day) as DayFigures);
}

/** part / whole in basis points (10000 = 100%), rounded down; null when the whole is zero (no figure, not 0%). */
export function shareBp(part: number, whole: number): number | null {
  if (!(whole > 0)) return null;
  return Math.floor((Math.max(0, part) * 10_000) / whole);
}

/** Sell-through: sold units of the allocation, in basis points (may pass 10000 only if the data is wrong: it is not clamped, so it shows). */
export function sellThroughBp(soldUnits: number, allocatedUnits: number): number | null {
  return shareBp(soldUnits, allocatedUnits);
}

/** Seconds from the event's start to the moment it sold out (never negative); null when it has not. */
export function secondsToSellOut(startsAtMs: number, soldOutAtMs: number | null): number | null {
  if (soldOutAtMs === null) return null;
  return Math.max(0, Math.floor((soldOutAtMs - startsAtMs) / 1000));
}

/** One row of a public price history, as pricing reports it. */
export interface PriceStep {
  priceFen: number;
  effectiveFrom: string;
  operatorOverride: boolean;
}

export interface PriceVerdict {
  /** True when every point of the window has the same price (invariant 7 held). */
  isFlat: boolean;
  /** Price changes inside the window (points after the one in force at the start that moved the price). */
  changes: number;
  /** Whether an operator override made one of them. */
  hasOperatorOverride: boolean;
}

/** Judges a window's price points (the one in force at the start, then every change to the end). */
export function priceVerdict(points: readonly PriceStep[]): PriceVerdict {
  let changes = 0;
  let hasOperatorOverride = false;
  for (let i = 1; i < points.length; i++) {
    const point = points[i] as PriceStep;
    if (point.priceFen !== (points[i - 1] as PriceStep).priceFen) changes += 1;
    if (point.operatorOverride) hasOperatorOverride = true;
  }
  const first = points[0]?.priceFen;
  return { isFlat: points.every((p) => p.priceFen === first), changes, hasOperatorOverride };
}

/** The Asia/Shanghai days from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let ms = Date.parse(`${from}T00:00:00.000Z`); ms <= Date.parse(`${to}T00:00:00.000Z`); ms += 86_400_000) out.push(new Date(ms).toISOString().slice(0, 10));
  return out;
}
