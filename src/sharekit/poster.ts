// Draws a promoter's poster (750x1334 PNG): brand, hero images and titles, the window, prices,
// the QR code of the promoter's link and the share code.
//
// Renderer: @napi-rs/canvas (Skia, prebuilt linux-x64 binary from npm). Chosen over satori +
// @resvg/resvg-js because it draws straight onto a bitmap with the Canvas API (images, clips,
// QR modules as rectangles) with no HTML/CSS layout step, encodes PNG off the event loop
// (`encode`), and loads the woff2 subsets @fontsource/noto-sans-sc ships, which satori cannot.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import QRCode from 'qrcode';
import type { Image, SKRSContext2D } from '@napi-rs/canvas';
import { loadSkia } from './skia.ts';
import type { PosterContent } from './rules.ts';

export const POSTER_WIDTH = 750;
export const POSTER_HEIGHT = 1334;
/** Where the QR code sits: a square box; modules are whole pixels, with a 2-module quiet zone inside. */
export const QR_BOX = { x: 56, y: 1000, size: 236 } as const;
const QR_QUIET_MODULES = 2;
const FONT = 'HS Noto Sans SC';

const ink = '#1d1d1f';
const muted = '#86868b';
const red = '#e02e24';

let fontsLoaded = false;

/**
 * Registers Noto Sans SC (regular and bold) once per process. The package ships the font as ~100
 * unicode-range subsets per weight; Skia falls back across the faces of one family glyph by
 * glyph, so every subset is registered under one name (~0.3 s, once).
 */
export async function loadPosterFonts(): Promise<void> {
  if (fontsLoaded) return;
  const { GlobalFonts } = await loadSkia();
  const require = createRequire(import.meta.url);
  const dir = path.join(path.dirname(require.resolve('@fontsource/noto-sans-sc/package.json')), 'files');
  let count = 0;
  for (const file of fs.readdirSync(dir)) {
    if (!/^noto-sans-sc-.+-(400|700)-normal\.woff2$/.test(file)) continue;
    if (GlobalFonts.registerFromPath(path.join(dir, file), FONT)) count += 1;
  }
  if (count === 0) throw new Error(`no Noto Sans SC font files found in ${dir}`);
  fontsLoaded = true;
}

/** The QR code's modules, as the poster draws them (tests regenerate it to compare). */
export function qrMatrix(url: string): { size: number; isDark(row: number, col: number): boolean } {
  const qr = QRCode.create(url, { errorCorrectionLevel: 'M' });
  return { size: qr.modules.size, isDark: (row, col) => qr.modules.get(row, col) === 1 };
}

/** Where each module of a QR of `moduleCount` modules lands: whole-pixel modules, centred in QR_BOX. */
export function qrPlacement(moduleCount: number): { x: number; y: number; moduleSize: number } {
  const moduleSize = Math.floor(QR_BOX.size / (moduleCount + 2 * QR_QUIET_MODULES));
  const drawn = moduleSize * moduleCount;
  return { x: QR_BOX.x + Math.floor((QR_BOX.size - drawn) / 2), y: QR_BOX.y + Math.floor((QR_BOX.size - drawn) / 2), moduleSize };
}

function font(size: number, bold = false): string {
  return `${bold ? 'bold ' : ''}${size}px "${FONT}"`;
}

function roundRect(ctx: SKRSContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.roundRect(x, y, w, h, r);
}

