// Server-rendered pages: a tagged template that escapes every value, and the phone-first layout.
const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML; wrap trusted markup in SafeHtml to pass it through. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c] ?? c);
}

type HtmlValue = SafeHtml | string | number | null | undefined | false | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

export interface PageOptions {
  title: string;
  lang?: 'zh-CN' | 'en';
  /** Extra tags for <head>: Open Graph previews, for example. */
  head?: SafeHtml;
  body: SafeHtml;
  /** Page scripts served from /assets (the CSP allows no inline script). */
  scripts?: string[];
}

export function page(options: PageOptions): string {
  return `<!doctype html>
<html lang="${options.lang ?? 'zh-CN'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
${options.head?.value ?? ''}
<link rel="stylesheet" href="/assets/site.css">
</head>
<body>
<main>
${options.body.value}
</main>
${(options.scripts ?? []).map((s) => `<script src="/assets/${escapeHtml(s)}" defer></script>`).join('\n')}
</body>
</html>`;
}
