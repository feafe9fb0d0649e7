// Pure calendar decisions: Asia/Shanghai day and month keys, local times on a day, and what state a
// stored day is in at a given instant. No I/O, no clock reads: the time is always passed in.

/** China has kept UTC+8 all year since 1991: a fixed offset, no daylight saving. */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

export type DayState = 'free' | 'held' | 'booked';

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_PATTERN = /^(\d{4})-(\d{2})$/;
const TIME_PATTERN = /^(\d{2}):(\d{2})$/;

/** The Asia/Shanghai calendar day of an instant, 'YYYY-MM-DD' (23:30 UTC is the next day there). */
export function shanghaiDay(ms: number): string {
  assertInstant(ms);
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Asia/Shanghai month of an instant, 'YYYY-MM'. */
export function shanghaiMonth(ms: number): string {
  return monthOf(shanghaiDay(ms));
}

/** The month a day key falls in: '2026-11-25' -> '2026-11'. */
export function monthOf(day: string): string {
  if (!isDay(day)) throw new Error(`not a day key: ${day}`);
  return day.slice(0, 7);
}

/** A real calendar day written 'YYYY-MM-DD' (years 2000-2999: a brand day is never further off). */
export function isDay(value: string): boolean {
  const match = DAY_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 2000 || year > 2999 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

/** A month written 'YYYY-MM' (years 2000-2999). */
export function isMonth(value: string): boolean {
  const match = MONTH_PATTERN.exec(value);
  if (!match) return false;
  const [year, month] = [Number(match[1]), Number(match[2])];
  return year >= 2000 && year <= 2999 && month >= 1 && month <= 12;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Every day key of a month, in order. */
export function daysOfMonth(month: string): string[] {
  if (!isMonth(month)) throw new Error(`not a month key: ${month}`);
  const [year, m] = month.split('-').map(Number) as [number, number];
  const count = daysInMonth(year, m);
  return Array.from({ length: count }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
}

/**
 * The UTC instant of a Shanghai wall-clock time on a day: ('2026-11-25', '10:00') is
 * 2026-11-25T02:00:00Z. '24:00' is the end of the day (the next day's 00:00), so a window
 * 10:00-24:00 can be written as it is said.
 */
export function shanghaiInstant(day: string, time: string): number {
  if (!isDay(day)) throw new Error(`not a day key: ${day}`);
  const match = TIME_PATTERN.exec(time);
  if (!match) throw new Error(`not a time HH:MM: ${time}`);
  const [hours, minutes] = [Number(match[1]), Number(match[2])];
  if (minutes > 59 || hours > 24 || (hours === 24 && minutes !== 0)) throw new Error(`not a time of day: ${time}`);
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return Date.UTC(year, month - 1, date, hours, minutes) - SHANGHAI_OFFSET_MS;
}

/** The UTC instant a Shanghai day begins (its 00:00). */
export function shanghaiDayStartMs(day: string): number {
  return shanghaiInstant(day, '00:00');
}

/** The day `n` days after (or before, n < 0) a day key. */
export function addDays(day: string, n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`not a whole number of days: ${n}`);
  return shanghaiDay(shanghaiDayStartMs(day) + n * DAY_MS);
}

/** What a stored day row means at an instant; a hold past its expiry counts as free. */
export function dayStateAt(row: { state: 'held' | 'booked'; holdUntil: string | null } | undefined, nowMs: number): DayState {
  if (!row) return 'free';
  if (row.state === 'booked') return 'booked';
  return isHoldLapsed(row.holdUntil, nowMs) ? 'free' : 'held';
}

/** A hold has lapsed once its expiry is reached (the expiry instant itself is already free). */
export function isHoldLapsed(holdUntil: string | null, nowMs: number): boolean {
  if (holdUntil === null) return false;
  return Date.parse(holdUntil) <= nowMs;
}

function assertInstant(ms: number): void {
  if (!Number.isFinite(ms)) throw new Error(`not an instant: ${ms}`);
}
