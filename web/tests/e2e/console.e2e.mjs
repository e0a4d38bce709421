// End-to-end test of the meterd console in a real headless Chromium, against a running meterd.
//
//   METERD_URL=http://127.0.0.1:18080 METERD_USER=admin METERD_PASSWORD=... METERD_DEVICE=D000001 \
//     npm run e2e
//
// Optional: E2E_SCREENSHOT=/path/shot.png (written at the end, and on failure),
//           CHROMIUM=/usr/bin/chromium, E2E_TIMEOUT_MS=20000 (per step).
// Exits 0 when every check passed, 1 on any failure, 2 when the environment is incomplete.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const env = process.env;
const missing = ['METERD_URL', 'METERD_USER', 'METERD_PASSWORD', 'METERD_DEVICE'].filter((k) => !env[k]);
if (missing.length) {
  console.error(`console e2e: missing environment: ${missing.join(', ')}`);
  console.error('usage: METERD_URL=http://127.0.0.1:18080 METERD_USER=... METERD_PASSWORD=... METERD_DEVICE=D000001 npm run e2e');
  process.exit(2);
}
const BASE = env.METERD_URL.replace(/\/+$/, '');
const USER = env.METERD_USER;
const PASSWORD = env.METERD_PASSWORD;
const DEVICE = env.METERD_DEVICE;
const SHOT = env.E2E_SCREENSHOT || '';
const TIMEOUT = Number(env.E2E_TIMEOUT_MS || 20000);
const CHROMIUM = env.CHROMIUM || '/usr/bin/chromium';
const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000;

let passed = 0;
let step = 'setup';
const t0 = Date.now();

class CheckFailed extends Error {}

function ok(what) {
  passed++;
  console.log(`ok ${passed} - ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
function check(cond, message) {
  if (!cond) throw new CheckFailed(message);
}
const sel = (id) => `[data-testid="${id}"]`;

async function apiJson(method, path, token, body) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(`${BASE}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new CheckFailed(`cannot reach ${BASE}: ${e.cause?.message ?? e.message}`);
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // reported below
  }
  if (!res.ok) {
    const msg = json?.error?.message ?? text.slice(0, 200);
    throw new CheckFailed(`${method} ${path} answered HTTP ${res.status}: ${msg}`);
  }
  if (json === null && res.status !== 204) throw new CheckFailed(`${method} ${path} answered something that is not JSON`);
  return json;
}

let context = null;
let page = null;
const userDataDir = mkdtempSync(join(tmpdir(), 'meterd-e2e-'));
const pageErrors = [];

