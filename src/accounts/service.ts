// Accounts: who may sign in and how. Operators and merchants hold API keys (stored as SHA-256
// only) and trade one for a session; promoters and buyers sign in with a one-time SMS code.
import crypto from 'node:crypto';
import type { AppContext } from '../platform/context.ts';
import { issueSessionToken, readSessionToken, type Principal } from '../platform/auth.ts';
import { isoUtc, type Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db/db.ts';
import type { ApiKeysTable, PromoterStatus, Role, UsersTable } from '../platform/db/schema.ts';
import { AppError } from '../platform/errors.ts';
import { newId, randomToken, sha256Hex } from '../platform/ids.ts';
import { maskMobile } from '../platform/log.ts';
import type { SmsSender } from './sms.ts';
import {
  API_KEY_RANDOM_BYTES,
  MAX_ACTIVE_KEYS_PER_USER,
  OTP_RATE_WINDOW_MINUTES,
  apiKeyFrom,
  apiKeyShownPrefix,
  isOtpRateLimited,
  isOtpUsable,
  isValidMobile,
  isWellFormedApiKey,
  otpCodeFrom,
  sessionExpiresAtMs,
  type MobileRole,
} from './rules.ts';
import * as store from './store.ts';

/** What a sign-in hands back: the bearer token (also set as the session cookie). */
export interface SessionGrant {
  token: string;
  expiresAt: string;
  expiresAtMs: number;
  role: Role;
  userId: string;
}

export interface UserView {
  id: string;
  role: Role;
  displayName: string;
  storeId: string | null;
  /** Masked: 138****5678. */
  mobile: string | null;
  createdAt: string;
}

export interface StoreView {
  id: string;
  slug: string;
  name: string;
  description: string;
  logoUrl: string | null;
  createdAt: string;
}

export interface ApiKeyView {
  id: string;
  prefix: string;
  label: string;
  createdAt: string;
  revokedAt: string | null;
}

/** A key just made: the only time the whole key is ever returned. */
export interface CreatedApiKey extends ApiKeyView {
  key: string;
}

export interface MerchantView {
  merchant: UserView;
  store: StoreView;
}

export interface NewMerchant {
  storeName: string;
  storeSlug: string;
  displayName: string;
  description?: string | undefined;
  logoUrl?: string | undefined;
}

export interface AccountsService {
  resolveApiKey(key: string): Promise<Principal | null>;
  /** Display names by user id, for reports and rankings that name promoters. */
  displayNames(userIds: readonly string[]): Promise<Map<string, string>>;
  /** On an empty database, prints how to get operator access. */
  announceBootstrap(): Promise<void>;
  /** The SMS sender codes go out through (tests read the development sender's last code). */
  readonly sms: SmsSender;
  /** Whether the session cookie is marked Secure (the public URL is https). */
  readonly secureCookies: boolean;
  /** The principal of a session token (from the hs_session cookie), or null when invalid or expired. */
  principalFromSession(token: string): Principal | null;
  signInWithApiKey(key: string): Promise<SessionGrant>;
  requestOtp(mobile: string, role: MobileRole): Promise<{ sentTo: string; expiresAt: string }>;
  verifyOtp(mobile: string, role: MobileRole, code: string): Promise<SessionGrant>;
  me(principal: Principal): Promise<UserView>;
  createOperator(displayName: string): Promise<{ operator: UserView; apiKey: CreatedApiKey }>;
  createMerchant(input: NewMerchant): Promise<MerchantView & { apiKey: CreatedApiKey }>;
  listMerchants(limit: number, after: string | undefined): Promise<MerchantView[]>;
  addPromoter(mobile: string, displayName: string): Promise<{ promoter: UserView; created: boolean }>;
  createApiKey(principal: Principal, label: string): Promise<CreatedApiKey>;
  listApiKeys(principal: Principal): Promise<ApiKeyView[]>;
  revokeApiKey(principal: Principal, keyId: string): Promise<ApiKeyView>;
}

const OTP_HASH_PURPOSE = 'otp';
/** One-time codes are kept this long (for the rate window and audits), then swept. */
const OTP_RETENTION_MS = 24 * 3_600_000;
const OTP_SWEEP_BATCH = 1000;

export function userView(row: UsersTable): UserView {
  return {
    id: row.id,
    role: row.role,
    displayName: row.display_name,
    storeId: row.store_id,
    mobile: row.mobile === null ? null : maskMobile(row.mobile),
    createdAt: row.created_at,
  };
}

function apiKeyView(row: ApiKeysTable): ApiKeyView {
  return { id: row.id, prefix: row.prefix, label: row.label, createdAt: row.created_at, revokedAt: row.revoked_at };
}

/** Makes a new key for a user: the row to store (hash only) and the key to show once. */
async function issueApiKey(db: Db, userId: string, label: string, nowMs: number): Promise<CreatedApiKey> {
  const key = apiKeyFrom(randomToken(API_KEY_RANDOM_BYTES));
  const row: ApiKeysTable = {
    id: newId('key', nowMs),
    user_id: userId,
    prefix: apiKeyShownPrefix(key),
    key_hash: sha256Hex(key),
    label,
    created_at: isoUtc(nowMs),
    revoked_at: null,
  };
  await store.insertApiKey(db, row);
  return { ...apiKeyView(row), key };
}

/**
 * Creates an operator and a first API key. Needs only the database and a clock, so the CLI
 * calls it without building the HTTP server.
 */
export async function createOperatorWithKey(db: Db, clock: Clock, displayName: string): Promise<{ operator: UserView; apiKey: CreatedApiKey }> {
  const name = displayName.trim();
  if (name.length === 0 || name.length > 60) throw new AppError('VALIDATION_FAILED', 'An operator name is 1 to 60 characters.');
  const nowMs = clock.nowMs();
  return db.transaction().execute(async (trx) => {
    const user: UsersTable = {
      id: newId('usr', nowMs),
      role: 'operator',
      mobile: null,
      display_name: name,
      store_id: null,
      created_at: isoUtc(nowMs),
      disabled_at: null,
    };
    await store.insertUser(trx, user);
    const apiKey = await issueApiKey(trx, user.id, 'created by create-operator', nowMs);
    return { operator: userView(user), apiKey };
  });
}

function codesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return a.length === 64 && b.length === 64 && left.length === right.length && crypto.timingSafeEqual(left, right);
}

