// Catalog HTTP: the merchant's products API, the public JSON API and the public store pages.
// Public routes declare response schemas with public fields only, so a clearance price (or stock
// count, or cost) cannot be serialised by them even if a view carried one by mistake.
import { Type, type Static } from 'typebox';
import type { FastifyReply } from 'fastify';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole, storeScope } from '../platform/auth.ts';
import { AppError } from '../platform/errors.ts';
import type { CatalogService } from './service.ts';
import { PAGE_SIZE_MAX } from './service.ts';
import { SEARCH_QUERY_MAX_CHARS } from './rules.ts';
import { notFoundPage, productPage, searchPage, storePage } from './pages.ts';
import type { PublicReviews } from '../reviews/service.ts';

/** The latest public reviews of a product for its page (the reviews feature provides it). */
export type ProductReviewsSource = (productId: string) => Promise<PublicReviews | null>;

const PUBLIC_CACHE = 'public, max-age=30';
const PRIVATE_CACHE = 'private, no-store';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const Slug = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9-]*$' });
/** http(s) or a site path: nothing a browser would run. */
const ImageUrl = Type.String({ maxLength: 1000, pattern: '^(https?://|/)[^\\s"<>]*$' });
const Fen = Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Integer fen (1/100 yuan).' });
const Units = Type.Integer({ minimum: 0, maximum: 10_000_000 });
const Attributes = Type.Record(Type.String({ minLength: 1, maxLength: 32 }), Type.String({ maxLength: 64 }), {
  maxProperties: 10,
  description: 'Attribute name -> value, e.g. {"颜色":"黑","尺码":"L"}.',
});

const NewSku = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._/-]+$', description: 'Unique within the store.' }),
  attributes: Attributes,
  imageUrl: Type.Optional(ImageUrl),
  publicPriceFen: Fen,
  stockUnits: Units,
  costFen: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
}, { additionalProperties: false });

const Category = Type.String({ maxLength: 32, description: 'Free text such as "生鲜" (fresh food); fee policies may discount by it. "" for none.' });

function createProductBody(maxSkus: number) {
  return Type.Object({
    title: Type.String({ minLength: 1, maxLength: 120 }),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    imageUrl: Type.Optional(ImageUrl),
    category: Type.Optional(Category),
    skus: Type.Array(NewSku, { minItems: 1, maxItems: maxSkus }),
  }, { additionalProperties: false });
}

const MerchantSkuSchema = Type.Object({
  id: Type.String(),
  productId: Type.String(),
  code: Type.String(),
  attributes: Type.Record(Type.String(), Type.String()),
  imageUrl: Type.Union([Type.String(), Type.Null()]),
  publicPriceFen: Type.Integer(),
  stockUnits: Type.Integer({ description: 'Free store stock (event allocations already carved out).' }),
  costFen: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
}, { additionalProperties: false });

const MerchantProductSchema = Type.Object({
  id: Type.String(),
  storeId: Type.String(),
  title: Type.String(),
  description: Type.String(),
  imageUrl: Type.Union([Type.String(), Type.Null()]),
  category: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  skus: Type.Array(MerchantSkuSchema),
}, { additionalProperties: false });

const PublicStoreSchema = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  logoUrl: Type.Union([Type.String(), Type.Null()]),
}, { additionalProperties: false });

const PublicSkuSchema = Type.Object({
  id: Type.String(),
  code: Type.String(),
  attributes: Type.Record(Type.String(), Type.String()),
  imageUrl: Type.Union([Type.String(), Type.Null()]),
  publicPriceFen: Type.Integer({ description: 'The regular price: the only price the public sees.' }),
  inStock: Type.Boolean(),
}, { additionalProperties: false });

const PublicProductSchema = Type.Object({
  id: Type.String(),
  storeSlug: Type.String(),
  storeName: Type.String(),
  title: Type.String(),
  description: Type.String(),
  imageUrl: Type.Union([Type.String(), Type.Null()]),
  fromPriceFen: Type.Union([Type.Integer(), Type.Null()]),
  inStock: Type.Boolean(),
  skus: Type.Array(PublicSkuSchema),
}, { additionalProperties: false });

const PageQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: PAGE_SIZE_MAX, default: 50 }),
  cursor: Type.Optional(Id),
}, { additionalProperties: false });

