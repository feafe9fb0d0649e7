// The channel calendar through its service and HTTP on every store under test: one brand per
// channel per day and the monthly cap under concurrent holds (also from a second server on the
// same database), lapsed holds freed once by the sweep, Asia/Shanghai day boundaries, the month
// view per audience, and composing calendar steps into a caller's transaction.
import { describe, it, before, after } from 'node:test';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { api } from './fixtures.ts';
import type { CalendarResult, CalendarService } from '../src/calendar/service.ts';
import { isAppError } from '../src/platform/errors.ts';
import type { WorkerInput } from './calendar-worker.ts';

const workerPath = fileURLToPath(new URL('./calendar-worker.ts', import.meta.url));

const HOUR_MS = 3_600_000;
let counter = 0;
const eventId = (label: string) => `evt_${label}_${process.pid}_${++counter}`;

async function newChannel(t: TestApp, operator: Record<string, string>, body: Record<string, unknown> = {}): Promise<string> {
  const created = await api<{ id: string }>(t, 'POST', '/api/v1/channels', operator, { name: `日历频道 ${++counter}`, vertical: '母婴', ...body }, 201);
  return created.id;
}

async function monthRow(t: TestApp, channelId: string, month: string): Promise<{ used: number; cap: number } | undefined> {
  return t.hs.ctx.db.selectFrom('calendar_months').select(['used', 'cap']).where('channel_id', '=', channelId).where('month', '=', month).executeTakeFirst();
}

async function dayRows(t: TestApp, channelId: string, month: string): Promise<Array<{ day: string; event_id: string; state: string }>> {
  return t.hs.ctx.db.selectFrom('calendar_days').select(['day', 'event_id', 'state']).where('channel_id', '=', channelId).where('month', '=', month).orderBy('day').execute();
}

