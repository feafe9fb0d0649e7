#!/usr/bin/env node
// The hushsale command: registers the TypeScript loader (tsx), then runs the CLI in src/cli.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
