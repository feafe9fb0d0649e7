// Pure rules of access: share-code text, link tokens' shape, what a buyer may see in each phase.
import { isOpenStatus } from '../events/rules.ts';

/** No 0/O, 1/I/L: codes are read off phone screens and retyped. 31^8 ≈ 8.5e11 codes. */
export const SHARE_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const SHARE_CODE_LENGTH = 8;

/** A share code from random bytes (one byte per character; rejection keeps it uniform). */
export function shareCodeFrom(randomBytes: Uint8Array): string | null {
  const limit = 256 - (256 % SHARE_CODE_ALPHABET.length);
  let code = '';
  for (const byte of randomBytes) {
    if (byte >= limit) continue;
    code += SHARE_CODE_ALPHABET[byte % SHARE_CODE_ALPHABET.length];
    if (code.length === SHARE_CODE_LENGTH) return code;
  }
  return null;
}

const codePattern = new RegExp(`[${SHARE_CODE_ALPHABET}]{${SHARE_CODE_LENGTH}}`);

/**
 * The share code inside pasted text. Chat apps wrap and decorate it (“￥HS…￥”, full-width
 * symbols, spaces, lower case), so take the first 8-character run of the alphabet between symbols.
 */
export function extractShareCode(text: string): string | null {
  const normalized = text.normalize('NFKC').toUpperCase();
  const wrapped = /[￥¥$€#(【[]\s*([0-9A-Z]{8})\s*[￥¥$€#)】\]]/.exec(normalized);
  const candidate = wrapped?.[1] ?? normalized.replace(/\s+/g, '').match(codePattern)?.[0] ?? null;
  if (!candidate || !codePattern.test(candidate)) return null;
  return candidate;
}

/** The text a promoter pastes into a group: survives being copied between apps. No price in it. */
export function shareText(code: string, storeName: string, eventTitle: string): string {
  return `【${storeName}】${eventTitle} 限时专享,复制整段口令 ￥${code}￥ 打开 Hushsale 查看专属价`;
}

/** A link token is `<linkId>.<signature>`; null when its shape is wrong. */
export function splitLinkToken(token: string): { linkId: string; signature: string } | null {
  if (token.length > 200) return null;
  const match = /^(lnk_[0-9a-z]{26})\.([A-Za-z0-9_-]{22})$/.exec(token);
  return match ? { linkId: match[1] as string, signature: match[2] as string } : null;
}

/** The token of a pasted link: the whole URL, a path, or the bare token. */
export function linkTokenFromText(text: string): string | null {
  const match = /(?:^|\/e\/)(lnk_[0-9a-z]{26}\.[A-Za-z0-9_-]{22})(?:[?#/\s]|$)/.exec(text.trim());
  return match ? (match[1] as string) : null;
}

export type Phase = 'warmup' | 'live' | 'ended';

/**
 * Where an event's window stands for buyers at `nowMs`. Only the open statuses (scheduled, warmup,
 * live) are ever shown or open to links, and among them time decides; any other status is over.
 */
export function phaseAt(window: { startsAt: string; endsAt: string; status: string }, nowMs: number): Phase {
  if (!isOpenStatus(window.status)) return 'ended';
  if (nowMs < Date.parse(window.startsAt)) return 'warmup';
  if (nowMs < Date.parse(window.endsAt)) return 'live';
  return 'ended';
}
