/**
 * The dashboard in a real browser: Debian's chromium (CHROMIUM_PATH overrides) driven by playwright-core, against
 * the sandbox with the demo's fake providers, as `npm start -- --demo` runs it. Every control is found by its role
 * and accessible name, as a screen reader would. A failing step leaves a screenshot in test-results/browser/.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { startDemoProviders } from '#test/fakes/demo.js';
import { startTestSandbox, type TestSandbox } from '#test/helpers/sandbox.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = fileURLToPath(new URL('../../test-results/browser/', import.meta.url));
/** One page's work (a render, an API call or two): generous for a busy two-core machine. */
const UI_WAIT_MS = 30_000;
/** Connect -> backfill of the provider's history on the local queues -> the chart: minutes when busy. */
const DATA_WAIT_MS = 240_000;

let demo: Awaited<ReturnType<typeof startDemoProviders>>;
let sandbox: TestSandbox;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No chromium at ${CHROMIUM}: install Debian's chromium package or set CHROMIUM_PATH`);
  }
  demo = await startDemoProviders();
  sandbox = await startTestSandbox({ env: demo.env, demo: true });
  await demo.attach(sandbox.url);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(UI_WAIT_MS);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.stop();
  await demo?.stop();
});

beforeEach(() => {
  onTestFailed(async ({ task }) => {
    await mkdir(SCREENSHOTS, { recursive: true });
    const name = task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 80);
    await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true }).catch(() => undefined);
  });
});

const heading = (name: string | RegExp) => page.getByRole('heading', { name, level: 1 });

async function open(link: string, title = link) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
  await heading(title).waitFor();
}

describe('the dashboard in chromium', () => {
  it('signs in; a wrong password shows the API detail', async () => {
    await page.goto(sandbox.url);
    await heading('Sign in').waitFor();
    await page.getByLabel('Email').fill(sandbox.admin.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Incorrect email or password');

    await page.getByLabel('Password').fill(sandbox.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Users').waitFor();
    await page.getByText(sandbox.admin.email).waitFor();
  }, 60_000);

  it('creates an API key, shown once with a Copy button, that the API accepts', async () => {
    await open('API keys');
    await page.getByLabel('Name').fill('backend');
    await page.getByRole('button', { name: 'Create API key' }).click();
    const shown = page.getByRole('textbox', { name: 'API key' });
    const key = await shown.inputValue();
    expect(key).toMatch(/^sk-[0-9a-f]{32}$/);
    await expect(page.getByRole('button', { name: 'Copy API key' }).isVisible()).resolves.toBe(true);
    const users = await sandbox.api('GET', '/api/v1/users', { headers: { 'x-open-wearables-api-key': key } });
    expect(users.status).toBe(200);

    await page.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: 'backend', exact: true }).waitFor();
    await page.getByRole('cell', { name: key.slice(0, 11) }).waitFor();
  }, 60_000);

  it('creates users, finds one by search and deletes it after confirming', async () => {
    await open('Users');
    for (const [first, last, email] of [
      ['Jane', 'Doe', 'jane@example.com'],
      ['Temp', 'Person', 'temp@example.com'],
    ] as const) {
      await page.getByLabel('First name').fill(first);
      await page.getByLabel('Last name').fill(last);
      await page.getByRole('textbox', { name: 'Email' }).fill(email);
      await page.getByRole('button', { name: 'Create user' }).click();
      await page
        .getByRole('status')
        .getByRole('link', { name: `${first} ${last}` })
        .waitFor();
    }
    await page.getByRole('searchbox', { name: 'Search' }).fill('temp@');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('1 user matching “temp@”').waitFor();

    await page.getByRole('button', { name: 'Delete user Temp Person' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this user?' });
    await dialog.getByRole('button', { name: 'Delete user' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('0 users matching “temp@”').waitFor();
  }, 60_000);

  it('the providers page offers to connect a demo user', async () => {
    await open('Providers');
    await page.getByRole('button', { name: 'Connect a demo user to Polar' }).waitFor();
  }, 60_000);

  it(
    'connects Polar through its consent page: the connection and a heart-rate chart with data',
    async () => {
      await open('Users');
      await page.getByRole('link', { name: 'Jane Doe' }).click();
      await heading('Jane Doe').waitFor();
      await page.getByRole('combobox', { name: 'Provider' }).selectOption({ label: 'Polar' });
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
      // The fake Polar's consent page, then the API's callback, which redirects back to the user's page.
      await page.getByRole('button', { name: 'Allow' }).click();
      await heading('Jane Doe').waitFor();

      const connection = page.getByRole('row', { name: /polar/ }).filter({ hasText: 'active' });
      await connection.first().waitFor();
      await page.getByRole('button', { name: 'Disconnect polar' }).waitFor();
      const summary = page.getByText(/^[1-9][\d,]* samples from polar/);
      await summary.waitFor({ timeout: DATA_WAIT_MS });
      expect(await summary.textContent()).toMatch(/bpm/);
      const chart = page.getByRole('img', { name: /^Heart rate chart/ });
      expect(await chart.locator('canvas').count()).toBeGreaterThan(0);
      await page.getByRole('cell', { name: 'completed' }).first().waitFor();
    },
    DATA_WAIT_MS + 60_000,
  );

  it('an expired token returns to sign-in', async () => {
    const login = await sandbox.api('POST', '/api/v1/auth/login', {
      form: { username: sandbox.admin.email, password: sandbox.admin.password },
    });
    const me = await sandbox.api('GET', '/api/v1/auth/me', {
      headers: { authorization: `Bearer ${login.json.access_token}` },
    });
    const anHourAgo = Math.floor(Date.now() / 1000) - 3600;
    const expired = await new SignJWT({ sub: me.json.id, cv: 0 })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(anHourAgo - 3600)
      .setExpirationTime(anHourAgo)
      .sign(new TextEncoder().encode(process.env.JWT_SECRET));
    type Tab = { sessionStorage: { setItem(key: string, value: string): void } };
    await page.evaluate(
      (token) => (globalThis as unknown as Tab).sessionStorage.setItem('open-wearables.token', token),
      expired,
    );
    await page.reload();
    await heading('Sign in').waitFor();
    await page.getByText(/Your session has ended/).waitFor();
  }, 60_000);
});
