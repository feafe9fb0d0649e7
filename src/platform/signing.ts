// HMAC signatures for links, sessions and access: one key per purpose, derived from the secret.
import crypto from 'node:crypto';

const SIG_BYTES = 16; // 128-bit tags: unguessable, and short enough for links
const SIG_TEXT_LENGTH = Math.ceil((SIG_BYTES * 4) / 3); // base64url, no padding
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export class Signer {
  private readonly keys = new Map<string, Buffer>();
  private secret: string | null = null;

  /** The secret lives in the database (or the environment), so it is set once migrations have run. */
  constructor(secret?: string) {
    if (secret !== undefined) this.useSecret(secret);
  }

  useSecret(secret: string): void {
    if (secret.length < 32) throw new Error('the signing secret must be at least 32 characters');
    this.secret = secret;
    this.keys.clear();
  }

  private keyFor(purpose: string): Buffer {
    let key = this.keys.get(purpose);
    if (!key) {
      if (this.secret === null) throw new Error('the signing secret is not loaded yet');
      key = crypto.createHmac('sha256', this.secret).update(`hushsale:${purpose}`).digest();
      this.keys.set(purpose, key);
    }
    return key;
  }

  /** The signature of `payload` for `purpose`, as base64url text. */
  sign(purpose: string, payload: string): string {
    return crypto.createHmac('sha256', this.keyFor(purpose)).update(payload).digest().subarray(0, SIG_BYTES).toString('base64url');
  }

  /**
   * Checks length and alphabet first: Buffer.from() silently drops junk, so never trust it alone.
   * Compares the text, not decoded bytes: the last base64url character carries 4 unused bits, so
   * decoding would accept 16 spellings of one signature (a tampered token that still opens).
   */
  verify(purpose: string, payload: string, signature: string): boolean {
    if (signature.length !== SIG_TEXT_LENGTH || !BASE64URL.test(signature)) return false;
    const expected = Buffer.from(this.sign(purpose, payload), 'latin1');
    const given = Buffer.from(signature, 'latin1');
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  }

  /** `payload.signature`, the payload being base64url JSON. */
  seal(purpose: string, value: unknown): string {
    const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${payload}.${this.sign(purpose, payload)}`;
  }

  /** The value sealed for `purpose`, or null when the token is malformed or its signature is wrong. */
  open(purpose: string, token: string): unknown {
    if (token.length > 2048) return null;
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.')) return null;
    const payload = token.slice(0, dot);
    if (!BASE64URL.test(payload) || !this.verify(purpose, payload, token.slice(dot + 1))) return null;
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    } catch {
      return null;
    }
  }

  /** HMAC of a low-entropy secret (a one-time code) so the stored form cannot be reversed offline. */
  hashSecret(purpose: string, value: string): string {
    return crypto.createHmac('sha256', this.keyFor(purpose)).update(value).digest('hex');
  }
}
