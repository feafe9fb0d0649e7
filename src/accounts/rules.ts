// Pure decisions of the accounts feature: mobile numbers, one-time codes, API key format, the
// sign-in redirect target, session lifetimes. No I/O, no clock reads, no randomness.

/** Mainland China mobile: 11 digits starting 13-19. */
export const MOBILE_PATTERN = '^1[3-9][0-9]{9}$';
const mobileRegex = new RegExp(MOBILE_PATTERN);

export function isValidMobile(text: string): boolean {
  return mobileRegex.test(text);
}

export const OTP_DIGITS = 6;
export const OTP_PATTERN = `^[0-9]{${OTP_DIGITS}}$`;
const OTP_SPACE = 10 ** OTP_DIGITS;
/** The window the per-mobile request limit counts over. */
export const OTP_RATE_WINDOW_MINUTES = 10;

/** A one-time code from a uniform random integer in [0, 10^6): zero-padded, so "000042" is a code. */
export function otpCodeFrom(randomInt: number): string {
  if (!Number.isSafeInteger(randomInt) || randomInt < 0 || randomInt >= OTP_SPACE) {
    throw new Error(`otpCodeFrom needs an integer in [0, ${OTP_SPACE}), got ${randomInt}`);
  }
  return String(randomInt).padStart(OTP_DIGITS, '0');
}

export function isWellFormedOtp(code: string): boolean {
  return code.length === OTP_DIGITS && /^[0-9]+$/.test(code);
}

/**
 * A code request is refused when the codes to that mobile in the window, this one included,
 * exceed the limit. Counting after the insert keeps the limit under concurrent requests.
 */
export function isOtpRateLimited(codesInWindowIncludingThis: number, perWindowMax: number): boolean {
  return codesInWindowIncludingThis > perWindowMax;
}

/** A code may still be tried while it is unused, unexpired and under its attempt limit. */
export function isOtpUsable(code: { expiresAtMs: number; attempts: number; consumed: boolean }, nowMs: number, maxAttempts: number): boolean {
  return !code.consumed && code.expiresAtMs > nowMs && code.attempts < maxAttempts;
}

export const API_KEY_PREFIX = 'hsk_';
export const API_KEY_RANDOM_BYTES = 32;
/** base64url of 32 bytes, no padding. */
const API_KEY_BODY_LENGTH = Math.ceil((API_KEY_RANDOM_BYTES * 4) / 3);
const apiKeyRegex = new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9_-]{${API_KEY_BODY_LENGTH}}$`);
/** Characters of a key kept in clear for lists: "hsk_" and 8 more (48 bits, not enough to guess with). */
export const API_KEY_SHOWN_CHARS = API_KEY_PREFIX.length + 8;
/** Active keys one person may hold; revoked keys do not count. */
export const MAX_ACTIVE_KEYS_PER_USER = 20;

/** A full API key from its random body (base64url text of API_KEY_RANDOM_BYTES bytes). */
export function apiKeyFrom(randomBody: string): string {
  const key = `${API_KEY_PREFIX}${randomBody}`;
  if (!apiKeyRegex.test(key)) throw new Error('an API key body must be base64url of 32 bytes');
  return key;
}

/** True when `text` has the exact shape of an API key (checked before any lookup). */
export function isWellFormedApiKey(text: string): boolean {
  return apiKeyRegex.test(text);
}

/** The part of a key shown in lists, e.g. "hsk_Ab3dE-9x". */
export function apiKeyShownPrefix(key: string): string {
  return key.slice(0, API_KEY_SHOWN_CHARS);
}

/** lowercase letters, digits and single inner dashes: "acme", "acme-outlet-2". */
export const STORE_SLUG_PATTERN = '^[a-z0-9]+(-[a-z0-9]+)*$';

export type StaffRole = 'operator' | 'merchant';
export type MobileRole = 'buyer' | 'promoter';

export function isStaffRole(role: string): role is StaffRole {
  return role === 'operator' || role === 'merchant';
}

/** When a session that starts at `nowMs` ends: hours for staff, days for people on phones. */
export function sessionExpiresAtMs(role: StaffRole | MobileRole, nowMs: number, staffSessionHours: number, buyerSessionDays: number): number {
  return isStaffRole(role) ? nowMs + staffSessionHours * 3_600_000 : nowMs + buyerSessionDays * 86_400_000;
}

const NEXT_MAX_LENGTH = 500;

/**
 * Where to go after signing in: a same-site path only ("/e/abc?x=1"), never another origin
 * ("//evil.example", "/\\evil.example", "https://..."), control characters or a giant string.
 */
export function safeNextPath(next: string | undefined): string {
  if (next === undefined || next.length === 0 || next.length > NEXT_MAX_LENGTH) return '/';
  if (!next.startsWith('/') || next.startsWith('//')) return '/';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\\\u0000-\u001f\u007f]/.test(next)) return '/';
  return next;
}

