// Identifiers: time-ordered ULIDs for entities, random tokens for secrets.
import crypto from 'node:crypto';
import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/** A new entity id with a readable prefix, e.g. "evt_01JD...". */
export function newId(prefix: string, nowMs: number): string {
  return `${prefix}_${nextUlid(nowMs).toLowerCase()}`;
}

/** `bytes` of randomness as base64url text. */
export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

export function sha256Hex(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}
