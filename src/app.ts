// Builds Hushsale: one database, one HTTP server, the features in dependency order, the jobs.
// The server answers /healthz at once and everything else after migrations (readiness).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { Logger } from 'pino';
import type { Config } from './platform/config.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { migrateToLatest, openDatabase, type DbHandle } from './platform/db/db.ts';
import { buildHttpServer, type App } from './platform/http.ts';
import { createLogger } from './platform/log.ts';
import { Signer } from './platform/signing.ts';
import { Jobs } from './platform/jobs.ts';
import { IdempotencyGuard } from './platform/idempotency.ts';
import { loadSigningSecret } from './platform/secret.ts';
import type { AppContext } from './platform/context.ts';
import { createAccountsService, type AccountsService } from './accounts/service.ts';
import { accountsRoutes } from './accounts/routes.ts';
import { createSmsSender } from './accounts/sms.ts';
import { createCatalogService, type CatalogService } from './catalog/service.ts';
import { catalogRoutes } from './catalog/routes.ts';
import { createPricingService, type PricingService } from './pricing/service.ts';
import { pricingRoutes } from './pricing/routes.ts';
import { createFeesService, type FeesService } from './fees/service.ts';
import { feesRoutes } from './fees/routes.ts';
import { createCalendarService, type CalendarService } from './calendar/service.ts';
import { calendarRoutes } from './calendar/routes.ts';
import { createChannelsService, type ChannelsService } from './channels/service.ts';
import { channelsRoutes } from './channels/routes.ts';
import { createEventsService, type EventsService } from './events/service.ts';
import { eventsRoutes } from './events/routes.ts';
import { createAccessService, type AccessService } from './access/service.ts';
import { accessRoutes } from './access/routes.ts';
import { createPaymentsService, type PaymentsService } from './payments/service.ts';
import { paymentsRoutes } from './payments/routes.ts';
import { createCheckoutService, type CheckoutService } from './checkout/service.ts';
import { checkoutRoutes } from './checkout/routes.ts';
import { createApplicationsService, type ApplicationsService } from './applications/service.ts';
import { applicationsRoutes } from './applications/routes.ts';
import { homeRoutes } from './home/routes.ts';
import { createNotificationsService, type NotificationsService } from './notifications/service.ts';
import { createDevSender } from './notifications/sender.ts';
import { notificationsRoutes } from './notifications/routes.ts';
import { lifecycleRoutes } from './events/lifecycle-routes.ts';
import { createSurplusService, type SurplusService } from './surplus/service.ts';
import { surplusRoutes } from './surplus/routes.ts';
import { createLedgerService, type LedgerService } from './ledger/service.ts';
import { createStatementsService, type StatementsService } from './ledger/statements.ts';
import { ledgerRoutes } from './ledger/routes.ts';
import { createPayoutsService, type PayoutsService } from './payouts/service.ts';
import { payoutsRoutes } from './payouts/routes.ts';
import { createSharekitService, type SharekitService } from './sharekit/service.ts';
import { sharekitRoutes } from './sharekit/routes.ts';
import { createFulfilmentService, type FulfilmentService } from './fulfilment/service.ts';
import { fulfilmentRoutes } from './fulfilment/routes.ts';
import { createFraudService, type FraudService } from './fraud/service.ts';
import { fraudRoutes } from './fraud/routes.ts';
import { createLeaderboardsService, type LeaderboardsService } from './leaderboards/service.ts';
import { leaderboardsRoutes } from './leaderboards/routes.ts';
import { createMetricsService, type MetricsService } from './metrics/service.ts';
import { createMetricsStreamHub, type MetricsStreamHub } from './metrics/stream.ts';
import { metricsRoutes } from './metrics/routes.ts';
import { createCustomersService, type CustomersService } from './customers/service.ts';
import { customersRoutes } from './customers/routes.ts';
import { createPromotersService, type PromotersService } from './promoters/service.ts';
import { promotersRoutes } from './promoters/routes.ts';
import { createReviewsService, type ReviewsService } from './reviews/service.ts';
import { reviewsRoutes } from './reviews/routes.ts';
import { createAftersalesService, type AftersalesService } from './aftersales/service.ts';
import { aftersalesRoutes } from './aftersales/routes.ts';

export interface Services {
  accounts: AccountsService;
  catalog: CatalogService;
  pricing: PricingService;
  fees: FeesService;
  calendar: CalendarService;
  channels: ChannelsService;
  events: EventsService;
  access: AccessService;
  payments: PaymentsService;
  checkout: CheckoutService;
  notifications: NotificationsService;
  surplus: SurplusService;
  applications: ApplicationsService;
  ledger: LedgerService;
  statements: StatementsService;
  payouts: PayoutsService;
  sharekit: SharekitService;
  fulfilment: FulfilmentService;
  fraud: FraudService;
  leaderboards: LeaderboardsService;
  metrics: MetricsService;
  metricsStream: MetricsStreamHub;
  customers: CustomersService;
  promoters: PromotersService;
  reviews: ReviewsService;
  aftersales: AftersalesService;
}

export interface Hushsale {
  app: App;
  ctx: AppContext;
  services: Services;
  /** Runs migrations, loads the secret, marks the server ready. Idempotent. */
  prepare(): Promise<{ migrationsApplied: string[] }>;
  /** Drains HTTP, stops jobs, commits what is queued, closes the database. */
  close(): Promise<void>;
}

export interface BuildOptions {
  config: Config;
  clock?: Clock;
  logger?: Logger;
  /** Use an already opened database (tests); otherwise one is opened from config. */
  handle?: DbHandle;
}

