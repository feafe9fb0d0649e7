// The public store's server-rendered pages (zh-CN, phone-first). They are built only from the
// Public* views, which carry no price but the public one: a clearance price cannot reach them.
import { html, page, type SafeHtml } from '../platform/html.ts';
import { formatYuan } from '../platform/money.ts';
import { describeAttributes, hasPriceRange } from './rules.ts';
import type { PublicProduct, PublicStore } from './service.ts';
import type { PublicReviews } from '../reviews/service.ts';

/** An absolute URL for link previews, which chat apps fetch from outside. */
function absoluteUrl(baseUrl: string, url: string): string {
  return /^https?:\/\//.test(url) ? url : `${baseUrl}${url.startsWith('/') ? '' : '/'}${url}`;
}

function yuan(amountFen: number): string {
  return `¥${formatYuan(amountFen)}`;
}

function storeHeader(store: PublicStore, query = ''): SafeHtml {
  return html`<header class="store-bar">
  <a class="store-name" href="/s/${store.slug}">${store.logoUrl ? html`<img class="store-logo" src="${store.logoUrl}" alt="">` : ''}${store.name}</a>
  <form class="search" method="get" action="/s/${store.slug}/search" role="search">
    <input type="search" name="q" value="${query}" placeholder="搜索本店商品" maxlength="64" aria-label="搜索本店商品">
    <button type="submit">搜索</button>
  </form>
</header>`;
}

function image(url: string | null, alt: string, className: string): SafeHtml {
  return url
    ? html`<img class="${className}" src="${url}" alt="${alt}" loading="lazy">`
    : html`<div class="${className} no-image" aria-hidden="true">暂无图片</div>`;
}

function priceText(product: PublicProduct): SafeHtml {
  if (product.fromPriceFen === null) return html`<span class="price muted">暂无报价</span>`;
  return html`<span class="price">${yuan(product.fromPriceFen)}${hasPriceRange(product.skus) ? html`<small> 起</small>` : ''}</span>`;
}