const SkuChangeBody = Type.Object({
  publicPriceFen: Type.Optional(Fen),
  stockUnits: Type.Optional(Units),
  stockDeltaUnits: Type.Optional(Type.Integer({ minimum: -10_000_000, maximum: 10_000_000 })),
  override: Type.Optional(Type.Boolean({ description: "Operators only: change the public price although an event locks it (needs a reason; logged and kept in the price history)." })),
  reason: Type.Optional(Type.String({ maxLength: 200, description: 'Why the public price changes; kept in the price history.' })),
}, { additionalProperties: false, minProperties: 1 });

const ProductChangeBody = Type.Object({
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
  description: Type.Optional(Type.String({ maxLength: 4000 })),
  category: Type.Optional(Category),
}, { additionalProperties: false, minProperties: 1 });

const SearchQuery = Type.Object({
  q: Type.String({ maxLength: SEARCH_QUERY_MAX_CHARS * 4, default: '' }),
  store: Type.Optional(Slug),
}, { additionalProperties: false });

const htmlBody = { content: { 'text/html': { schema: Type.String({ description: 'A server-rendered page.' }) } } };
const htmlResponses = { ...errorResponses, 200: htmlBody, 404: htmlBody };

function sendPage(reply: FastifyReply, status: 200 | 404, body: string) {
  return reply.status(status).header('cache-control', PUBLIC_CACHE).type('text/html; charset=utf-8').send(body);
}

export async function catalogRoutes(app: App, catalog: CatalogService, reviewsOf?: ProductReviewsSource): Promise<void> {
  await merchantRoutes(app, catalog);
  await publicApiRoutes(app, catalog);
  await publicPageRoutes(app, catalog, reviewsOf);
}