/** Reviews shown on a product page; the rest page through the public reviews API. */
const PRODUCT_PAGE_REVIEWS = 5;

const publicDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'public');

export async function buildHushsale(options: BuildOptions): Promise<Hushsale> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? createLogger(config.logLevel);
  const handle = options.handle ?? (await openDatabase(config));
  const signer = new Signer();
  const jobs = new Jobs(handle, clock, log, config.limits.jobBatchMax);
  const ctx: AppContext = {
    config,
    clock,
    handle,
    db: handle.db,
    signer,
    log,
    jobs,
    idempotency: new IdempotencyGuard(handle.db, () => clock.nowMs()),
  };

  const accounts = createAccountsService(ctx, createSmsSender(ctx));
  const pricing = createPricingService(ctx);
  const catalog = createCatalogService(ctx, pricing);
  const fees = createFeesService(ctx);
  const calendar = createCalendarService(ctx);
  const channels = createChannelsService(ctx, calendar);
  const notifications = createNotificationsService(ctx, createDevSender(log));
  const surplus = createSurplusService(ctx);
  const events = createEventsService(ctx, catalog, notifications);
  const access = createAccessService(ctx, events);
  const payments = createPaymentsService(ctx);
  const checkout = createCheckoutService(ctx, { catalog, events, access, payments, notifications });
  const applications = createApplicationsService(ctx, { channels, calendar, events, fees, pricing, notifications });
  // After checkout (which marks the order paid): the ledger's entry joins every accepted payment's transaction.
  const ledger = createLedgerService(ctx, { payments });
  const statements = createStatementsService(ctx, ledger);
  const payouts = createPayoutsService(ctx, { ledger });
  const sharekit = createSharekitService(ctx, access);
  const promoters = createPromotersService(ctx, access);
  const fulfilment = createFulfilmentService(ctx);
  const fraud = createFraudService(ctx, notifications);
  payments.onAccepted((trx, payment) => fraud.checkPaidOrder(trx, payment));
  const leaderboards = createLeaderboardsService(ctx, accounts);
  const metrics = createMetricsService(ctx, { pricing, accounts });
  // Real timers poll watched events; the figures' times come from the clock (src/metrics/stream.ts).
  const metricsStream = createMetricsStreamHub(metrics, {
    pollMs: config.metricsStreamPollMs, heartbeatMs: config.metricsStreamHeartbeatMs, refreshMs: config.metricsStreamRefreshMs,
    perEventMax: config.limits.metricsStreamsPerEventMax, totalMax: config.limits.metricsStreamsTotalMax,
  }, log);
  const customers = createCustomersService(ctx, accounts);
  payments.onAccepted((trx, payment) => customers.recordPaidOrder(trx, payment));
  const reviews = createReviewsService(ctx);
  const aftersales = createAftersalesService(ctx, { checkout, ledger, payments, notifications });
  const services: Services = { metrics, metricsStream, fulfilment, fraud, leaderboards, customers, accounts, catalog, pricing, fees, calendar, channels, events, access, payments, checkout, notifications, surplus, applications, promoters, sharekit, ledger, statements, payouts, reviews, aftersales };

  const app = await buildHttpServer({
    logger: log,
    bodyLimitBytes: config.limits.bodyBytes,
    publicBaseUrl: config.publicBaseUrl,
    auth: { signer, resolveApiKey: (key) => accounts.resolveApiKey(key), nowMs: () => clock.nowMs() },
  });
  await app.register(fastifyStatic, { root: path.join(publicDir, 'assets'), prefix: '/assets/', maxAge: 3_600_000 });
  await accountsRoutes(app, accounts);
  // The product page shows the latest reviews.
  await catalogRoutes(app, catalog, (productId) => reviews.publicReviews(productId, { limit: PRODUCT_PAGE_REVIEWS }));
  await pricingRoutes(app, pricing);
  await feesRoutes(app, fees);
  await channelsRoutes(app, channels);
  await calendarRoutes(app, calendar, clock);
  await eventsRoutes(app, events);
  await lifecycleRoutes(app, events);
  await accessRoutes(app, access);
  await paymentsRoutes(app, payments);
  await checkoutRoutes(app, checkout, access);
  await notificationsRoutes(app, notifications, config.limits.noticesPageMax);
  await surplusRoutes(app, surplus);
  await applicationsRoutes(app, applications);
  await ledgerRoutes(app, ledger, statements);
  await payoutsRoutes(app, payouts);
  await sharekitRoutes(app, sharekit);
  await promotersRoutes(app, promoters);
  await fulfilmentRoutes(app, fulfilment);
  await fraudRoutes(app, fraud);
  await leaderboardsRoutes(app, leaderboards);
  await metricsRoutes(app, metrics, metricsStream);
  await customersRoutes(app, customers);
  await reviewsRoutes(app, reviews);
  await aftersalesRoutes(app, aftersales);
  await homeRoutes(app);

  let prepared: Promise<{ migrationsApplied: string[] }> | null = null;
  return {
    app,
    ctx,
    services,
    prepare() {
      prepared ??= (async () => {
        const migrationsApplied = await migrateToLatest(handle);
        signer.useSecret(await loadSigningSecret(handle.db, config.secret));
        await checkout.recover();
        app.readiness.ready = true;
        return { migrationsApplied };
      })();
      return prepared;
    },
    async close() {
      app.readiness.ready = false;
      await app.close();
      await jobs.stop();
      await checkout.drain();
      await handle.close();
    },
  };
}
