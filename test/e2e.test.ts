// A buyer's whole path in a real browser on a phone-sized screen, against the real server:
// demo link -> clearance price -> sign in by SMS code -> order -> sandbox payment -> paid.
// Needs Debian's chromium (.ci/run installs it); skipped on a machine without it unless CI=true.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const CHROMIUM = '/usr/bin/chromium';
const hasBrowser = fs.existsSync(CHROMIUM);
const shotsDir = process.env.HUSHSALE_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hushsale-shots-'));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

describe('buyer path in a browser', { skip: !hasBrowser && process.env.CI !== 'true' ? 'no chromium on this machine' : false }, () => {
  let server: ChildProcess;
  let logs = '';
  let baseUrl = '';
  let env: NodeJS.ProcessEnv;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hushsale-e2e-'));

  before(async () => {
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    env = {
      ...process.env, DATABASE_URL: '', PORT: String(port), HOST: '127.0.0.1', HUSHSALE_DATA_DIR: dataDir, HUSHSALE_PUBLIC_URL: baseUrl,
      HUSHSALE_SANDBOX_NOTIFY_DELAY_MS: '200', HUSHSALE_JOB_INTERVAL_MS: '200', LOG_LEVEL: 'info',
    };
    server = spawn(process.execPath, ['bin/hushsale.js', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout?.on('data', (chunk: Buffer) => { logs += chunk.toString(); });
    server.stderr?.on('data', (chunk: Buffer) => { logs += chunk.toString(); });
    for (let i = 0; i < 100 && !logs.includes('Hushsale is ready'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(logs.includes('Hushsale is ready'), `server did not start:\n${logs}`);
  });

  after(async () => {
    server?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens a promoter link, signs in, orders at the clearance price and pays', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/hushsale.js', 'demo'], { env });
    const link = /(http:\/\/127\.0\.0\.1:\d+\/e\/\S+)/.exec(stdout)?.[1];
    assert.ok(link, `demo printed no link:\n${stdout}`);

    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--no-first-run'] });
    try {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' });
      const page = await context.newPage();
      await page.goto(link);
      await page.waitForURL(/\/events\/evt_/);
      assert.match(await page.content(), /¥399\.00/);
      await page.screenshot({ path: path.join(shotsDir, '1-event.png'), fullPage: true });

      await page.locator('a.button.primary').first().click();
      await page.waitForURL(/\/login/);
      await page.fill('#mobile', '13912340000');
      await page.click('#send-code');
      let code: string | undefined;
      for (let i = 0; i < 50 && !code; i++) {
        code = /"devCode":"(\d{6})"/.exec(logs)?.[1];
        if (!code) await page.waitForTimeout(100);
      }
      assert.ok(code, 'the development SMS sender logged a code');
      await page.fill('#code', code);
      await page.screenshot({ path: path.join(shotsDir, '2-login.png'), fullPage: true });
      await page.click('#submit');
      await page.waitForURL(/\/checkout/);

      await page.fill('input[name=name]', '李四');
      await page.fill('input[name=mobile]', '13912340000');
      await page.fill('input[name=province]', '浙江省');
      await page.fill('input[name=city]', '杭州市');
      await page.fill('input[name=district]', '西湖区');
      await page.fill('input[name=detail]', '文三路 100 号');
      await page.screenshot({ path: path.join(shotsDir, '3-checkout.png'), fullPage: true });
      await page.click('#checkout-form button[type=submit]');
      await page.waitForURL(/\/orders\/\d+/);
      assert.match(await page.content(), /¥399\.00/);
      await page.screenshot({ path: path.join(shotsDir, '4-order.png'), fullPage: true });

      await page.click('#pay');
      await page.waitForURL(/\/sandbox\/pay\//);
      await page.screenshot({ path: path.join(shotsDir, '5-cashier.png'), fullPage: true });
      await page.click('#confirm');
      await page.waitForURL(/\/orders\/\d+/);
      await page.locator('#status', { hasText: '已支付' }).waitFor({ timeout: 15_000 });
      await page.screenshot({ path: path.join(shotsDir, '6-paid.png'), fullPage: true });

      const store = /Public store[^:]*:\s+(\S+)/.exec(stdout)?.[1] as string;
      await page.goto(store);
      assert.doesNotMatch(await page.content(), /399\.00/);
      await page.screenshot({ path: path.join(shotsDir, '7-public-store.png'), fullPage: true });
      assert.doesNotMatch(logs, /13912340000/, 'the buyer\'s mobile number never reaches the log');
    } finally {
      await browser.close();
    }
  });
});