function codes(results: CalendarResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) {
    const key = r.ok ? 'ok' : r.code;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/**
 * Runs each group of attempts in its own server process (test/calendar-worker.ts) and `local` in
 * this one, all released at once; returns the outcomes in group order, local first.
 */
async function raceInProcesses(t: TestApp, groups: WorkerInput['attempts'][], local: WorkerInput['attempts']): Promise<CalendarResult[]> {
  const base = { dataDir: t.config.dataDir, nowMs: t.clock.nowMs(), ...(t.store === 'postgres' ? { databaseUrl: process.env.DATABASE_URL as string, pgSchema: t.hs.ctx.handle.pgSchema as string } : {}) };
  const workers = groups.map((attempts) => {
    const child = spawn(process.execPath, ['--import', 'tsx', workerPath, JSON.stringify({ ...base, attempts })], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = readline.createInterface({ input: child.stdout });
    const next = lines[Symbol.asyncIterator]();
    const readLine = async () => {
      const { value, done } = await next.next();
      if (done) throw new Error('a calendar worker exited early');
      return value as string;
    };
    return { child, readLine };
  });
  try {
    for (const w of workers) assert.equal(await w.readLine(), 'ready');
    for (const w of workers) w.child.stdin.write('go\n');
    const calendar = t.hs.services.calendar;
    const [mine, ...theirs] = await Promise.all([
      Promise.all(local.map((a) => (a.kind === 'book' ? calendar.bookDay(undefined, a) : calendar.holdDay(undefined, a)))),
      ...workers.map(async (w) => JSON.parse(await w.readLine()) as CalendarResult[]),
    ]);
    return [...(mine ?? []), ...theirs.flat()];
  } finally {
    for (const w of workers) w.child.stdin.end();
    await Promise.all(workers.map((w) => (w.child.exitCode !== null ? Promise.resolve() : once(w.child, 'exit'))));
  }
}

for (const store of storesUnderTest()) {
  describe(`calendar on ${store}`, () => {
    let t: TestApp;
    let operator: Record<string, string>;
    let calendar: CalendarService;
    // Holds last 48 hours from the test clock (2026-11-25 10:00 in Shanghai).
    const holdUntil = () => t.clock.nowMs() + 48 * HOUR_MS;

    before(async () => {
      t = await startTestApp(store);
      operator = (await t.signIn('operator')).headers;
      calendar = t.hs.services.calendar;
    });
    after(async () => t.close());

    it('holds, books and releases a day, counting the month once', async () => {
      const channelId = await newChannel(t, operator);
      const a = eventId('a');
      const b = eventId('b');
      assert.deepEqual(await calendar.holdDay(undefined, { channelId, day: '2026-12-10', eventId: a, holdUntilMs: holdUntil() }), { ok: true });
      assert.deepEqual(await calendar.holdDay(undefined, { channelId, day: '2026-12-10', eventId: b, holdUntilMs: holdUntil() }), { ok: false, code: 'DAY_TAKEN' });
      assert.deepEqual(await calendar.bookDay(undefined, { channelId, day: '2026-12-10', eventId: b }), { ok: false, code: 'DAY_TAKEN' });
      // Holding again moves the expiry; it takes no second slot.
      assert.deepEqual(await calendar.holdDay(undefined, { channelId, day: '2026-12-10', eventId: a, holdUntilMs: holdUntil() + HOUR_MS }), { ok: true });
      assert.deepEqual(await monthRow(t, channelId, '2026-12'), { used: 1, cap: 31 });
      // The holder books it: held -> booked, still one slot; booking twice is the same booking.
      assert.deepEqual(await calendar.bookDay(undefined, { channelId, day: '2026-12-10', eventId: a }), { ok: true });
      assert.deepEqual(await calendar.bookDay(undefined, { channelId, day: '2026-12-10', eventId: a }), { ok: true });
      assert.deepEqual(await calendar.holdDay(undefined, { channelId, day: '2026-12-10', eventId: a, holdUntilMs: holdUntil() }), { ok: true }, 'a booked day stays booked');
      assert.deepEqual(await dayRows(t, channelId, '2026-12'), [{ day: '2026-12-10', event_id: a, state: 'booked' }]);
      assert.deepEqual(await monthRow(t, channelId, '2026-12'), { used: 1, cap: 31 });
      // A free day booked straight away takes a slot.
      assert.deepEqual(await calendar.bookDay(undefined, { channelId, day: '2026-12-11', eventId: b }), { ok: true });
      assert.equal((await monthRow(t, channelId, '2026-12'))?.used, 2);
      // Only the event that holds a day releases it, once.
      assert.deepEqual(await calendar.releaseDay(undefined, { channelId, day: '2026-12-10', eventId: b }), { released: false });
      assert.deepEqual(await calendar.releaseDay(undefined, { channelId, day: '2026-12-10', eventId: a }), { released: true });
      assert.deepEqual(await calendar.releaseDay(undefined, { channelId, day: '2026-12-10', eventId: a }), { released: false });
      assert.equal((await monthRow(t, channelId, '2026-12'))?.used, 1);
      assert.deepEqual(await calendar.holdDay(undefined, { channelId, day: '2026-12-10', eventId: b, holdUntilMs: holdUntil() }), { ok: true }, 'a released day is free again');
    });

    it('refuses past days, bad input and unknown channels by throwing', async () => {
      const channelId = await newChannel(t, operator);
      const refusedWith = async (work: Promise<unknown>, code: string) => {
        await assert.rejects(work, (err: unknown) => isAppError(err) && err.code === code);
      };
      await refusedWith(calendar.holdDay(undefined, { channelId, day: '2026-11-24', eventId: eventId('p'), holdUntilMs: holdUntil() }), 'VALIDATION_FAILED');
      await refusedWith(calendar.holdDay(undefined, { channelId, day: '2026-02-30', eventId: eventId('p'), holdUntilMs: holdUntil() }), 'VALIDATION_FAILED');
      await refusedWith(calendar.holdDay(undefined, { channelId, day: '2026-12-01', eventId: eventId('p'), holdUntilMs: t.clock.nowMs() }), 'VALIDATION_FAILED');
      await refusedWith(calendar.holdDay(undefined, { channelId: 'chn_missing', day: '2026-12-01', eventId: eventId('p'), holdUntilMs: holdUntil() }), 'NOT_FOUND');
      await refusedWith(calendar.bookDay(undefined, { channelId: 'chn_missing', day: '2026-12-01', eventId: eventId('p') }), 'NOT_FOUND');
      await refusedWith(calendar.monthView('chn_missing', '2026-12'), 'NOT_FOUND');
      // Today (Shanghai) is still open.
      assert.deepEqual(await calendar.holdDay(undefined, { channelId, day: '2026-11-25', eventId: eventId('today'), holdUntilMs: holdUntil() }), { ok: true });
    });

    it('lets exactly one of 20 concurrent holds of one day win', async () => {
      const channelId = await newChannel(t, operator);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => calendar.holdDay(undefined, { channelId, day: '2026-12-24', eventId: eventId(`race${i}`), holdUntilMs: holdUntil() })));
      assert.deepEqual(codes(results), { ok: 1, DAY_TAKEN: 19 });
      assert.equal((await dayRows(t, channelId, '2026-12')).length, 1);
      assert.deepEqual(await monthRow(t, channelId, '2026-12'), { used: 1, cap: 31 });
    });

    it('lets exactly cap of 10 concurrent holds on different days win', async () => {
      const channelId = await newChannel(t, operator, { monthlySlotCap: 3 });
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => calendar.holdDay(undefined, { channelId, day: `2026-12-${String(i + 1).padStart(2, '0')}`, eventId: eventId(`cap${i}`), holdUntilMs: holdUntil() })));
      assert.deepEqual(codes(results), { ok: 3, MONTH_FULL: 7 });
      assert.equal((await dayRows(t, channelId, '2026-12')).length, 3);
      assert.deepEqual(await monthRow(t, channelId, '2026-12'), { used: 3, cap: 3 });
      // Another month has its own slots.
      assert.deepEqual(await calendar.holdDay(undefined, { channelId, day: '2027-01-05', eventId: eventId('jan'), holdUntilMs: holdUntil() }), { ok: true });
    });

    it('holds both rules across server processes on one database', async () => {
      // Three child processes (whole servers on their own connections) and this one race.
      const dayChannel = await newChannel(t, operator);
      const capChannel = await newChannel(t, operator, { monthlySlotCap: 3 });
      const attempts = (from: number) => [
        ...Array.from({ length: 5 }, (_, i) => ({ kind: 'hold' as const, channelId: dayChannel, day: '2026-12-24', eventId: eventId(`proc${from + i}`), holdUntilMs: holdUntil() })),
        ...Array.from({ length: 3 }, (_, i) => ({ kind: (i === 0 ? 'book' : 'hold') as 'book' | 'hold', channelId: capChannel, day: `2026-12-${String(from / 5 * 3 + i + 1).padStart(2, '0')}`, eventId: eventId(`pcap${from + i}`), holdUntilMs: holdUntil() })),
      ];
      const groups = [attempts(0), attempts(5), attempts(10), attempts(15)];
      const results = await raceInProcesses(t, groups.slice(1), groups[0] ?? []);
      const onDay = results.filter((_, i) => i % 8 < 5);
      const onMonth = results.filter((_, i) => i % 8 >= 5);
      assert.deepEqual(codes(onDay), { ok: 1, DAY_TAKEN: 19 });
      assert.deepEqual(codes(onMonth), { ok: 3, MONTH_FULL: 9 });
      assert.equal((await dayRows(t, dayChannel, '2026-12')).length, 1);
      assert.equal((await dayRows(t, capChannel, '2026-12')).length, 3);
      assert.deepEqual(await monthRow(t, dayChannel, '2026-12'), { used: 1, cap: 31 });
      assert.deepEqual(await monthRow(t, capChannel, '2026-12'), { used: 3, cap: 3 });
    });

    it('holds both rules with a second app instance on its own connection pool', { skip: store === 'sqlite' && 'one process, two SQLite connections: a blocked writer would stall the event loop that must finish the other transaction (the process test above covers SQLite)' }, async () => {
      const peer = await t.startPeer();
      const servers = [calendar, peer.services.calendar];
      const dayChannel = await newChannel(t, operator);
      const sameDay = await Promise.all(Array.from({ length: 20 }, (_, i) => servers[i % 2]!.holdDay(undefined, { channelId: dayChannel, day: '2026-12-24', eventId: eventId(`peer${i}`), holdUntilMs: holdUntil() })));
      assert.deepEqual(codes(sameDay), { ok: 1, DAY_TAKEN: 19 });
      assert.deepEqual(await monthRow(t, dayChannel, '2026-12'), { used: 1, cap: 31 });

      const capChannel = await newChannel(t, operator, { monthlySlotCap: 3 });
      const manyDays = await Promise.all(Array.from({ length: 10 }, (_, i) => servers[i % 2]!.holdDay(undefined, { channelId: capChannel, day: `2026-12-${String(i + 11).padStart(2, '0')}`, eventId: eventId(`peercap${i}`), holdUntilMs: holdUntil() })));
      assert.deepEqual(codes(manyDays), { ok: 3, MONTH_FULL: 7 });
      assert.equal((await dayRows(t, capChannel, '2026-12')).length, 3);
      assert.deepEqual(await monthRow(t, capChannel, '2026-12'), { used: 3, cap: 3 });

      // Bookings and holds mixed, same days and same month, from both servers.
      const mixChannel = await newChannel(t, operator, { monthlySlotCap: 2 });
      const mixed = await Promise.all(Array.from({ length: 12 }, (_, i) => {
        const input = { channelId: mixChannel, day: `2026-12-${String((i % 4) + 1).padStart(2, '0')}`, eventId: eventId(`mix${i}`) };
        const server = servers[i % 2]!;
        return i % 3 === 0 ? server.bookDay(undefined, input) : server.holdDay(undefined, { ...input, holdUntilMs: holdUntil() });
      }));
      assert.equal(codes(mixed).ok, 2);
      const rows = await dayRows(t, mixChannel, '2026-12');
      assert.equal(new Set(rows.map((r) => r.day)).size, 2);
      assert.deepEqual(await monthRow(t, mixChannel, '2026-12'), { used: 2, cap: 2 });
    });

    it('frees a lapsed hold once through the sweep, and a new hold can take it', async () => {
      const channelId = await newChannel(t, operator, { monthlySlotCap: 2 });
      const lapsing = eventId('lapse');
      assert.deepEqual(await calendar.holdDay(undefined, { channelId, day: '2026-12-20', eventId: lapsing, holdUntilMs: t.clock.nowMs() + HOUR_MS }), { ok: true });
      const stays = eventId('stays');
      assert.deepEqual(await calendar.bookDay(undefined, { channelId, day: '2026-12-21', eventId: stays }), { ok: true });
      assert.deepEqual(await monthRow(t, channelId, '2026-12'), { used: 2, cap: 2 });
      assert.equal(await calendar.releaseLapsedHolds(), 0, 'nothing has lapsed yet');
      t.clock.advanceMs(HOUR_MS);
      // Two sweeps racing (on PostgreSQL from two servers), then again: the slot comes back exactly once.
      const other = store === 'postgres' ? (await t.startPeer()).services.calendar : calendar;
      const freed = await Promise.all([calendar.releaseLapsedHolds(), other.releaseLapsedHolds()]);
      assert.equal(freed[0] + freed[1], 1);
      assert.equal(await calendar.releaseLapsedHolds(), 0);
      assert.deepEqual(await monthRow(t, channelId, '2026-12'), { used: 1, cap: 2 });
      assert.deepEqual(await dayRows(t, channelId, '2026-12'), [{ day: '2026-12-21', event_id: stays, state: 'booked' }]);
      assert.deepEqual(await calendar.holdDay(undefined, { channelId, day: '2026-12-20', eventId: eventId('next'), holdUntilMs: holdUntil() }), { ok: true });
      assert.deepEqual(await monthRow(t, channelId, '2026-12'), { used: 2, cap: 2 });
      assert.deepEqual(await calendar.releaseDay(undefined, { channelId, day: '2026-12-20', eventId: lapsing }), { released: false }, 'the lapsed holder no longer holds it');
    });

    it('counts a lapsed hold as free before any sweep: taken over in place, or freed when the month is full', async () => {
      const channelId = await newChannel(t, operator, { monthlySlotCap: 1 });
      const first = eventId('first');
      assert.deepEqual(await calendar.holdDay(undefined, { channelId, day: '2026-12-05', eventId: first, holdUntilMs: t.clock.nowMs() + HOUR_MS }), { ok: true });
      assert.deepEqual(await calendar.holdDay(undefined, { channelId, day: '2026-12-06', eventId: eventId('x'), holdUntilMs: holdUntil() }), { ok: false, code: 'MONTH_FULL' });
      t.clock.advanceMs(HOUR_MS);
      // Same day: the slot passes on, the count stays.
      const second = eventId('second');
      assert.deepEqual(await calendar.holdDay(undefined, { channelId, day: '2026-12-05', eventId: second, holdUntilMs: t.clock.nowMs() + HOUR_MS }), { ok: true });
      assert.deepEqual(await monthRow(t, channelId, '2026-12'), { used: 1, cap: 1 });
      t.clock.advanceMs(HOUR_MS);
      // Another day of the full month: the lapsed hold is freed in the same transaction.
      const third = eventId('third');
      assert.deepEqual(await calendar.holdDay(undefined, { channelId, day: '2026-12-06', eventId: third, holdUntilMs: holdUntil() }), { ok: true });
      assert.deepEqual(await dayRows(t, channelId, '2026-12'), [{ day: '2026-12-06', event_id: third, state: 'held' }]);
      assert.deepEqual(await monthRow(t, channelId, '2026-12'), { used: 1, cap: 1 });
      assert.equal(await calendar.releaseLapsedHolds(), 0);
    });

    it("runs the sweep with the app's jobs", async () => {
      const channelId = await newChannel(t, operator);
      assert.deepEqual(await calendar.holdDay(undefined, { channelId, day: '2026-12-30', eventId: eventId('job'), holdUntilMs: t.clock.nowMs() + 60_000 }), { ok: true });
      t.clock.advanceMs(60_000);
      await t.hs.ctx.jobs.runOnce();
      assert.deepEqual(await dayRows(t, channelId, '2026-12'), []);
      assert.deepEqual(await monthRow(t, channelId, '2026-12'), { used: 0, cap: 31 });
    });

    it('uses Asia/Shanghai days: 23:30 UTC is already the next day, in the next month', async () => {
      const channelId = await newChannel(t, operator, { monthlySlotCap: 1 });
      t.clock.set('2026-11-30T23:30:00.000Z'); // 2026-12-01 07:30 in Shanghai
      const today = eventId('dec1');
      assert.deepEqual(await calendar.holdDay(undefined, { channelId, day: '2026-12-01', eventId: today, holdUntilMs: holdUntil() }), { ok: true });
      // 2026-11-30 is already past in Shanghai though it is still that date in UTC.
      await assert.rejects(calendar.holdDay(undefined, { channelId, day: '2026-11-30', eventId: eventId('nov30'), holdUntilMs: holdUntil() }), (err: unknown) => isAppError(err) && err.code === 'VALIDATION_FAILED');
      const december = await calendar.monthView(channelId, '2026-12');
      assert.equal(december.used, 1);
      assert.deepEqual(december.days[0], { day: '2026-12-01', state: 'held', eventId: today, holdUntil: new Date(holdUntil()).toISOString() });
      assert.equal((await calendar.monthView(channelId, '2026-11')).used, 0);
      // The default month of the route is the Shanghai month.
      const view = await api<{ month: string }>(t, 'GET', `/api/v1/channels/${channelId}/calendar`, operator, undefined, 200);
      assert.equal(view.month, '2026-12');
    });

    it('shows a month to operators with events and to merchants as states only', async () => {
      const channelId = await newChannel(t, operator, { monthlySlotCap: 4 });
      const held = eventId('held');
      const booked = eventId('booked');
      assert.deepEqual(await calendar.holdDay(undefined, { channelId, day: '2027-01-08', eventId: held, holdUntilMs: Date.parse('2027-01-01T00:00:00.000Z') }), { ok: true });
      assert.deepEqual(await calendar.bookDay(undefined, { channelId, day: '2027-01-09', eventId: booked }), { ok: true });
      const asOperator = await t.hs.app.inject({ method: 'GET', url: `/api/v1/channels/${channelId}/calendar?month=2027-01`, headers: operator });
      assert.equal(asOperator.statusCode, 200, asOperator.body);
      assert.equal(asOperator.headers['cache-control'], 'private, no-store');
      const month = asOperator.json() as { cap: number; used: number; days: Array<{ day: string; state: string; eventId?: string; holdUntil?: string }> };
      assert.equal(month.days.length, 31);
      assert.equal(month.cap, 4);
      assert.equal(month.used, 2);
      assert.deepEqual(month.days[7], { day: '2027-01-08', state: 'held', eventId: held, holdUntil: '2027-01-01T00:00:00.000Z' });
      assert.deepEqual(month.days[8], { day: '2027-01-09', state: 'booked', eventId: booked });
      assert.equal(month.days.filter((d) => d.state === 'free').length, 29);

      const storeId = (await api<{ store: { id: string } }>(t, 'POST', '/api/v1/merchants', operator, { storeName: '日历品牌', storeSlug: `cal-${process.pid}-${++counter}`, displayName: 'Staff' }, 201)).store.id;
      const merchant = (await t.signIn('merchant', { storeId })).headers;
      const asMerchant = await t.hs.app.inject({ method: 'GET', url: `/api/v1/channels/${channelId}/calendar?month=2027-01`, headers: merchant });
      assert.equal(asMerchant.statusCode, 200);
      assert.doesNotMatch(asMerchant.body, new RegExp(`${held}|${booked}|eventId|holdUntil`));
      const merchantDays = (asMerchant.json() as typeof month).days;
      assert.deepEqual(merchantDays[7], { day: '2027-01-08', state: 'held' });
      assert.deepEqual(merchantDays[8], { day: '2027-01-09', state: 'booked' });

      // An expired hold shows as free and leaves the count.
      t.clock.set('2027-01-01T00:00:00.000Z');
      const later = await api<typeof month>(t, 'GET', `/api/v1/channels/${channelId}/calendar?month=2027-01`, operator, undefined, 200);
      assert.deepEqual(later.days[7], { day: '2027-01-08', state: 'free' });
      assert.equal(later.used, 1);

      const promoter = (await t.signIn('promoter')).headers;
      assert.equal((await t.hs.app.inject({ method: 'GET', url: `/api/v1/channels/${channelId}/calendar`, headers: promoter })).statusCode, 403);
      assert.equal((await t.hs.app.inject({ method: 'GET', url: `/api/v1/channels/${channelId}/calendar` })).statusCode, 401);
      for (const bad of ['2027-13', '2027-1', 'x', '2027-01-01']) {
        const res = await t.hs.app.inject({ method: 'GET', url: `/api/v1/channels/${channelId}/calendar?month=${bad}`, headers: operator });
        assert.equal(res.statusCode, 400, bad);
        assert.equal(res.json().code, 'VALIDATION_FAILED');
      }
      const missing = await t.hs.app.inject({ method: 'GET', url: '/api/v1/channels/chn_missing/calendar?month=2027-01', headers: merchant });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().code, 'NOT_FOUND');
    });

    it("composes into a caller's transaction: a rollback undoes the hold, a refusal leaves no trace", async () => {
      const channelId = await newChannel(t, operator, { monthlySlotCap: 1 });
      await assert.rejects(t.hs.ctx.db.transaction().execute(async (trx) => {
        assert.deepEqual(await calendar.holdDay(trx, { channelId, day: '2027-02-02', eventId: eventId('rolled'), holdUntilMs: holdUntil() }), { ok: true });
        throw new Error('the caller changed its mind');
      }), /changed its mind/);
      assert.deepEqual(await dayRows(t, channelId, '2027-02'), []);
      assert.equal((await monthRow(t, channelId, '2027-02'))?.used ?? 0, 0);

      const kept = eventId('kept');
      await t.hs.ctx.db.transaction().execute(async (trx) => {
        assert.deepEqual(await calendar.holdDay(trx, { channelId, day: '2027-02-03', eventId: kept, holdUntilMs: holdUntil() }), { ok: true });
        assert.deepEqual(await calendar.holdDay(trx, { channelId, day: '2027-02-04', eventId: eventId('refused'), holdUntilMs: holdUntil() }), { ok: false, code: 'MONTH_FULL' });
        // Move the event to another day in one transaction: release, then book.
        assert.deepEqual(await calendar.releaseDay(trx, { channelId, day: '2027-02-03', eventId: kept }), { released: true });
        assert.deepEqual(await calendar.bookDay(trx, { channelId, day: '2027-02-05', eventId: kept }), { ok: true });
      });
      assert.deepEqual(await dayRows(t, channelId, '2027-02'), [{ day: '2027-02-05', event_id: kept, state: 'booked' }]);
      assert.deepEqual(await monthRow(t, channelId, '2027-02'), { used: 1, cap: 1 });
    });
  });
}
