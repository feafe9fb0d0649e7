// The SQL of the accounts feature: users, API keys, one-time codes, stores. Every function takes
// the database or a transaction, so the service decides what runs together.
import type { Insertable, Kysely } from 'kysely';
import type { ApiKeysTable, Database, PromoterStatus, Role, StoresTable, UsersTable } from '../platform/db/schema.ts';

type Db = Kysely<Database>;

/** True for a unique-constraint violation on either engine (PostgreSQL 23505, SQLite CONSTRAINT_UNIQUE). */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export interface KeyOwner {
  userId: string;
  role: Role;
  storeId: string | null;
}

/** The owner of an unrevoked key of an enabled user, by the key's hash. */
export async function findKeyOwner(db: Db, keyHash: string): Promise<KeyOwner | undefined> {
  return db.selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .select(['users.id as userId', 'users.role as role', 'users.store_id as storeId'])
    .where('api_keys.key_hash', '=', keyHash)
    .where('api_keys.revoked_at', 'is', null)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
}

export async function insertUser(db: Db, user: UsersTable): Promise<void> {
  await db.insertInto('users').values(user).execute();
}

/** Display names by user id (leaderboards, reports); ids without a user are left out. */
export async function displayNames(db: Db, userIds: readonly string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', [...userIds]).execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

export async function findUser(db: Db, userId: string): Promise<UsersTable | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
}

/** Inserts a promoter or buyer unless one with that role and mobile exists; true when inserted. */
export async function insertMobileUserIfAbsent(db: Db, user: UsersTable): Promise<boolean> {
  const result = await db.insertInto('users').values(user)
    .onConflict((oc) => oc.columns(['role', 'mobile']).where('mobile', 'is not', null).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** A promoter's profile (vetting status), unless they have one; true when this call made it. */
export async function insertPromoterProfileIfAbsent(db: Db, userId: string, status: PromoterStatus, nowIso: string): Promise<boolean> {
  const result = await db.insertInto('promoter_profiles').values({ user_id: userId, status, status_reason: null, wechat_id: null, leader_id: null, invite_code: null, created_at: nowIso, updated_at: nowIso })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export async function findUserByMobile(db: Db, role: Role, mobile: string): Promise<UsersTable | undefined> {
  return db.selectFrom('users').selectAll().where('role', '=', role).where('mobile', '=', mobile).executeTakeFirst();
}

export async function countActiveOperators(db: Db): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'operator').where('disabled_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertApiKey(db: Db, key: ApiKeysTable): Promise<void> {
  await db.insertInto('api_keys').values(key).execute();
}

export async function countActiveKeys(db: Db, userId: string): Promise<number> {
  const row = await db.selectFrom('api_keys').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A user's keys, newest first, at most `limit`. */
export async function listKeysOf(db: Db, userId: string, limit: number): Promise<ApiKeysTable[]> {
  return db.selectFrom('api_keys').selectAll().where('user_id', '=', userId)
    .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export async function findKeyOf(db: Db, userId: string, keyId: string): Promise<ApiKeysTable | undefined> {
  return db.selectFrom('api_keys').selectAll().where('id', '=', keyId).where('user_id', '=', userId).executeTakeFirst();
}

/** Revokes a key of `userId` if it is still active; a revoked key stays revoked at its first time. */
export async function revokeKeyOf(db: Db, userId: string, keyId: string, revokedAt: string): Promise<void> {
  await db.updateTable('api_keys').set({ revoked_at: revokedAt })
    .where('id', '=', keyId).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}

export async function insertStore(db: Db, store: Insertable<StoresTable>): Promise<void> {
  await db.insertInto('stores').values(store).execute();
}

export async function storeSlugTaken(db: Db, slug: string): Promise<boolean> {
  const row = await db.selectFrom('stores').select('id').where('slug', '=', slug).executeTakeFirst();
  return row !== undefined;
}

export interface MerchantRow {
  userId: string;
  displayName: string;
  userCreatedAt: string;
  disabledAt: string | null;
  storeId: string;
  slug: string;
  name: string;
  description: string;
  logoUrl: string | null;
  storeCreatedAt: string;
}

/** Merchant users with their stores, oldest first, after the user id `after` (a cursor). */
export async function listMerchants(db: Db, limit: number, after: string | undefined): Promise<MerchantRow[]> {
  let query = db.selectFrom('users')
    .innerJoin('stores', 'stores.id', 'users.store_id')
    .select([
      'users.id as userId',
      'users.display_name as displayName',
      'users.created_at as userCreatedAt',
      'users.disabled_at as disabledAt',
      'stores.id as storeId',
      'stores.slug as slug',
      'stores.name as name',
      'stores.description as description',
      'stores.logo_url as logoUrl',
      'stores.created_at as storeCreatedAt',
    ])
    .where('users.role', '=', 'merchant');
  if (after !== undefined) query = query.where('users.id', '>', after);
  return query.orderBy('users.id').limit(limit).execute();
}

export interface OtpRow {
  id: number;
  codeHash: string;
  expiresAt: string;
  attempts: number;
  consumedAt: string | null;
}

export async function insertOtp(db: Db, row: { mobile: string; role: Role; codeHash: string; expiresAt: string; createdAt: string }): Promise<number> {
  const inserted = await db.insertInto('otp_codes').values({
    mobile: row.mobile,
    role: row.role,
    code_hash: row.codeHash,
    expires_at: row.expiresAt,
    attempts: 0,
    consumed_at: null,
    created_at: row.createdAt,
  }).returning('id').executeTakeFirstOrThrow();
  return Number(inserted.id);
}

export async function deleteOtp(db: Db, id: number): Promise<void> {
  await db.deleteFrom('otp_codes').where('id', '=', id).execute();
}

/** Codes sent to `mobile` (any role) created after `sinceIso`. */
export async function countOtpsSince(db: Db, mobile: string, sinceIso: string): Promise<number> {
  const row = await db.selectFrom('otp_codes').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('mobile', '=', mobile).where('created_at', '>', sinceIso).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The newest code sent for (mobile, role): only the newest may be used. */
export async function latestOtp(db: Db, mobile: string, role: Role): Promise<OtpRow | undefined> {
  return db.selectFrom('otp_codes')
    .select(['id', 'code_hash as codeHash', 'expires_at as expiresAt', 'attempts', 'consumed_at as consumedAt'])
    .where('mobile', '=', mobile).where('role', '=', role)
    .orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** Counts one try against a code, only while it is usable; false when it no longer was. */
export async function countOtpAttempt(db: Db, id: number, maxAttempts: number, nowIso: string): Promise<boolean> {
  const result = await db.updateTable('otp_codes').set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id).where('attempts', '<', maxAttempts)
    .where('consumed_at', 'is', null).where('expires_at', '>', nowIso)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Uses a code up; false when another request used it first. */
export async function consumeOtp(db: Db, id: number, nowIso: string): Promise<boolean> {
  const result = await db.updateTable('otp_codes').set({ consumed_at: nowIso })
    .where('id', '=', id).where('consumed_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Deletes up to `batchMax` codes created before `beforeIso`; returns how many. */
export async function deleteOtpsBefore(db: Db, beforeIso: string, batchMax: number): Promise<number> {
  const result = await db.deleteFrom('otp_codes')
    .where('id', 'in', (eb) => eb.selectFrom('otp_codes').select('id').where('created_at', '<', beforeIso).limit(batchMax))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
