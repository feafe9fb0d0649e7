// The hushsale command line: serve, migrate, create an operator, seed the demo.
import { Command } from 'commander';
import { loadConfig } from '../platform/config.ts';
import { migrateToLatest, openDatabase } from '../platform/db/db.ts';
import { serve } from './serve.ts';
import { createOperatorCommand } from './create-operator.ts';
import { demoCommand } from './demo.ts';

export async function main(argv: string[]): Promise<void> {
  const program = new Command('hushsale')
    .description('Hushsale: hidden-price brand clearance sales.\nSettings come from the environment: PORT, HUSHSALE_DATA_DIR, DATABASE_URL, HUSHSALE_SECRET (see README).')
    .showHelpAfterError();

  program.command('serve').description('start the server (what `npm start` runs)').action(serve);

  program.command('migrate').description('apply pending database migrations and exit').action(async () => {
    const config = loadConfig();
    const handle = await openDatabase(config);
    try {
      const applied = await migrateToLatest(handle);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
    } finally {
      await handle.close();
    }
  });

  program.command('create-operator')
    .description('create an operator (platform staff) and print an API key for it, once')
    .requiredOption('--name <name>', 'the operator\'s display name, e.g. "Wang Fang"')
    .action(async (options: { name: string }) => {
      try {
        await createOperatorCommand({ name: options.name, config: loadConfig() });
      } catch (err) {
        console.error(`create-operator failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exitCode = 1;
      }
    });

  program.command('demo')
    .description('seed a demo brand, store, products, promoters and a live event; print a buyer link and share code')
    .action(async () => {
      try {
        await demoCommand();
      } catch (err) {
        console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exitCode = 1;
      }
    });

  await program.parseAsync(argv);
}
