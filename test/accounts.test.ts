// Accounts through HTTP and the CLI function, on every store under test: API keys, sessions,
// one-time-code sign-in, merchants and promoters, role checks, refused input writing nothing.
import { describe, it, before, after } from 'node:test';
import type { InjectOptions } from 'fastify';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nextMobile, startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { createOperatorCommand } from '../src/cli/create-operator.ts';
import type { DevSmsSender } from '../src/accounts/sms.ts';
import { loadConfig } from '../src/platform/config.ts';
import { migrateToLatest, openDatabase } from '../src/platform/db/db.ts';
import {
  apiKeyFrom,
  isOtpRateLimited,
  isOtpUsable,
  isValidMobile,
  isWellFormedApiKey,
  otpCodeFrom,
  safeNextPath,
} from '../src/accounts/rules.ts';

type Json = Record<string, unknown> & { code?: string };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('accounts rules', () => {
  it('accepts mainland mobile numbers only', () => {
    for (const ok of ['13812345678', '19900000000', '15012345678']) assert.ok(isValidMobile(ok), ok);
    for (const bad of ['12812345678', '1381234567', '138123456789', '+8613812345678', '1381234567a', '']) assert.ok(!isValidMobile(bad), bad);
  });

  it('makes zero-padded six-digit codes and refuses out-of-range input', () => {
    assert.equal(otpCodeFrom(0), '000000');
    assert.equal(otpCodeFrom(42), '000042');
    assert.equal(otpCodeFrom(999_999), '999999');
    assert.throws(() => otpCodeFrom(1_000_000));
    assert.throws(() => otpCodeFrom(-1));
    assert.throws(() => otpCodeFrom(1.5));
  });

  it('decides code usability and the rate limit', () => {
    const code = { expiresAtMs: 1000, attempts: 0, consumed: false };
    assert.ok(isOtpUsable(code, 999, 5));
    assert.ok(!isOtpUsable(code, 1000, 5), 'expired at its expiry instant');
    assert.ok(!isOtpUsable({ ...code, attempts: 5 }, 0, 5));
    assert.ok(!isOtpUsable({ ...code, consumed: true }, 0, 5));
    assert.ok(!isOtpRateLimited(5, 5));
    assert.ok(isOtpRateLimited(6, 5));
  });

  it('knows the API key format exactly', () => {
    const body = Buffer.alloc(32, 7).toString('base64url');
    const key = apiKeyFrom(body);
    assert.ok(isWellFormedApiKey(key));
    assert.ok(!isWellFormedApiKey(`${key}x`));
    assert.ok(!isWellFormedApiKey(key.slice(0, -1)));
    assert.ok(!isWellFormedApiKey(`hsk_${body.slice(0, -1)}!`));
    assert.throws(() => apiKeyFrom('short'));
  });

  it('sends people back to same-site paths only', () => {
    assert.equal(safeNextPath('/e/abc?x=1'), '/e/abc?x=1');
    for (const bad of [undefined, '', '//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '/a\nb', `/${'a'.repeat(600)}`]) {
      assert.equal(safeNextPath(bad), '/', String(bad));
    }
  });
});

describe('create-operator on a fresh embedded database', () => {
  it('opens, migrates, creates an operator and prints its key once', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hushsale-cli-'));
    try {
      const config = { ...loadConfig({}), dataDir, databaseUrl: undefined, sqliteSynchronous: 'NORMAL' as const };
      const lines: string[] = [];
      const { userId, apiKey } = await createOperatorCommand({ name: 'Wang Fang', config, print: (l) => lines.push(l) });
      assert.ok(isWellFormedApiKey(apiKey));
      const output = lines.join('\n');
      assert.equal(output.split(apiKey).length - 1, 2, 'the key is printed in the key line and the curl hint only');
      assert.match(output, /curl -H "Authorization: Bearer hsk_[^"]+" http:\/\/localhost:3000\/api\/v1\/me/);
      const handle = await openDatabase(config);
      try {
        await migrateToLatest(handle);
        const user = await handle.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
        assert.equal(user.role, 'operator');
        const keys = await handle.db.selectFrom('api_keys').selectAll().where('user_id', '=', userId).execute();
        assert.equal(keys.length, 1);
        assert.notEqual(keys[0]?.key_hash, apiKey, 'only a hash is stored');
        assert.ok(!JSON.stringify(keys).includes(apiKey.slice(4)));
      } finally {
        await handle.close();
      }
      await assert.rejects(createOperatorCommand({ name: '   ', config, print: () => {} }));
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

for (const store of storesUnderTest()) {
  describe(`accounts on ${store}`, () => {
    let t: TestApp;
    let operatorKey: string;
    const inject = (options: InjectOptions) => t.hs.app.inject(options);
    const sms = () => t.hs.services.accounts.sms as DevSmsSender;
    const count = async (table: 'stores' | 'users' | 'api_keys' | 'otp_codes') => {
      const row = await t.hs.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    };
    let slugCounter = 0;
    const createMerchant = async (overrides: Record<string, unknown> = {}) => {
      slugCounter += 1;
      const res = await inject({
        method: 'POST',
        url: '/api/v1/merchants',
        headers: bearer(operatorKey),
        payload: { storeName: `品牌 ${slugCounter}`, storeSlug: `brand-${slugCounter}`, displayName: `Brand ${slugCounter}`, ...overrides },
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as { merchant: { id: string; storeId: string }; store: { id: string; slug: string }; apiKey: { id: string; key: string; prefix: string } };
    };
    const requestCode = async (mobile: string, role: 'buyer' | 'promoter' = 'buyer') =>
      inject({ method: 'POST', url: '/api/v1/auth/otp/request', payload: { mobile, role } });
    const verifyCode = async (mobile: string, code: string, role: 'buyer' | 'promoter' = 'buyer') =>
      inject({ method: 'POST', url: '/api/v1/auth/otp/verify', payload: { mobile, role, code } });
    const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

    before(async () => {
      t = await startTestApp(store);
    });
    after(async () => t.close());

    it('announces how to get operator access until an operator exists, via the CLI function', async () => {
      const said: string[] = [];
      const log = t.hs.ctx.log as unknown as { info: (...args: unknown[]) => void };
      const original = log.info;
      log.info = (...args: unknown[]) => {
        said.push(args.map(String).join(' '));
      };
      try {
        await t.hs.services.accounts.announceBootstrap();
        assert.equal(said.length, 1);
        assert.match(said[0] ?? '', /npx hushsale create-operator --name "Your Name"/);

        const lines: string[] = [];
        const created = await createOperatorCommand({ name: '运营 Ops', config: t.config, handle: t.hs.ctx.handle, clock: t.clock, print: (l) => lines.push(l) });
        operatorKey = created.apiKey;
        assert.match(lines.join('\n'), /Authorization: Bearer hsk_/);

        said.length = 0;
        await t.hs.services.accounts.announceBootstrap();
        assert.equal(said.length, 0, 'quiet once an operator exists');
      } finally {
        log.info = original;
      }
      const me = await inject({ method: 'GET', url: '/api/v1/me', headers: bearer(operatorKey) });
      assert.equal(me.statusCode, 200, me.body);
      assert.equal(me.json().role, 'operator');
      assert.equal(me.json().displayName, '运营 Ops');
    });

    it('creates a merchant with its store and a key that works at once', async () => {
      const created = await createMerchant({ description: '清仓', logoUrl: 'https://img.example/logo.png' });
      assert.match(created.apiKey.key, /^hsk_[A-Za-z0-9_-]{43}$/);
      assert.equal(created.apiKey.prefix, created.apiKey.key.slice(0, 12));
      assert.equal(created.merchant.storeId, created.store.id);
      const me = await inject({ method: 'GET', url: '/api/v1/me', headers: bearer(created.apiKey.key) });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().role, 'merchant');
      assert.equal(me.json().storeId, created.store.id);
      assert.equal(me.json().mobile, null);

      const list = await inject({ method: 'GET', url: '/api/v1/merchants?limit=200', headers: bearer(operatorKey) });
      assert.equal(list.statusCode, 200);
      const found = (list.json().items as Array<{ store: { slug: string } }>).find((m) => m.store.slug === created.store.slug);
      assert.ok(found, 'the new merchant is listed');
      assert.ok(!list.body.includes('hsk_'), 'lists never carry keys');
    });

    it('pages the merchant list with a cursor', async () => {
      await createMerchant();
      await createMerchant();
      const first = await inject({ method: 'GET', url: '/api/v1/merchants?limit=1', headers: bearer(operatorKey) });
      assert.equal(first.statusCode, 200);
      const next = first.json().next as string;
      assert.ok(next);
      const second = await inject({ method: 'GET', url: `/api/v1/merchants?limit=1&after=${encodeURIComponent(next)}`, headers: bearer(operatorKey) });
      assert.equal(second.json().items.length, 1);
      assert.notEqual(second.json().items[0].merchant.id, first.json().items[0].merchant.id);
    });

    it('refuses a taken store slug with 409 and writes nothing', async () => {
      const created = await createMerchant();
      const before = [await count('stores'), await count('users'), await count('api_keys')];
      const res = await inject({
        method: 'POST',
        url: '/api/v1/merchants',
        headers: bearer(operatorKey),
        payload: { storeName: 'Again', storeSlug: created.store.slug, displayName: 'Again' },
      });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().code, 'ALREADY_EXISTS');
      assert.deepEqual([await count('stores'), await count('users'), await count('api_keys')], before);
    });

    it('creates, lists and revokes own API keys; a revoked key stops at once', async () => {
      const m = await createMerchant();
      const made = await inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(m.apiKey.key), payload: { label: 'warehouse script' } });
      assert.equal(made.statusCode, 201, made.body);
      const second = made.json() as { id: string; key: string; label: string; revokedAt: null };
      assert.equal(second.label, 'warehouse script');
      assert.equal(second.revokedAt, null);
      assert.notEqual(second.key, m.apiKey.key);

      const list = await inject({ method: 'GET', url: '/api/v1/api-keys', headers: bearer(second.key) });
      assert.equal(list.statusCode, 200);
      const items = list.json().items as Array<Json>;
      assert.deepEqual(items.map((k) => k.id).sort(), [m.apiKey.id, second.id].sort());
      for (const item of items) {
        assert.deepEqual(Object.keys(item).sort(), ['createdAt', 'id', 'label', 'prefix', 'revokedAt']);
      }
      assert.ok(!list.body.includes(second.key) && !list.body.includes(m.apiKey.key), 'a list shows prefixes, never keys');

      const revoked = await inject({ method: 'DELETE', url: `/api/v1/api-keys/${m.apiKey.id}`, headers: bearer(second.key) });
      assert.equal(revoked.statusCode, 200, revoked.body);
      assert.equal(revoked.json().revokedAt, t.clock.now().toISOString());
      const refused = await inject({ method: 'GET', url: '/api/v1/me', headers: bearer(m.apiKey.key) });
      assert.equal(refused.statusCode, 401);
      const session = await inject({ method: 'POST', url: '/api/v1/sessions', payload: { apiKey: m.apiKey.key } });
      assert.equal(session.statusCode, 401);
      assert.equal(session.json().code, 'INVALID_CREDENTIALS');
      const stillWorks = await inject({ method: 'GET', url: '/api/v1/me', headers: bearer(second.key) });
      assert.equal(stillWorks.statusCode, 200);

      const again = await inject({ method: 'DELETE', url: `/api/v1/api-keys/${m.apiKey.id}`, headers: bearer(second.key) });
      assert.equal(again.statusCode, 200, 'revoking twice is harmless');
      assert.equal(again.json().revokedAt, revoked.json().revokedAt);
    });

    it("answers another person's key with 404 and leaves it working", async () => {
      const a = await createMerchant();
      const b = await createMerchant();
      const byOther = await inject({ method: 'DELETE', url: `/api/v1/api-keys/${b.apiKey.id}`, headers: bearer(a.apiKey.key) });
      assert.equal(byOther.statusCode, 404);
      assert.equal(byOther.json().code, 'NOT_FOUND');
      const byOperator = await inject({ method: 'DELETE', url: `/api/v1/api-keys/${b.apiKey.id}`, headers: bearer(operatorKey) });
      assert.equal(byOperator.statusCode, 404);
      const unknown = await inject({ method: 'DELETE', url: '/api/v1/api-keys/key_nope', headers: bearer(a.apiKey.key) });
      assert.equal(unknown.statusCode, 404);
      const listA = await inject({ method: 'GET', url: '/api/v1/api-keys', headers: bearer(a.apiKey.key) });
      assert.ok(!listA.body.includes(b.apiKey.id), "a list never shows another's keys");
      const me = await inject({ method: 'GET', url: '/api/v1/me', headers: bearer(b.apiKey.key) });
      assert.equal(me.statusCode, 200);
    });

    it('caps active keys per person', async () => {
      const m = await createMerchant();
      let last = 201;
      let made = 1;
      while (last === 201 && made < 50) {
        const res = await inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(m.apiKey.key), payload: { label: `k${made}` } });
        last = res.statusCode;
        if (last === 201) made += 1;
        else assert.equal(res.json().code, 'API_KEY_LIMIT_REACHED');
      }
      assert.equal(last, 409);
      assert.equal(made, 20);
    });

    it('trades an API key for a session cookie that expires with the staff session', async () => {
      const m = await createMerchant();
      const res = await inject({ method: 'POST', url: '/api/v1/sessions', payload: { apiKey: m.apiKey.key } });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json() as { token: string; expiresAt: string; role: string; userId: string };
      assert.equal(body.role, 'merchant');
      assert.equal(body.userId, m.merchant.id);
      assert.equal(body.expiresAt, new Date(t.clock.nowMs() + t.config.staffSessionHours * 3_600_000).toISOString());
      const setCookie = String(res.headers['set-cookie']);
      assert.match(setCookie, /^hs_session=hss\./);
      assert.match(setCookie, /HttpOnly/);
      assert.match(setCookie, /SameSite=Lax/);
      assert.match(setCookie, /Path=\//);

      const byCookie = await inject({ method: 'GET', url: '/api/v1/me', cookies: { hs_session: body.token } });
      assert.equal(byCookie.statusCode, 200);
      assert.equal(byCookie.json().id, m.merchant.id);

      const out = await inject({ method: 'DELETE', url: '/api/v1/sessions' });
      assert.equal(out.statusCode, 200);
      assert.match(String(out.headers['set-cookie']), /hs_session=;.*Expires=Thu, 01 Jan 1970/);

      t.clock.advanceMinutes(t.config.staffSessionHours * 60 + 1);
      const expired = await inject({ method: 'GET', url: '/api/v1/me', headers: bearer(body.token) });
      assert.equal(expired.statusCode, 401);
    });

    it('refuses a wrong or malformed key with 401', async () => {
      for (const apiKey of [`hsk_${'A'.repeat(43)}`, 'hsk_short', 'not-a-key', `${operatorKey}x`]) {
        const res = await inject({ method: 'POST', url: '/api/v1/sessions', payload: { apiKey } });
        assert.equal(res.statusCode, 401, apiKey);
        assert.equal(res.json().code, 'INVALID_CREDENTIALS');
        const me = await inject({ method: 'GET', url: '/api/v1/me', headers: bearer(apiKey) });
        assert.equal(me.statusCode, 401);
      }
    });

    it('signs a buyer in with a one-time code, creating the buyer once', async () => {
      const mobile = nextMobile();
      const sent = await requestCode(mobile);
      assert.equal(sent.statusCode, 200, sent.body);
      assert.equal(sent.json().sentTo, `${mobile.slice(0, 3)}****${mobile.slice(-4)}`);
      assert.equal(sent.json().expiresAt, new Date(t.clock.nowMs() + t.config.otpTtlMinutes * 60_000).toISOString());
      const code = sms().lastCodeFor(mobile);
      assert.match(code ?? '', /^[0-9]{6}$/);
      const stored = await t.hs.ctx.db.selectFrom('otp_codes').select('code_hash').where('mobile', '=', mobile).execute();
      assert.equal(stored.length, 1);
      assert.notEqual(stored[0]?.code_hash, code, 'the code is stored hashed');

      const res = await verifyCode(mobile, code as string);
      assert.equal(res.statusCode, 200, res.body);
      const session = res.json() as { token: string; expiresAt: string; role: string; userId: string };
      assert.equal(session.role, 'buyer');
      assert.equal(session.expiresAt, new Date(t.clock.nowMs() + t.config.buyerSessionDays * 86_400_000).toISOString());
      assert.match(String(res.headers['set-cookie']), /^hs_session=hss\..*HttpOnly.*SameSite=Lax/);

      const me = await inject({ method: 'GET', url: '/api/v1/me', cookies: { hs_session: session.token } });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().role, 'buyer');
      assert.equal(me.json().mobile, `${mobile.slice(0, 3)}****${mobile.slice(-4)}`);
      assert.ok(!me.body.includes(mobile), 'the full number is never echoed');

      const reused = await verifyCode(mobile, code as string);
      assert.equal(reused.statusCode, 401, 'a code is single use');
      assert.equal(reused.json().code, 'OTP_INVALID');

      await requestCode(mobile);
      const again = await verifyCode(mobile, sms().lastCodeFor(mobile) as string);
      assert.equal(again.statusCode, 200);
      assert.equal(again.json().userId, session.userId, 'the same person on the next sign-in');
      const users = await t.hs.ctx.db.selectFrom('users').select('id').where('mobile', '=', mobile).execute();
      assert.equal(users.length, 1);
    });

    it('refuses a wrong code, then still takes the right one', async () => {
      const mobile = nextMobile();
      await requestCode(mobile);
      const code = sms().lastCodeFor(mobile) as string;
      const wrong = await verifyCode(mobile, wrongCode(code));
      assert.equal(wrong.statusCode, 401);
      assert.equal(wrong.json().code, 'OTP_INVALID');
      const asPromoter = await verifyCode(mobile, code, 'promoter');
      assert.equal(asPromoter.statusCode, 401, 'a buyer code does not sign in a promoter');
      const right = await verifyCode(mobile, code);
      assert.equal(right.statusCode, 200);
    });

    it('refuses a code after its expiry', async () => {
      const mobile = nextMobile();
      await requestCode(mobile);
      const code = sms().lastCodeFor(mobile) as string;
      t.clock.advanceMinutes(t.config.otpTtlMinutes);
      const res = await verifyCode(mobile, code);
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().code, 'OTP_INVALID');
    });

    it('only the newest code counts', async () => {
      const mobile = nextMobile();
      await requestCode(mobile);
      const first = sms().lastCodeFor(mobile) as string;
      await requestCode(mobile);
      const second = sms().lastCodeFor(mobile) as string;
      if (first !== second) assert.equal((await verifyCode(mobile, first)).statusCode, 401);
      assert.equal((await verifyCode(mobile, second)).statusCode, 200);
    });

    it('burns a code after the most wrong tries, even for the right code', async () => {
      const mobile = nextMobile();
      await requestCode(mobile);
      const code = sms().lastCodeFor(mobile) as string;
      const guesses = Array.from({ length: t.config.limits.otpMaxAttempts }, () => verifyCode(mobile, wrongCode(code)));
      for (const res of await Promise.all(guesses)) assert.equal(res.statusCode, 401);
      const right = await verifyCode(mobile, code);
      assert.equal(right.statusCode, 401);
      const row = await t.hs.ctx.db.selectFrom('otp_codes').select('attempts').where('mobile', '=', mobile).executeTakeFirstOrThrow();
      assert.equal(row.attempts, t.config.limits.otpMaxAttempts);
    });

    it('rate-limits code requests per mobile, and forgets after the window', async () => {
      const mobile = nextMobile();
      const limit = t.config.limits.otpPerMobilePer10Min;
      for (let i = 0; i < limit; i += 1) {
        const res = await requestCode(mobile, i % 2 === 0 ? 'buyer' : 'promoter');
        assert.equal(res.statusCode, 200, `request ${i + 1}`);
      }
      const refused = await requestCode(mobile);
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.json().code, 'RATE_LIMITED');
      const rows = await t.hs.ctx.db.selectFrom('otp_codes').select('id').where('mobile', '=', mobile).execute();
      assert.equal(rows.length, limit, 'a refused request leaves no code behind');
      t.clock.advanceMinutes(10);
      assert.equal((await requestCode(mobile)).statusCode, 200);
    });

    it('never sends more codes than the limit under concurrent requests', async () => {
      const mobile = nextMobile();
      const limit = t.config.limits.otpPerMobilePer10Min;
      const results = await Promise.all(Array.from({ length: limit * 3 }, () => requestCode(mobile)));
      const sent = results.filter((r) => r.statusCode === 200).length;
      for (const r of results) assert.ok(r.statusCode === 200 || r.statusCode === 429, String(r.statusCode));
      assert.ok(sent <= limit, `sent ${sent} > ${limit}`);
      const rows = await t.hs.ctx.db.selectFrom('otp_codes').select('id').where('mobile', '=', mobile).execute();
      assert.equal(rows.length, sent);
    });

    it('signs promoters in by code and lets operators add them ahead', async () => {
      const mobile = nextMobile();
      const added = await inject({ method: 'POST', url: '/api/v1/promoters', headers: bearer(operatorKey), payload: { mobile, displayName: '李团长' } });
      assert.equal(added.statusCode, 201, added.body);
      assert.equal(added.json().created, true);
      assert.equal(added.json().promoter.role, 'promoter');
      assert.equal(added.json().promoter.mobile, `${mobile.slice(0, 3)}****${mobile.slice(-4)}`);
      const again = await inject({ method: 'POST', url: '/api/v1/promoters', headers: bearer(operatorKey), payload: { mobile, displayName: 'Other' } });
      assert.equal(again.statusCode, 200);
      assert.equal(again.json().created, false);
      assert.equal(again.json().promoter.id, added.json().promoter.id);

      await requestCode(mobile, 'promoter');
      const res = await verifyCode(mobile, sms().lastCodeFor(mobile) as string, 'promoter');
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().role, 'promoter');
      assert.equal(res.json().userId, added.json().promoter.id);

      const fresh = nextMobile();
      await requestCode(fresh, 'promoter');
      const first = await verifyCode(fresh, sms().lastCodeFor(fresh) as string, 'promoter');
      assert.equal(first.statusCode, 200);
      const me = await inject({ method: 'GET', url: '/api/v1/me', headers: bearer(first.json().token) });
      assert.equal(me.json().role, 'promoter');
    });

    it('keeps operator routes for operators: 401 without sign-in, 403 for other roles', async () => {
      const m = await createMerchant();
      const buyer = await t.signIn('buyer');
      const promoter = await t.signIn('promoter');
      const operatorOnly = [
        { method: 'POST' as const, url: '/api/v1/merchants', payload: { storeName: 'X', storeSlug: 'x-shop', displayName: 'X' } },
        { method: 'GET' as const, url: '/api/v1/merchants' },
        { method: 'POST' as const, url: '/api/v1/promoters', payload: { mobile: nextMobile(), displayName: 'P' } },
      ];
      const staffOnly = [
        { method: 'POST' as const, url: '/api/v1/api-keys', payload: { label: 'x' } },
        { method: 'GET' as const, url: '/api/v1/api-keys' },
        { method: 'DELETE' as const, url: `/api/v1/api-keys/${m.apiKey.id}` },
      ];
      const before = [await count('stores'), await count('users'), await count('api_keys')];
      for (const route of [...operatorOnly, ...staffOnly, { method: 'GET' as const, url: '/api/v1/me' }]) {
        const res = await inject(route);
        assert.equal(res.statusCode, 401, `${route.method} ${route.url} without sign-in`);
        assert.equal(res.json().code, 'UNAUTHENTICATED');
      }
      for (const route of operatorOnly) {
        for (const headers of [bearer(m.apiKey.key), buyer.headers, promoter.headers]) {
          const res = await inject({ ...route, headers });
          assert.equal(res.statusCode, 403, `${route.method} ${route.url}`);
          assert.equal(res.json().code, 'FORBIDDEN');
        }
      }
      for (const route of staffOnly) {
        for (const headers of [buyer.headers, promoter.headers]) {
          const res = await inject({ ...route, headers });
          assert.equal(res.statusCode, 403, `${route.method} ${route.url}`);
        }
      }
      assert.deepEqual([await count('stores'), await count('users'), await count('api_keys')], before);
      const me = await inject({ method: 'GET', url: '/api/v1/me', headers: bearer(m.apiKey.key) });
      assert.equal(me.statusCode, 200, 'the key survived the refused revocations');
    });

    it('refuses malformed bodies with 400 VALIDATION_FAILED and writes nothing', async () => {
      const m = await createMerchant();
      const cases: Array<{ url: string; headers?: Record<string, string>; payload: unknown }> = [
        { url: '/api/v1/merchants', headers: bearer(operatorKey), payload: { storeName: 'A', storeSlug: 'ok-slug', displayName: 'A', extra: 1 } },
        { url: '/api/v1/merchants', headers: bearer(operatorKey), payload: { storeName: 'A', storeSlug: 'Bad Slug', displayName: 'A' } },
        { url: '/api/v1/merchants', headers: bearer(operatorKey), payload: { storeName: 'A', storeSlug: '-bad', displayName: 'A' } },
        { url: '/api/v1/merchants', headers: bearer(operatorKey), payload: { storeName: 'A', storeSlug: 'ok-slug' } },
        { url: '/api/v1/merchants', headers: bearer(operatorKey), payload: { storeName: '  ', storeSlug: 'ok-slug', displayName: 'A' } },
        { url: '/api/v1/merchants', headers: bearer(operatorKey), payload: { storeName: 'A', storeSlug: 'ok-slug', displayName: 'A', logoUrl: 'javascript:alert(1)' } },
        { url: '/api/v1/promoters', headers: bearer(operatorKey), payload: { mobile: '12345', displayName: 'P' } },
        { url: '/api/v1/promoters', headers: bearer(operatorKey), payload: { mobile: nextMobile(), displayName: 'P', role: 'operator' } },
        { url: '/api/v1/api-keys', headers: bearer(m.apiKey.key), payload: { label: 'x', userId: operatorKey } },
        { url: '/api/v1/api-keys', headers: bearer(m.apiKey.key), payload: { label: '' } },
        { url: '/api/v1/sessions', payload: {} },
        { url: '/api/v1/sessions', payload: { apiKey: operatorKey, role: 'operator' } },
        { url: '/api/v1/auth/otp/request', payload: { mobile: '12812345678', role: 'buyer' } },
        { url: '/api/v1/auth/otp/request', payload: { mobile: nextMobile(), role: 'operator' } },
        { url: '/api/v1/auth/otp/request', payload: { mobile: nextMobile(), role: 'buyer', extra: true } },
        { url: '/api/v1/auth/otp/verify', payload: { mobile: nextMobile(), role: 'buyer', code: '12345' } },
        { url: '/api/v1/auth/otp/verify', payload: { mobile: nextMobile(), role: 'buyer', code: '12345a' } },
      ];
      const tables = ['stores', 'users', 'api_keys', 'otp_codes'] as const;
      const before = await Promise.all(tables.map(count));
      for (const c of cases) {
        const res = await inject({ method: 'POST', url: c.url, headers: c.headers ?? {}, payload: c.payload as Record<string, unknown> });
        assert.equal(res.statusCode, 400, `${c.url} ${JSON.stringify(c.payload)} -> ${res.body}`);
        assert.equal(res.json().code, 'VALIDATION_FAILED');
      }
      assert.deepEqual(await Promise.all(tables.map(count)), before);
    });

    it('serves the phone sign-in page with a safe return path and its script', async () => {
      const res = await inject({ method: 'GET', url: '/login?next=%2Fe%2Fabc%3Fx%3D1' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.match(res.body, /获取验证码/);
      assert.match(res.body, /data-next="\/e\/abc\?x=1"/);
      assert.match(res.body, /<script src="\/assets\/login\.js" defer><\/script>/);
      assert.ok(!/<script>/.test(res.body), 'no inline script');
      for (const next of ['//evil.example/x', 'https://evil.example', '/\\evil.example']) {
        const page = await inject({ method: 'GET', url: `/login?next=${encodeURIComponent(next)}` });
        assert.match(page.body, /data-next="\/"/, next);
      }
      const xss = await inject({ method: 'GET', url: `/login?next=${encodeURIComponent('/"><img src=x onerror=alert(1)>')}` });
      assert.ok(!xss.body.includes('<img src=x'), 'the return path is escaped');
      const promoter = await inject({ method: 'GET', url: '/login?role=promoter' });
      assert.match(promoter.body, /推广者登录/);
      assert.match(promoter.body, /data-role="promoter"/);
      const script = await inject({ method: 'GET', url: '/assets/login.js' });
      assert.equal(script.statusCode, 200);
      assert.match(script.body, /\/api\/v1\/auth\/otp\/verify/);
    });

    it('documents every accounts route in OpenAPI with responses', async () => {
      const doc = (await inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { responses?: Record<string, unknown>; tags?: string[] }>> };
      const expected: Array<[string, string]> = [
        ['/api/v1/sessions', 'post'], ['/api/v1/sessions', 'delete'], ['/api/v1/auth/otp/request', 'post'], ['/api/v1/auth/otp/verify', 'post'],
        ['/api/v1/me', 'get'], ['/api/v1/merchants', 'post'], ['/api/v1/merchants', 'get'], ['/api/v1/promoters', 'post'],
        ['/api/v1/api-keys', 'post'], ['/api/v1/api-keys', 'get'], ['/api/v1/api-keys/{id}', 'delete'], ['/login', 'get'],
      ];
      for (const [url, method] of expected) {
        const op = doc.paths[url]?.[method];
        assert.ok(op, `${method} ${url} is documented`);
        assert.ok(op.responses?.['400'] && op.responses?.['500'], `${method} ${url} declares error responses`);
        assert.ok(op.tags?.length, `${method} ${url} has tags`);
      }
    });
  });
}
