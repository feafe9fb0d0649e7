// `hushsale serve` (npm start): listen first so /healthz answers, migrate, then report ready.
import { buildHushsale } from '../app.ts';
import { loadConfig } from '../platform/config.ts';

export async function serve(): Promise<void> {
  const config = loadConfig();
  const hushsale = await buildHushsale({ config });
  const { app, ctx } = hushsale;
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    ctx.log.info({ signal }, 'draining: no new requests, finishing in-flight ones and queued commits');
    hushsale.close().then(
      () => process.exit(0),
      (err: unknown) => {
        ctx.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  const { migrationsApplied } = await hushsale.prepare();
  ctx.jobs.start(config.jobIntervalMs);
  ctx.log.info({ store: ctx.handle.dialect, location: ctx.handle.location, migrationsApplied }, 'database ready');
  await hushsale.services.accounts.announceBootstrap();
  ctx.log.info(`Hushsale is ready at http://localhost:${config.port} (API docs: /docs, OpenAPI: /openapi.json)`);
}
