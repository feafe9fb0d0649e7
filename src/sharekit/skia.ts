// Skia (@napi-rs/canvas), loaded on the first poster: a native module most requests never need, kept
// off the server's start.
import type * as SkiaModule from '@napi-rs/canvas';

let skia: Promise<typeof SkiaModule> | null = null;

export function loadSkia(): Promise<typeof SkiaModule> {
  skia ??= import('@napi-rs/canvas');
  return skia;
}