export function createAccountsService(ctx: AppContext, sms: SmsSender): AccountsService {
  const { db, clock, config, signer } = ctx;

  const otpHash = (mobile: string, role: MobileRole, code: string) => signer.hashSecret(OTP_HASH_PURPOSE, `${role}:${mobile}:${code}`);

  const grant = (principal: Principal): SessionGrant => {
    const nowMs = clock.nowMs();
    const expiresAtMs = sessionExpiresAtMs(principal.role, nowMs, config.staffSessionHours, config.buyerSessionDays);
    const token = issueSessionToken(signer, principal, expiresAtMs);
    return { token, expiresAt: isoUtc(expiresAtMs), expiresAtMs, role: principal.role, userId: principal.userId };
  };

  /** The user of (role, mobile), made if absent; a promoter also gets a profile, in the same transaction. */
  async function insertMobileUser(role: MobileRole, mobile: string, displayName: string, promoterStatus: PromoterStatus, nowMs: number): Promise<UsersTable & { created: boolean }> {
    const nowIso = isoUtc(nowMs);
    return db.transaction().execute(async (trx) => {
      const created = await store.insertMobileUserIfAbsent(trx, {
        id: newId('usr', nowMs),
        role,
        mobile,
        display_name: displayName,
        store_id: null,
        created_at: nowIso,
        disabled_at: null,
      });
      const user = await store.findUserByMobile(trx, role, mobile);
      if (!user) throw new Error('a user inserted or found a moment ago is missing');
      if (role === 'promoter') await store.insertPromoterProfileIfAbsent(trx, user.id, promoterStatus, nowIso);
      return { ...user, created };
    });
  }

  ctx.jobs.addSweep('accounts.otp-cleanup', () =>
    store.deleteOtpsBefore(db, isoUtc(clock.nowMs() - OTP_RETENTION_MS), OTP_SWEEP_BATCH));

  const service: AccountsService = {
    sms,
    secureCookies: config.publicBaseUrl.startsWith('https://'),

    async resolveApiKey(key) {
      // The shape is checked first, so junk never costs a lookup.
      if (!isWellFormedApiKey(key)) return null;
      const owner = await store.findKeyOwner(db, sha256Hex(key));
      return owner ? { userId: owner.userId, role: owner.role, storeId: owner.storeId } : null;
    },

    async announceBootstrap() {
      if ((await store.countActiveOperators(db)) > 0) return;
      ctx.log.info(
        'No operator yet. To get operator access, run: npx hushsale create-operator --name "Your Name" ' +
          '(it prints an API key once; use it as "Authorization: Bearer <key>" or sign in with POST /api/v1/sessions).',
      );
    },

    principalFromSession: (token) => readSessionToken(signer, token, clock.nowMs()),

    async signInWithApiKey(key) {
      const principal = await service.resolveApiKey(key);
      if (!principal) throw new AppError('INVALID_CREDENTIALS');
      if (principal.role !== 'operator' && principal.role !== 'merchant') throw new AppError('INVALID_CREDENTIALS');
      return grant(principal);
    },

    async requestOtp(mobile, role) {
      if (!isValidMobile(mobile)) throw new AppError('VALIDATION_FAILED');
      const nowMs = clock.nowMs();
      const code = otpCodeFrom(crypto.randomInt(0, 1_000_000));
      const expiresAt = isoUtc(nowMs + config.otpTtlMinutes * 60_000);
      // Insert first, then count: of any requests over the limit, concurrent ones included, the
      // last to count sees them all, so no more than the limit are ever sent.
      const id = await store.insertOtp(db, { mobile, role, codeHash: otpHash(mobile, role, code), expiresAt, createdAt: isoUtc(nowMs) });
      const inWindow = await store.countOtpsSince(db, mobile, isoUtc(nowMs - OTP_RATE_WINDOW_MINUTES * 60_000));
      if (isOtpRateLimited(inWindow, config.limits.otpPerMobilePer10Min)) {
        await store.deleteOtp(db, id);
        throw new AppError('RATE_LIMITED');
      }
      try {
        await sms.sendCode(mobile, code);
      } catch (err) {
        await store.deleteOtp(db, id);
        throw err;
      }
      return { sentTo: maskMobile(mobile), expiresAt };
    },

    async verifyOtp(mobile, role, code) {
      const nowMs = clock.nowMs();
      const nowIso = isoUtc(nowMs);
      const maxAttempts = config.limits.otpMaxAttempts;
      const sent = await store.latestOtp(db, mobile, role);
      if (!sent) throw new AppError('OTP_INVALID');
      const usable = isOtpUsable(
        { expiresAtMs: Date.parse(sent.expiresAt), attempts: sent.attempts, consumed: sent.consumedAt !== null },
        nowMs,
        maxAttempts,
      );
      // Every try counts before the comparison, so parallel guesses cannot exceed the limit.
      if (!usable || !(await store.countOtpAttempt(db, sent.id, maxAttempts, nowIso))) throw new AppError('OTP_INVALID');
      if (!codesEqual(otpHash(mobile, role, code), sent.codeHash)) throw new AppError('OTP_INVALID');
      if (!(await store.consumeOtp(db, sent.id, nowIso))) throw new AppError('OTP_INVALID');

      // A promoter signing up starts pending: operators vet them (docs/promoters.md).
      const user = await insertMobileUser(role, mobile, `${role === 'buyer' ? '买家' : '推广者'} ${mobile.slice(-4)}`, 'pending', nowMs);
      if (user.disabled_at !== null) throw new AppError('FORBIDDEN');
      return grant({ userId: user.id, role: user.role, storeId: user.store_id });
    },

    displayNames: (userIds) => store.displayNames(db, userIds),

    async me(principal) {
      const user = await store.findUser(db, principal.userId);
      if (!user || user.disabled_at !== null) throw new AppError('UNAUTHENTICATED');
      return userView(user);
    },

    createOperator: (displayName) => createOperatorWithKey(db, clock, displayName),

    async createMerchant(input) {
      const nowMs = clock.nowMs();
      const nowIso = isoUtc(nowMs);
      try {
        return await db.transaction().execute(async (trx) => {
          if (await store.storeSlugTaken(trx, input.storeSlug)) throw new AppError('ALREADY_EXISTS', 'A store with this slug already exists.');
          const storeRow = {
            id: newId('sto', nowMs),
            slug: input.storeSlug,
            name: input.storeName,
            description: input.description ?? '',
            logo_url: input.logoUrl ?? null,
            created_at: nowIso,
            return_days: config.returnWindowDays,
          };
          await store.insertStore(trx, storeRow);
          const user: UsersTable = {
            id: newId('usr', nowMs),
            role: 'merchant',
            mobile: null,
            display_name: input.displayName,
            store_id: storeRow.id,
            created_at: nowIso,
            disabled_at: null,
          };
          await store.insertUser(trx, user);
          const apiKey = await issueApiKey(trx, user.id, 'first key', nowMs);
          const storeView: StoreView = {
            id: storeRow.id,
            slug: storeRow.slug,
            name: storeRow.name,
            description: storeRow.description,
            logoUrl: storeRow.logo_url,
            createdAt: storeRow.created_at,
          };
          return { merchant: userView(user), store: storeView, apiKey };
        });
      } catch (err) {
        // Two operators racing for one slug: the unique index decides, the loser hears 409.
        if (store.isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', 'A store with this slug already exists.');
        throw err;
      }
    },

    async listMerchants(limit, after) {
      const rows = await store.listMerchants(db, limit, after);
      return rows.map((r) => ({
        merchant: {
          id: r.userId,
          role: 'merchant' as const,
          displayName: r.displayName,
          storeId: r.storeId,
          mobile: null,
          createdAt: r.userCreatedAt,
        },
        store: { id: r.storeId, slug: r.slug, name: r.name, description: r.description, logoUrl: r.logoUrl, createdAt: r.storeCreatedAt },
      }));
    },

    async addPromoter(mobile, displayName) {
      if (!isValidMobile(mobile)) throw new AppError('VALIDATION_FAILED');
      // The operator vouches for a promoter they add: approved at once (an existing profile stays as it is).
      const user = await insertMobileUser('promoter', mobile, displayName, 'approved', clock.nowMs());
      return { promoter: userView(user), created: user.created };
    },

    async createApiKey(principal, label) {
      // A soft limit: two concurrent requests may pass it by one, which is harmless here.
      if ((await store.countActiveKeys(db, principal.userId)) >= MAX_ACTIVE_KEYS_PER_USER) throw new AppError('API_KEY_LIMIT_REACHED');
      return issueApiKey(db, principal.userId, label, clock.nowMs());
    },

    async listApiKeys(principal) {
      // Active keys are capped, revoked ones are not: list a bounded window of the newest.
      const rows = await store.listKeysOf(db, principal.userId, MAX_ACTIVE_KEYS_PER_USER * 10);
      return rows.map(apiKeyView);
    },

    async revokeApiKey(principal, keyId) {
      await store.revokeKeyOf(db, principal.userId, keyId, isoUtc(clock.nowMs()));
      const row = await store.findKeyOf(db, principal.userId, keyId);
      // Another person's key is answered as if it did not exist.
      if (!row) throw new AppError('NOT_FOUND');
      return apiKeyView(row);
    },
  };
  return service;
}