/** Breaks text into at most `maxLines` lines of `maxWidth`: CJK by character, Latin words whole, with an ellipsis. */
function wrapLines(ctx: SKRSContext2D, text: string, maxWidth: number, maxLines: number): string[] {
  const tokens = text.replace(/\s+/g, ' ').trim().match(/[A-Za-z0-9%.,'&+-]+|\s|./gu) ?? [];
  const lines: string[] = [];
  let line = '';
  for (const token of tokens) {
    const candidate = line + token;
    if (ctx.measureText(candidate).width <= maxWidth) {
      line = candidate;
      continue;
    }
    if (lines.length === maxLines - 1) {
      let cut = candidate;
      while (cut.length > 0 && ctx.measureText(`${cut}…`).width > maxWidth) cut = cut.slice(0, -1);
      lines.push(`${cut.trimEnd()}…`);
      return lines;
    }
    if (line.trim()) lines.push(line.trimEnd());
    // A word longer than a whole line is cut by character.
    line = token === ' ' ? '' : token;
    while (ctx.measureText(line).width > maxWidth && lines.length < maxLines - 1) {
      let head = line;
      while (head.length > 1 && ctx.measureText(head).width > maxWidth) head = head.slice(0, -1);
      lines.push(head);
      line = line.slice(head.length);
    }
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines.slice(0, maxLines);
}

/** One line of bold text, shrunk from `size` down to `minSize` to fit, then cut with an ellipsis. */
function fitText(ctx: SKRSContext2D, text: string, x: number, y: number, maxWidth: number, size: number, minSize: number): void {
  let current = size;
  ctx.font = font(current, true);
  while (current > minSize && ctx.measureText(text).width > maxWidth) {
    current -= 2;
    ctx.font = font(current, true);
  }
  ctx.fillText(wrapLines(ctx, text, maxWidth, 1)[0] ?? '', x, y);
}

/** A soft colour for a placeholder tile, stable per title. */
function tileHue(title: string): number {
  let h = 0;
  for (const c of title) h = (h * 31 + (c.codePointAt(0) ?? 0)) % 360;
  return h;
}

function drawImageCover(ctx: SKRSContext2D, image: Image, x: number, y: number, w: number, h: number): void {
  const scale = Math.max(w / image.width, h / image.height);
  const sw = w / scale;
  const sh = h / scale;
  ctx.drawImage(image, (image.width - sw) / 2, (image.height - sh) / 2, sw, sh, x, y, w, h);
}

function drawPlaceholder(ctx: SKRSContext2D, title: string, x: number, y: number, w: number, h: number): void {
  const hue = tileHue(title);
  const gradient = ctx.createLinearGradient(x, y, x + w, y + h);
  gradient.addColorStop(0, `hsl(${hue}, 45%, 95%)`);
  gradient.addColorStop(1, `hsl(${(hue + 40) % 360}, 50%, 88%)`);
  ctx.fillStyle = gradient;
  ctx.fillRect(x, y, w, h);
  // A simple tag glyph, then the title.
  const cx = x + w / 2;
  const size = Math.min(w, h);
  ctx.strokeStyle = `hsla(${hue}, 40%, 45%, 0.45)`;
  ctx.lineWidth = Math.max(3, size / 60);
  roundRect(ctx, cx - size * 0.12, y + h * 0.2, size * 0.24, size * 0.18, size * 0.03);
  ctx.stroke();
  ctx.beginPath();
  ctx.arc(cx, y + h * 0.2 + size * 0.055, size * 0.018, 0, Math.PI * 2);
  ctx.stroke();
  ctx.fillStyle = `hsl(${hue}, 35%, 30%)`;
  ctx.font = font(Math.round(size / 11), true);
  ctx.textAlign = 'center';
  const lines = wrapLines(ctx, title, w * 0.8, 3);
  const lineHeight = Math.round(size / 11 * 1.35);
  const top = y + h * 0.52;
  lines.forEach((line, i) => ctx.fillText(line, cx, top + i * lineHeight));
  ctx.textAlign = 'left';
}

/** "¥123.45" in red with the public price struck through beside it; returns the width used. */
function drawPrices(ctx: SKRSContext2D, priceText: string, publicPriceText: string, x: number, y: number, bigSize: number): void {
  ctx.fillStyle = red;
  ctx.font = font(Math.round(bigSize * 0.55), true);
  ctx.fillText('¥', x, y);
  const yenWidth = ctx.measureText('¥').width + 2;
  ctx.font = font(bigSize, true);
  ctx.fillText(priceText, x + yenWidth, y);
  const priceWidth = ctx.measureText(priceText).width;
  const publicText = `¥${publicPriceText}`;
  ctx.fillStyle = muted;
  ctx.font = font(Math.round(bigSize * 0.45));
  const px = x + yenWidth + priceWidth + 14;
  ctx.fillText(publicText, px, y);
  const pw = ctx.measureText(publicText).width;
  ctx.strokeStyle = muted;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(px - 2, y - bigSize * 0.16);
  ctx.lineTo(px + pw + 2, y - bigSize * 0.16);
  ctx.stroke();
}

function drawHeader(ctx: SKRSContext2D, content: PosterContent): void {
  const gradient = ctx.createLinearGradient(0, 0, POSTER_WIDTH, 420);
  gradient.addColorStop(0, '#f03b2f');
  gradient.addColorStop(1, '#ff7a3d');
  ctx.fillStyle = gradient;
  ctx.fillRect(0, 0, POSTER_WIDTH, 420);
  // Soft circles for depth.
  ctx.fillStyle = 'rgba(255,255,255,0.08)';
  ctx.beginPath();
  ctx.arc(660, 40, 180, 0, Math.PI * 2);
  ctx.fill();
  ctx.beginPath();
  ctx.arc(60, 380, 120, 0, Math.PI * 2);
  ctx.fill();

  ctx.fillStyle = 'rgba(255,255,255,0.2)';
  roundRect(ctx, 56, 64, 188, 44, 22);
  ctx.fill();
  ctx.fillStyle = '#fff';
  ctx.font = font(22, true);
  ctx.fillText('品牌特卖日 · 限时', 76, 94);

  fitText(ctx, content.storeName, 56, 186, POSTER_WIDTH - 112, 56, 36);
  ctx.font = font(30);
  ctx.fillStyle = 'rgba(255,255,255,0.92)';
  ctx.fillText(wrapLines(ctx, content.eventTitle, POSTER_WIDTH - 112, 1)[0] ?? '', 56, 238);

  ctx.fillStyle = '#fff';
  roundRect(ctx, 56, 272, 420, 52, 26);
  ctx.fill();
  ctx.fillStyle = red;
  ctx.font = font(24, true);
  ctx.fillText('开抢', 78, 306);
  ctx.fillStyle = ink;
  ctx.fillText(content.windowText, 78 + ctx.measureText('开抢').width + 14, 306);
}

function drawHeroes(ctx: SKRSContext2D, content: PosterContent, images: ReadonlyArray<Image | null>): void {
  const cardX = 32;
  const cardY = 356;
  const cardW = POSTER_WIDTH - 64;
  const cardH = 590;
  ctx.save();
  ctx.shadowColor = 'rgba(0,0,0,0.10)';
  ctx.shadowBlur = 24;
  ctx.shadowOffsetY = 6;
  ctx.fillStyle = '#fff';
  roundRect(ctx, cardX, cardY, cardW, cardH, 28);
  ctx.fill();
  ctx.restore();

  const heroes = content.heroes;
  const n = Math.max(1, heroes.length);
  const gap = 24;
  const pad = 28;
  const tileW = Math.floor((cardW - 2 * pad - (n - 1) * gap) / n);
  const tileH = n === 1 ? 300 : tileW;
  heroes.forEach((hero, i) => {
    const x = cardX + pad + i * (tileW + gap);
    const y = cardY + pad;
    ctx.save();
    roundRect(ctx, x, y, tileW, tileH, 18);
    ctx.clip();
    const image = images[i] ?? null;
    if (image) drawImageCover(ctx, image, x, y, tileW, tileH);
    else drawPlaceholder(ctx, hero.title, x, y, tileW, tileH);
    ctx.restore();

    ctx.fillStyle = ink;
    const titleSize = n === 1 ? 32 : 26;
    ctx.font = font(titleSize, true);
    const lines = wrapLines(ctx, hero.title, tileW, 2);
    const textTop = y + tileH + titleSize + 18;
    lines.forEach((line, j) => ctx.fillText(line, x, textTop + j * Math.round(titleSize * 1.35)));
    ctx.fillStyle = red;
    ctx.font = font(20, true);
    const priceY = cardY + cardH - pad - 8;
    ctx.fillText('好友专享价', x, priceY - (n === 1 ? 66 : 56));
    drawPrices(ctx, hero.priceText, hero.publicPriceText, x, priceY, n === 1 ? 60 : 46);
  });
}

function drawAccess(ctx: SKRSContext2D, content: PosterContent): void {
  const top = 970;
  ctx.fillStyle = '#fff';
  roundRect(ctx, 32, top, POSTER_WIDTH - 64, 300, 28);
  ctx.fill();

  const matrix = qrMatrix(content.url);
  const place = qrPlacement(matrix.size);
  ctx.fillStyle = '#fff';
  ctx.fillRect(QR_BOX.x, QR_BOX.y, QR_BOX.size, QR_BOX.size);
  ctx.fillStyle = '#000';
  for (let row = 0; row < matrix.size; row++) {
    for (let col = 0; col < matrix.size; col++) {
      if (matrix.isDark(row, col)) ctx.fillRect(place.x + col * place.moduleSize, place.y + row * place.moduleSize, place.moduleSize, place.moduleSize);
    }
  }

  const x = QR_BOX.x + QR_BOX.size + 40;
  ctx.fillStyle = ink;
  ctx.font = font(26, true);
  ctx.fillText('长按识别二维码 立即抢购', x, top + 66);
  ctx.fillStyle = muted;
  ctx.font = font(22);
  ctx.fillText('或复制口令,打开 Hushsale 粘贴', x, top + 104);

  ctx.fillStyle = '#fff3ee';
  roundRect(ctx, x, top + 132, POSTER_WIDTH - 32 - 28 - x, 104, 18);
  ctx.fill();
  ctx.fillStyle = muted;
  ctx.font = font(20);
  ctx.fillText('口令', x + 20, top + 164);
  ctx.fillStyle = red;
  ctx.font = font(52, true);
  ctx.letterSpacing = '6px';
  ctx.fillText(content.shareCode, x + 18, top + 220);
  ctx.letterSpacing = '0px';
}

function drawFooter(ctx: SKRSContext2D, content: PosterContent): void {
  ctx.fillStyle = muted;
  ctx.font = font(22);
  ctx.textAlign = 'center';
  ctx.fillText(content.tagline, POSTER_WIDTH / 2, POSTER_HEIGHT - 30);
  ctx.textAlign = 'left';
}

/** The poster as PNG bytes; `images[i]` is hero i's picture or null for a placeholder tile. */
export async function renderPoster(content: PosterContent, images: ReadonlyArray<Image | null>): Promise<Buffer> {
  await loadPosterFonts();
  const canvas = (await loadSkia()).createCanvas(POSTER_WIDTH, POSTER_HEIGHT);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#f6f1ec';
  ctx.fillRect(0, 0, POSTER_WIDTH, POSTER_HEIGHT);
  drawHeader(ctx, content);
  drawHeroes(ctx, content, images);
  drawAccess(ctx, content);
  drawFooter(ctx, content);
  return canvas.encode('png');
}
