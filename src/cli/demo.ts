// `hushsale demo` (npm run demo): seeds the demo into the configured database — the embedded one
// in ./data by default, which a running server shares — and prints where to click.
import { buildHushsale } from '../app.ts';
import { loadConfig } from '../platform/config.ts';
import { showShanghai } from '../platform/clock.ts';
import { seedDemo } from '../demo/seed.ts';

export async function demoCommand(): Promise<void> {
  const config = { ...loadConfig(), logLevel: 'warn' };
  const hushsale = await buildHushsale({ config });
  try {
    await hushsale.prepare();
    const demo = await seedDemo(hushsale);
    const first = demo.links[0];
    const lines = [
      '',
      'Hushsale demo is ready / 演示数据已就绪',
      '',
      `  Public store (public prices only):  ${demo.storeUrl}`,
      `  Event: ${demo.eventTitle}, live until ${showShanghai(demo.endsAt)} (Asia/Shanghai)`,
      '',
      `  Buyer link of promoter ${first?.promoter}:`,
      `    ${first?.url}`,
      `  Or paste this share code at ${config.publicBaseUrl}/code :`,
      `    ${first?.shareText}`,
      '',
      '  Other promoters\' links:',
      ...demo.links.slice(1).map((l) => `    ${l.promoter}: ${l.url}   code ${l.shareCode}`),
      `  Team leader (团长) ${demo.team.leader} leads: ${demo.team.members.join(', ')}`,
      '',
      '  To buy: open the link, pick an item, sign in with any mainland mobile number (the code is',
      '  printed in the server\'s log by the development SMS sender), order, then pay in the sandbox.',
      `  Merchant API key (shown once): ${demo.merchantApiKey}`,
      '',
      `  Start the server first if it is not running: npm start (then open ${config.publicBaseUrl})`,
      '',
    ];
    console.log(lines.join('\n'));
  } finally {
    await hushsale.close();
  }
}