function productGrid(store: PublicStore, products: PublicProduct[], empty: string): SafeHtml {
  if (products.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<ul class="grid">${products.map((p) => html`
  <li class="card">
    <a href="/s/${store.slug}/p/${p.id}">
      ${image(p.imageUrl, p.title, 'card-image')}
      <span class="card-title">${p.title}</span>
      <span class="card-foot">${priceText(p)}${p.inStock ? '' : html`<span class="badge">缺货</span>`}</span>
    </a>
  </li>`)}</ul>`;
}

export function storePage(store: PublicStore, products: PublicProduct[], nextCursor: string | null): string {
  return page({
    title: store.name,
    head: html`<meta name="description" content="${store.description || store.name}">
<meta property="og:type" content="website">
<meta property="og:title" content="${store.name}">
<meta property="og:description" content="${store.description || store.name}">`,
    body: html`${storeHeader(store)}
${store.description ? html`<p class="store-description">${store.description}</p>` : ''}
${productGrid(store, products, '店铺还没有上架商品。')}
${nextCursor ? html`<p class="more"><a href="/s/${store.slug}?cursor=${nextCursor}">更多商品</a></p>` : ''}`,
  });
}

export function searchPage(store: PublicStore, query: string, products: PublicProduct[]): string {
  return page({
    title: query ? `搜索“${query}” - ${store.name}` : `搜索 - ${store.name}`,
    head: html`<meta name="robots" content="noindex">`,
    body: html`${storeHeader(store, query)}
<h1 class="section-title">${query ? html`“${query}”的搜索结果` : '搜索商品'}</h1>
${query ? productGrid(store, products, '没有找到相关商品,换个关键词试试。') : html`<p class="empty">输入商品名称或货号搜索。</p>`}`,
  });
}

function skuRow(sku: PublicProduct['skus'][number], maxUnitsPerOrder: number): SafeHtml {
  const attributes = describeAttributes(sku.attributes);
  return html`<li class="sku${sku.inStock ? '' : ' sold-out'}">
  ${sku.imageUrl ? html`<img class="sku-image" src="${sku.imageUrl}" alt="" loading="lazy">` : ''}
  <div class="sku-info">
    <span class="sku-name">${attributes || sku.code}</span>
    <span class="sku-code">货号 ${sku.code}</span>
    <span class="price">${yuan(sku.publicPriceFen)}</span>
    <span class="stock">${sku.inStock ? '有货' : '缺货'}</span>
  </div>
  ${sku.inStock
    ? html`<form class="buy" method="get" action="/checkout">
    <input type="hidden" name="sku" value="${sku.id}">
    <label>数量 <input type="number" name="quantity" value="1" min="1" max="${maxUnitsPerOrder}" inputmode="numeric"></label>
    <button type="submit">立即购买</button>
  </form>`
    : html`<span class="buy disabled">暂时缺货</span>`}
</li>`;
}

/** The average, the count and the latest reviews: only what the public review view holds. */
function reviewsSection(reviews: PublicReviews | null): SafeHtml {
  if (!reviews) return html``;
  const heading = reviews.averageRating === null
    ? html`<h2 class="section-title">买家评价</h2><p class="empty">还没有评价。</p>`
    : html`<h2 class="section-title">买家评价 <span class="rating-average">${reviews.averageRating.toFixed(1)} 分</span> <small class="rating-count">共 ${reviews.count} 条</small></h2>`;
  return html`<section class="reviews">
  ${heading}
  <ul class="review-list">${reviews.items.map((r) => html`
    <li class="review">
      <span class="review-stars" aria-label="${r.rating} 星">${'★'.repeat(r.rating)}${'☆'.repeat(5 - r.rating)}</span>
      <span class="review-buyer">${r.buyerName}</span>
      ${describeAttributes(r.skuAttributes) ? html`<span class="review-sku">${describeAttributes(r.skuAttributes)}</span>` : ''}
      <time class="review-date" datetime="${r.date}">${r.date}</time>
      <p class="review-body">${r.body}</p>
    </li>`)}</ul>
</section>`;
}

export function productPage(product: PublicProduct, store: PublicStore, baseUrl: string, maxUnitsPerOrder: number, reviews: PublicReviews | null = null): string {
  const price = product.fromPriceFen === null ? '' : `${yuan(product.fromPriceFen)}${hasPriceRange(product.skus) ? ' 起' : ''}`;
  const summary = [price, product.description].filter((s) => s !== '').join(' · ') || product.title;
  const url = absoluteUrl(baseUrl, `/s/${store.slug}/p/${product.id}`);
  return page({
    title: `${product.title} - ${store.name}`,
    head: html`<meta name="description" content="${summary}">
<link rel="canonical" href="${url}">
<meta property="og:type" content="product">
<meta property="og:site_name" content="${store.name}">
<meta property="og:title" content="${product.title}">
<meta property="og:description" content="${summary}">
<meta property="og:url" content="${url}">
${product.imageUrl ? html`<meta property="og:image" content="${absoluteUrl(baseUrl, product.imageUrl)}">` : ''}
${product.fromPriceFen === null ? '' : html`<meta property="product:price:amount" content="${formatYuan(product.fromPriceFen)}">
<meta property="product:price:currency" content="CNY">`}`,
    body: html`${storeHeader(store)}
<article class="product">
  ${image(product.imageUrl, product.title, 'product-image')}
  <h1 class="product-title">${product.title}</h1>
  <p class="product-price">${priceText(product)}</p>
  ${product.description ? html`<p class="product-description">${product.description}</p>` : ''}
  <h2 class="section-title">选择规格</h2>
  <ul class="skus">${product.skus.map((sku) => skuRow(sku, maxUnitsPerOrder))}</ul>
  ${reviewsSection(reviews)}
</article>`,
  });
}

export function notFoundPage(): string {
  return page({
    title: '页面不存在',
    head: html`<meta name="robots" content="noindex">`,
    body: html`<section class="not-found">
  <h1>页面不存在</h1>
  <p>这个店铺或商品不存在,或已下架。</p>
</section>`,
  });
}