async function merchantRoutes(app: App, catalog: CatalogService): Promise<void> {
  const CreateProductBody = createProductBody(catalog.limits.maxSkusPerProduct);

  app.post('/api/v1/stores/:storeId/products', {
    schema: {
      tags: ['catalog'],
      summary: 'Create a product with its SKUs (merchant of the store, or operator).',
      security: [{ bearer: [] }],
      params: Type.Object({ storeId: Id }),
      body: CreateProductBody,
      response: { 201: MerchantProductSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'merchant', 'operator');
    storeScope(principal, request.params.storeId);
    const product = await catalog.createProduct(request.params.storeId, request.body as Static<typeof CreateProductBody>, principal.userId);
    return reply.status(201).header('cache-control', PRIVATE_CACHE).send(product);
  });

  app.get('/api/v1/stores/:storeId/products', {
    schema: {
      tags: ['catalog'],
      summary: "A store's products with stock and cost, newest first (merchant of the store, or operator).",
      security: [{ bearer: [] }],
      params: Type.Object({ storeId: Id }),
      querystring: PageQuery,
      response: { 200: Type.Object({ items: Type.Array(MerchantProductSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'merchant', 'operator');
    storeScope(principal, request.params.storeId);
    reply.header('cache-control', PRIVATE_CACHE);
    return catalog.listStoreProducts(request.params.storeId, request.query.limit, request.query.cursor);
  });

  app.patch('/api/v1/stores/:storeId/skus/:skuId', {
    schema: {
      tags: ['catalog'],
      summary: "Change a SKU's public price or stock (merchant of the store, or operator).",
      description: 'stockUnits sets the count outright; stockDeltaUnits adds or removes units and is refused with INSUFFICIENT_STOCK if stock would go below zero. '
        + 'Every public price change is kept in the price history. While the SKU is in a scheduled, warm-up or live event that has not ended, a price change is refused with 409 PRICE_LOCKED '
        + '(details: eventId, startsAt, endsAt) unless an operator sends override: true with a reason.',
      security: [{ bearer: [] }],
      params: Type.Object({ storeId: Id, skuId: Id }),
      body: SkuChangeBody,
      response: { 200: MerchantSkuSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'merchant', 'operator');
    storeScope(principal, request.params.storeId);
    reply.header('cache-control', PRIVATE_CACHE);
    return catalog.updateSku(request.params.storeId, request.params.skuId, request.body, { userId: principal.userId, role: principal.role });
  });

  app.patch('/api/v1/stores/:storeId/products/:productId', {
    schema: {
      tags: ['catalog'],
      summary: "Change a product's title, description or category (merchant of the store, or operator).",
      security: [{ bearer: [] }],
      params: Type.Object({ storeId: Id, productId: Id }),
      body: ProductChangeBody,
      response: { 200: MerchantProductSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'merchant', 'operator');
    storeScope(principal, request.params.storeId);
    reply.header('cache-control', PRIVATE_CACHE);
    return catalog.updateProduct(request.params.storeId, request.params.productId, request.body);
  });
}

async function publicApiRoutes(app: App, catalog: CatalogService): Promise<void> {
  app.get('/api/v1/public/stores/:slug', {
    schema: {
      tags: ['public'],
      summary: 'A store as the public sees it.',
      params: Type.Object({ slug: Slug }),
      response: { 200: PublicStoreSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const store = await catalog.findPublicStore(request.params.slug);
    if (!store) throw new AppError('NOT_FOUND');
    reply.header('cache-control', PUBLIC_CACHE);
    return store;
  });

  app.get('/api/v1/public/stores/:slug/products', {
    schema: {
      tags: ['public'],
      summary: "A store's products at their public prices, newest first.",
      params: Type.Object({ slug: Slug }),
      querystring: PageQuery,
      response: {
        200: Type.Object({ store: PublicStoreSchema, items: Type.Array(PublicProductSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    const result = await catalog.listPublicProducts(request.params.slug, request.query.limit, request.query.cursor);
    if (!result) throw new AppError('NOT_FOUND');
    reply.header('cache-control', PUBLIC_CACHE);
    return result;
  });

  app.get('/api/v1/public/products/:productId', {
    schema: {
      tags: ['public'],
      summary: 'A product with its SKUs at their public prices.',
      params: Type.Object({ productId: Id }),
      response: { 200: PublicProductSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const product = await catalog.findPublicProduct(request.params.productId);
    if (!product) throw new AppError('NOT_FOUND');
    reply.header('cache-control', PUBLIC_CACHE);
    return product;
  });

  app.get('/api/v1/public/search', {
    schema: {
      tags: ['public'],
      summary: 'Products whose title, description or SKU code contains q; in one store when store (a slug) is given.',
      querystring: SearchQuery,
      response: { 200: Type.Object({ query: Type.String(), items: Type.Array(PublicProductSchema) }), ...errorResponses },
    },
  }, async (request, reply) => {
    const result = await catalog.searchPublic(request.query.q, request.query.store);
    if (!result) throw new AppError('NOT_FOUND');
    reply.header('cache-control', PUBLIC_CACHE);
    return result;
  });
}

async function publicPageRoutes(app: App, catalog: CatalogService, reviewsOf: ProductReviewsSource | undefined): Promise<void> {
  app.get('/s/:slug', {
    schema: {
      tags: ['pages'],
      summary: 'The store page: its products at public prices.',
      params: Type.Object({ slug: Type.String({ maxLength: 64 }) }),
      querystring: Type.Object({ cursor: Type.Optional(Type.String({ maxLength: 64 })) }),
      response: htmlResponses,
    },
  }, async (request, reply) => {
    const result = await catalog.listPublicProducts(request.params.slug, 40, request.query.cursor);
    if (!result) return sendPage(reply, 404, notFoundPage());
    return sendPage(reply, 200, storePage(result.store, result.items, result.nextCursor));
  });

  app.get('/s/:slug/p/:productId', {
    schema: {
      tags: ['pages'],
      summary: 'The product page: SKUs, public prices, stock state, buy links, link-preview tags and the latest reviews.',
      params: Type.Object({ slug: Type.String({ maxLength: 64 }), productId: Type.String({ maxLength: 64 }) }),
      response: htmlResponses,
    },
  }, async (request, reply) => {
    const [store, product] = await Promise.all([
      catalog.findPublicStore(request.params.slug),
      catalog.findPublicProduct(request.params.productId),
    ]);
    if (!store || !product || product.storeSlug !== store.slug) return sendPage(reply, 404, notFoundPage());
    const reviews = reviewsOf ? await reviewsOf(product.id) : null;
    return sendPage(reply, 200, productPage(product, store, catalog.publicBaseUrl, catalog.limits.maxUnitsPerOrder, reviews));
  });

  app.get('/s/:slug/search', {
    schema: {
      tags: ['pages'],
      summary: "Search a store's products.",
      params: Type.Object({ slug: Type.String({ maxLength: 64 }) }),
      querystring: Type.Object({ q: Type.String({ maxLength: SEARCH_QUERY_MAX_CHARS * 4, default: '' }) }),
      response: htmlResponses,
    },
  }, async (request, reply) => {
    const store = await catalog.findPublicStore(request.params.slug);
    if (!store) return sendPage(reply, 404, notFoundPage());
    const result = await catalog.searchPublic(request.query.q, store.slug);
    return sendPage(reply, 200, searchPage(store, result?.query ?? '', result?.items ?? []));
  });
}
