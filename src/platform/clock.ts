// Time comes from here, never from Date.now() in feature code, so tests move it by hand.
export interface Clock {
  nowMs(): number;
  now(): Date;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  now: () => new Date(),
};

/** A clock that only moves when told: for tests of expiries, windows and lifecycles. */
export class ManualClock implements Clock {
  private currentMs: number;
  constructor(start: Date | string | number = '2026-11-25T02:00:00.000Z') {
    this.currentMs = new Date(start).getTime();
  }
  nowMs(): number {
    return this.currentMs;
  }
  now(): Date {
    return new Date(this.currentMs);
  }
  advanceMs(ms: number): void {
    if (ms < 0) throw new Error('a clock never goes back');
    this.currentMs += ms;
  }
  advanceMinutes(minutes: number): void {
    this.advanceMs(minutes * 60_000);
  }
  set(at: Date | string | number): void {
    this.currentMs = new Date(at).getTime();
  }
}

/** UTC ISO-8601 with milliseconds: the one stored form of a time (sorts as text). */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString();
}

const shanghaiFormat = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** How a time is shown to people: Asia/Shanghai, e.g. "2026/11/25 10:00". */
export function showShanghai(at: string | number | Date): string {
  return shanghaiFormat.format(new Date(at));
}