async function main() {
  // The test's own session, to fetch what the page should show.
  step = 'log in through the API';
  const login = await apiJson('POST', '/auth/login', null, { username: USER, password: PASSWORD });
  check(typeof login?.token === 'string' && login.token, 'login answered no token');
  const token = login.token;
  ok('logged in through the API');

  step = 'launch Chromium';
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 1000 },
    timeout: 60000,
  });
  context.setDefaultTimeout(TIMEOUT);
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    // The browser logs failed requests itself; those are checked where they matter.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(`console: ${m.text()}`);
  });

  step = 'log in through the form';
  await page.goto(`${BASE}/#/login`, { waitUntil: 'domcontentloaded' });
  await page.locator(sel('login-username')).fill(USER);
  await page.locator(sel('login-password')).fill(PASSWORD);
  await page.locator(sel('login-submit')).click();
  await Promise.race([
    page.locator(sel('fleet-table')).waitFor({ state: 'visible' }),
    page
      .locator(sel('login-error'))
      .waitFor({ state: 'visible' })
      .then(async () => {
        throw new CheckFailed(`login form shows an error: ${await page.locator(sel('login-error')).innerText()}`);
      }),
  ]);
  const stored = await page.evaluate(() => sessionStorage.getItem('meterd.token'));
  check(stored, 'no token in sessionStorage after login');
  ok('logged in through the form; fleet table shown');

  step = 'find the device in the fleet';
  const row = page.locator(sel(`device-row-${DEVICE}`));
  await page.locator(sel('fleet-search')).fill(DEVICE);
  try {
    // Wait for the filtered answer, not the unfiltered first page: every row shown must match.
    await page.waitForFunction((id) => {
      const rows = [...document.querySelectorAll('[data-testid^="device-row-"]')];
      const want = id.toLowerCase();
      return rows.some((r) => r.dataset.testid === `device-row-${id}`) && rows.every((r) => r.textContent.toLowerCase().includes(want));
    }, DEVICE);
    await row.waitFor({ state: 'visible' });
  } catch {
    const shown = await page.locator('[data-testid^="device-row-"]').count();
    throw new CheckFailed(`no row device-row-${DEVICE} after searching for it (${shown} rows shown)`);
  }
  ok(`found ${DEVICE} in the fleet table by search`);

  step = 'open the device page';
  await row.click();
  await page.waitForFunction((id) => decodeURIComponent(location.hash) === `#/devices/${id}`, DEVICE);
  await page.locator(sel('device-details')).locator('dd').first().waitFor({ state: 'visible' });
  ok('device page opened');

  step = 'choose the 7-day range and wait for the chart';
  const chart = page.locator(sel('consumption-chart'));
  let attempt = 0;
  let info;
  let apiReadings;
  for (;;) {
    attempt++;
    const before = Number((await chart.getAttribute('data-seq')) ?? '0');
    await page.locator(sel('range-7d')).click();
    await page.waitForFunction(
      ({ before, span }) => {
        const el = document.querySelector('[data-testid="consumption-chart"]');
        if (!el || Number(el.dataset.seq ?? 0) <= before) return false;
        if (!['ready', 'empty', 'error'].includes(el.dataset.state)) return false;
        return Date.parse(el.dataset.to) - Date.parse(el.dataset.from) === span;
      },
      { before, span: SEVEN_DAYS_MS },
    );
    info = await chart.evaluate((el) => ({ ...el.dataset }));
    if (info.state === 'error') {
      const msg = await page.locator(sel('chart-message')).innerText();
      throw new CheckFailed(`chart failed to load: ${msg}`);
    }
    check(info.state === 'ready', `chart shows no points for the last 7 days of ${DEVICE} (state ${info.state}); does it have stored readings?`);
    const points = Number(info.points);
    check(points > 0, `data-points is ${info.points}, expected > 0`);

    const q = new URLSearchParams({ from: info.from, to: info.to, resolution: info.resolution });
    apiReadings = await apiJson('GET', `/meters/${encodeURIComponent(info.meter)}/readings?${q}`, token);
    const shown = (await page.locator(sel('period-total-value')).innerText()).trim();
    const attr = await page.locator(sel('period-total')).getAttribute('data-total');
    if (shown === apiReadings.total && attr === apiReadings.total) break;
    // New readings can land between the page's request and ours: ask again, a few times.
    if (attempt >= 3) {
      throw new CheckFailed(`period total shown "${shown}" (data-total "${attr}") differs from the API's total "${apiReadings.total}" for ${info.meter} ${info.from}..${info.to} ${info.resolution}`);
    }
    console.log(`# totals differ (page ${shown}, API ${apiReadings.total}); reloading the range, attempt ${attempt + 1}`);
  }
  ok(`7-day chart: ${info.points} points at ${info.resolution} resolution, meter ${info.meter}, ${info.from}..${info.to}`);
  const unitShown = (await page.locator(sel('period-total')).getAttribute('data-unit')) ?? '';
  ok(`period total "${apiReadings.total} ${unitShown}" equals the API's total "${apiReadings.total} ${apiReadings.unit}"`);

  step = 'check the chart pixels';
  const pixels = await chart.evaluate((el) => {
    const canvas = el.querySelector('canvas');
    if (!canvas) return { canvas: false };
    const ctx = canvas.getContext('2d');
    const { width, height } = canvas;
    const data = ctx.getImageData(0, 0, width, height).data;
    let painted = 0;
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a === 0) continue;
      painted++;
      // bars are saturated colours; axes and grid are grey
      if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
    }
    return { canvas: true, width, height, painted, coloured };
  });
  check(pixels.canvas, 'no canvas inside the chart');
  check(pixels.width > 0 && pixels.height > 0, `canvas is ${pixels.width}x${pixels.height}`);
  check(pixels.painted > 0, 'chart canvas is blank');
  check(pixels.coloured > 0, `chart canvas has ${pixels.painted} painted pixels but no coloured bars`);
  ok(`chart canvas ${pixels.width}x${pixels.height} has ${pixels.painted} painted and ${pixels.coloured} bar-coloured pixels`);

  step = 'switch the output';
  const button = page.locator(sel('output-switch'));
  await button.waitFor({ state: 'visible' });
  // Wait until the device's commands are loaded, so a command already under way is known.
  await page.waitForFunction(() => !document.querySelector('[data-testid="commands-table"] tbody tr.row-loading'));
  const state = page.locator(sel('command-state'));
  if (await button.isDisabled()) {
    const existing = (await state.count()) ? await state.getAttribute('data-state') : null;
    check(existing === 'pending' || existing === 'sent', 'the output switch is disabled though no command is outstanding');
    ok(`a command is already outstanding (${existing}); the output switch is disabled as it should be`);
  } else {
    const label = (await button.innerText()).trim();
    await button.click();
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="command-state"]');
      return el && ['pending', 'sent', 'acknowledged'].includes(el.getAttribute('data-state') ?? '');
    });
    const s = await state.getAttribute('data-state');
    ok(`clicked "${label}"; command state shown: ${s}`);
  }

  check(pageErrors.length === 0, `the page reported errors:\n  ${pageErrors.join('\n  ')}`);
  ok('no page errors');
}

let code = 0;
try {
  await main();
} catch (e) {
  code = 1;
  const msg = e instanceof CheckFailed ? e.message : (e?.message ?? String(e)).split('\n')[0];
  console.error(`not ok - ${step}: ${msg}`);
  if (page) console.error(`  page: ${page.url()}`);
  if (pageErrors.length) console.error(`  page errors:\n    ${pageErrors.join('\n    ')}`);
}
if (SHOT && page) {
  try {
    await page.screenshot({ path: SHOT, fullPage: true });
    console.log(`# screenshot: ${SHOT}`);
  } catch (e) {
    console.error(`# could not write the screenshot: ${e.message}`);
  }
}
if (context) await context.close().catch(() => {});
rmSync(userDataDir, { recursive: true, force: true });
console.log(`console e2e: ${passed} passed, ${code ? 1 : 0} failed`);
process.exit(code);
