// Product pictures for posters: fetched from the merchant's remote URLs with a short timeout, a size
// cap and no redirects, only over http(s) and only to public addresses (a merchant's URL must not
// make the server read its own network). Any failure is a null (the poster draws a placeholder);
// results, failures included, are kept for a while so a burst of posters fetches each URL once.
import crypto from 'node:crypto';
import dns from 'node:dns/promises';
import net from 'node:net';
import type { Image } from '@napi-rs/canvas';
import { loadSkia } from './skia.ts';
import { isFetchableImageUrl } from './rules.ts';

export interface FetchedImage {
  image: Image | null;
  /** sha256 of the bytes, or 'placeholder': part of the poster's cache key. */
  digest: string;
}

export interface ImageFetchOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Tests serve pictures from 127.0.0.1; production never fetches private addresses. */
  allowPrivateHosts: boolean;
  nowMs(): number;
}

const CACHE_MAX_ENTRIES = 256;
const OK_TTL_MS = 10 * 60_000;
const FAILED_TTL_MS = 60_000;
/** Decoded pictures beyond this many pixels are dropped (a small file can decode huge). */
const MAX_PIXELS = 25_000_000;

const privateRanges = new net.BlockList();
for (const [address, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3]] as const) {
  privateRanges.addSubnet(address, prefix, 'ipv4');
}
for (const [address, prefix] of [['::', 127], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['::ffff:0:0', 96]] as const) {
  privateRanges.addSubnet(address, prefix, 'ipv6');
}

async function resolvesPublic(hostname: string): Promise<boolean> {
  const host = hostname.replace(/^\[|\]$/g, '');
  const addresses = net.isIP(host) ? [{ address: host, family: net.isIP(host) }] : await dns.lookup(host, { all: true });
  return addresses.length > 0 && addresses.every((a) => !privateRanges.check(a.address, a.family === 6 ? 'ipv6' : 'ipv4'));
}

async function readCapped(response: Response, maxBytes: number): Promise<Buffer | null> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes || !response.body) return null;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function fetchOnce(url: string, options: ImageFetchOptions): Promise<FetchedImage> {
  const placeholder: FetchedImage = { image: null, digest: 'placeholder' };
  if (!isFetchableImageUrl(url)) return placeholder;
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    if (!options.allowPrivateHosts && !(await resolvesPublic(new URL(url).hostname))) return placeholder;
    const response = await fetch(url, { signal, redirect: 'error', headers: { accept: 'image/*' } });
    if (!response.ok || !(response.headers.get('content-type') ?? '').startsWith('image/')) return placeholder;
    const bytes = await readCapped(response, options.maxBytes);
    if (!bytes) return placeholder;
    // Bytes only: a string source would be read as a file path or fetched by the library itself.
    const image = await (await loadSkia()).loadImage(bytes);
    if (image.width <= 0 || image.height <= 0 || image.width * image.height > MAX_PIXELS) return placeholder;
    return { image, digest: crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 32) };
  } catch {
    return placeholder;
  }
}

/** A fetcher with a small cache by URL; concurrent asks for one URL share one fetch. */
export function createImageFetcher(options: ImageFetchOptions): { get(url: string | null): Promise<FetchedImage> } {
  const cache = new Map<string, { result: Promise<FetchedImage>; expiresAtMs: number }>();
  return {
    async get(url) {
      if (!url) return { image: null, digest: 'placeholder' };
      const nowMs = options.nowMs();
      const cached = cache.get(url);
      if (cached && cached.expiresAtMs > nowMs) return cached.result;
      if (cache.size >= CACHE_MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
      const entry = { result: fetchOnce(url, options), expiresAtMs: nowMs + OK_TTL_MS };
      cache.set(url, entry);
      const result = await entry.result;
      if (!result.image) entry.expiresAtMs = nowMs + FAILED_TTL_MS;
      return result;
    },
  };
}
