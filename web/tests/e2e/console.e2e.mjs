// End-to-end test of the meterd console in a real headless Chromium, against a running meterd.
//
//   METERD_URL=http://127.0.0.1:18080 METERD_USER=admin METERD_PASSWORD=... METERD_DEVICE=D000001 \
//     npm run e2e
//
// METERD_USER must hold users:manage (the test creates a user). Optional:
//   E2E_SCREENSHOT=/path/shot.png (written at the end, and on failure), CHROMIUM=/usr/bin/chromium,
//   E2E_TIMEOUT_MS=20000 (per step), E2E_VIEWER_ROLE=viewer (the role of the user it creates; it
//   must not hold audit:read, users:manage or commands:send, and must hold fleet:read).
// Exits 0 when every check passed, 1 on any failure, 2 when the environment is incomplete.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { CheckFailed, check, finish, sel } from './harness.mjs';

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
const VIEWER_ROLE = env.E2E_VIEWER_ROLE || 'viewer';
const SHOT = env.E2E_SCREENSHOT || '';
const TIMEOUT = Number(env.E2E_TIMEOUT_MS || 20000);
const CHROMIUM = env.CHROMIUM || '/usr/bin/chromium';
const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000;
const SESSION_COOKIE = 'meterd_session';

// The user this run creates, with passwords only this run knows.
const suffix = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const VIEWER = `e2e-viewer-${suffix}`;
const VIEWER_PASSWORD = `first-${randomBytes(6).toString('hex')}`;
const VIEWER_PASSWORD_2 = `second-${randomBytes(6).toString('hex')}`;
const TOKEN_NAME = `e2e-token-${suffix}`;

let passed = 0;
let step = 'setup';
const t0 = Date.now();


function ok(what) {
  passed++;
  console.log(`ok ${passed} - ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

/** The test's own API calls: a bearer token (as scripts use it), and the CSRF token on writes. */
async function apiCall(method, path, auth, body) {
  const headers = { Accept: 'application/json' };
  if (auth?.token) headers.Authorization = `Bearer ${auth.token}`;
  if (auth?.csrf && method !== 'GET') headers['X-CSRF-Token'] = auth.csrf;
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
    // reported by apiJson
  }
  return { status: res.status, json, text };
}

async function apiJson(method, path, auth, body) {
  const r = await apiCall(method, path, auth, body);
  if (r.status < 200 || r.status > 299) {
    const msg = r.json?.error?.message ?? r.text.slice(0, 200);
    throw new CheckFailed(`${method} ${path} answered HTTP ${r.status}: ${msg}`);
  }
  if (r.json === null && r.status !== 204) throw new CheckFailed(`${method} ${path} answered something that is not JSON`);
  return r.json;
}

let context = null;
let page = null;
const userDataDir = mkdtempSync(join(tmpdir(), 'meterd-e2e-'));
const pageErrors = [];

/** Logs in through the form; resolves where the console landed and the login answer. */
async function formLogin(user, password) {
  await page.locator(sel('login-form')).waitFor({ state: 'visible' });
  await page.locator(sel('login-username')).fill(user);
  await page.locator(sel('login-password')).fill(password);
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login') && r.request().method() === 'POST');
  await page.locator(sel('login-submit')).click();
  const res = await answer;
  const landed = await Promise.race([
    page.locator(sel('nav-account')).waitFor({ state: 'visible' }).then(() => 'in'),
    page
      .locator(sel('login-error'))
      .waitFor({ state: 'visible' })
      .then(async () => {
        throw new CheckFailed(`login of ${user} shows an error: ${await page.locator(sel('login-error')).innerText()}`);
      }),
  ]);
  check(landed === 'in', 'login did not finish');
  const forced = await page.locator(`${sel('account-page')}[data-forced="true"]`).waitFor({ state: 'visible', timeout: 1500 }).then(
    () => true,
    () => false,
  );
  return { landed: forced ? 'password' : 'home', response: res.ok() ? await res.json() : null };
}

/** The session must live in the HttpOnly cookie; no token may be stored where scripts read it. */
async function checkCookieSession(loginAnswer) {
  check(loginAnswer && typeof loginAnswer.csrf === 'string' && loginAnswer.csrf, 'the login answer the page got has no csrf');
  const cookie = (await context.cookies(BASE)).find((c) => c.name === SESSION_COOKIE);
  check(cookie && cookie.value, `no ${SESSION_COOKIE} cookie after login`);
  check(cookie.httpOnly, `${SESSION_COOKIE} is not HttpOnly`);
  check(cookie.sameSite === 'Strict', `${SESSION_COOKIE} has SameSite=${cookie.sameSite}, expected Strict`);
  check(cookie.path === '/', `${SESSION_COOKIE} has Path=${cookie.path}, expected /`);
  const seen = await page.evaluate(() => {
    const all = {};
    for (const [name, store] of [['sessionStorage', sessionStorage], ['localStorage', localStorage]]) {
      for (let i = 0; i < store.length; i++) all[`${name}.${store.key(i)}`] = store.getItem(store.key(i)) ?? '';
    }
    return { all, cookie: document.cookie };
  });
  check(!('sessionStorage.meterd.token' in seen.all), 'sessionStorage still holds meterd.token');
  check(!seen.cookie.includes(SESSION_COOKIE), `${SESSION_COOKIE} is readable from document.cookie`);
  const token = loginAnswer.token;
  if (typeof token === 'string' && token) {
    const where = Object.entries(seen.all).filter(([, v]) => v.includes(token)).map(([k]) => k);
    check(where.length === 0, `the session token is stored in ${where.join(', ')}`);
  }
  check(seen.all['sessionStorage.meterd.csrf'] === loginAnswer.csrf, 'sessionStorage meterd.csrf is not the csrf of the login');
}

async function checkHeader(user, role) {
  await page.locator(sel('header-user')).waitFor({ state: 'visible' });
  const shownUser = (await page.locator(sel('header-user')).innerText()).trim();
  check(shownUser === user, `the header shows user "${shownUser}", expected "${user}"`);
  const roleEl = page.locator(sel('header-role'));
  check((await roleEl.count()) === 1, 'the header shows no role');
  if (role) {
    const shownRole = (await roleEl.innerText()).trim();
    check(shownRole === role, `the header shows role "${shownRole}", expected "${role}"`);
  }
}

/**
 * Fills the change-password form (first with a mismatched repeat, which must be refused) and waits
 * until the console has taken the change in. Resolves 'signed-out' if the server ended the
 * session on the change (the console then shows the login form), else 'ok'.
 */
async function changePassword(current, next) {
  await page.locator(sel('password-form')).waitFor({ state: 'visible' });
  await page.locator(sel('password-current')).fill(current);
  await page.locator(sel('password-new')).fill(next);
  await page.locator(sel('password-repeat')).fill(next.slice(0, -1) + 'x');
  await page.locator(sel('password-submit')).click();
  await page.locator(sel('password-error')).waitFor({ state: 'visible' });
  check(/match/i.test(await page.locator(sel('password-error')).innerText()), 'no "do not match" error for differing new passwords');
  await page.locator(sel('password-repeat')).fill(next);
  await page.locator(sel('password-submit')).click();
  return Promise.race([
    // Required change: the console moves on to its home page; otherwise the form says done.
    page.locator(`${sel('password-form')}[data-state="done"]`).waitFor({ state: 'attached' }).then(() => 'ok'),
    page.locator(sel('nav-fleet')).waitFor({ state: 'visible' }).then(() => 'ok'),
    page.locator(sel('login-form')).waitFor({ state: 'visible' }).then(() => 'signed-out'),
    page.locator(`${sel('password-form')}[data-state="signed-out"]`).waitFor({ state: 'attached' }).then(() => 'signed-out'),
    page
      .locator(`${sel('password-form')}[data-state="error"]`)
      .waitFor({ state: 'attached' })
      .then(async () => {
        throw new CheckFailed(`changing the password failed: ${await page.locator(sel('password-error')).innerText()}`);
      }),
  ]);
}

async function main() {
  // The test's own admin session, to fetch what the page should show.
  step = 'log in through the API';
  const login = await apiJson('POST', '/auth/login', null, { username: USER, password: PASSWORD });
  check(typeof login?.token === 'string' && login.token, 'login answered no token');
  check(typeof login.csrf === 'string' && login.csrf, 'login answered no csrf');
  check(Array.isArray(login.permissions), 'login answered no permissions');
  check(login.permissions.includes('users:manage'), `${USER} lacks users:manage (has ${login.permissions.join(', ') || 'nothing'}); the test creates a user`);
  const admin = { token: login.token, csrf: login.csrf };
  ok(`logged in through the API as ${USER} (${login.role})`);

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
    // The browser logs failed requests itself (a viewer's 403s among them); those are checked where they matter.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(`console: ${m.text()}`);
  });

  step = 'log in through the form';
  await page.goto(`${BASE}/#/login`, { waitUntil: 'domcontentloaded' });
  const adminLogin = await formLogin(USER, PASSWORD);
  check(adminLogin.landed === 'home', `${USER} must change the password before anything else; set one that needs no change`);
  await page.locator(sel('fleet-table')).waitFor({ state: 'visible' });
  ok('logged in through the form; fleet table shown');

  step = 'check the session is the cookie, not a stored token';
  await checkCookieSession(adminLogin.response);
  ok(`session in the HttpOnly ${SESSION_COOKIE} cookie (SameSite=Strict); no token in storage; CSRF token kept`);

  step = 'check the header for the admin';
  await checkHeader(USER);
  for (const id of ['nav-fleet', 'nav-events', 'nav-audit', 'nav-users']) {
    check(await page.locator(sel(id)).isVisible(), `${id} is not shown to ${USER}`);
  }
  ok(`header shows ${USER} (${await page.locator(sel('header-role')).innerText()}) and Fleet, Events, Audit, Users`);

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
    apiReadings = await apiJson('GET', `/meters/${encodeURIComponent(info.meter)}/readings?${q}`, admin);
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

  step = 'switch the output (admin)';
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

  step = 'create a viewer on the Users page';
  await page.locator(sel('nav-users')).click();
  await page.locator(sel('users-table')).waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.querySelector('[data-testid="users-table"] tbody tr[data-testid^="user-row-"]'));
  const roleSelect = page.locator(sel('user-new-role'));
  await page.waitForFunction((role) => [...document.querySelectorAll('[data-testid="user-new-role"] option')].some((o) => o.value === role), VIEWER_ROLE).catch(async () => {
    const roles = await roleSelect.locator('option').allInnerTexts();
    throw new CheckFailed(`the role select offers no "${VIEWER_ROLE}" (offers: ${roles.join(', ') || 'nothing'})`);
  });
  await page.locator(sel('user-new-name')).fill(VIEWER);
  await roleSelect.selectOption(VIEWER_ROLE);
  await page.locator(sel('user-new-password')).fill(VIEWER_PASSWORD);
  // A device-scoped role sees only the devices listed on the user: give it the test device.
  const scoped = (await roleSelect.getAttribute('data-scoped')) === 'true';
  if (scoped) await page.locator(sel('user-new-devices')).fill(DEVICE);
  await page.locator(sel('user-create-submit')).click();
  const newRow = page.locator(sel(`user-row-${VIEWER}`));
  await Promise.race([
    newRow.waitFor({ state: 'visible' }),
    page
      .locator(sel('user-create-error'))
      .waitFor({ state: 'visible' })
      .then(async () => {
        throw new CheckFailed(`creating ${VIEWER} failed: ${await page.locator(sel('user-create-error')).innerText()}`);
      }),
  ]);
  check((await newRow.getAttribute('data-role')) === VIEWER_ROLE, `row of ${VIEWER} shows role ${await newRow.getAttribute('data-role')}`);
  await page.locator(sel('user-created')).waitFor({ state: 'visible' });
  check((await page.locator(sel('user-created-password')).count()) === 0, 'a password is shown though the admin chose one');
  const created = await apiJson('GET', `/users/${encodeURIComponent(VIEWER)}`, admin);
  check(created?.role === VIEWER_ROLE, `GET /users/${VIEWER} says role ${created?.role}`);
  check(!scoped || (created.devices ?? []).includes(DEVICE), `GET /users/${VIEWER} lists devices ${JSON.stringify(created.devices)}, expected ${DEVICE}`);
  ok(`created ${VIEWER} with role ${VIEWER_ROLE}${scoped ? ` scoped to ${DEVICE}` : ''} through the Users page`);

  step = 'log out';
  await page.locator(sel('logout')).click();
  await page.locator(sel('login-form')).waitFor({ state: 'visible' });
  check((await page.evaluate(() => sessionStorage.getItem('meterd.csrf'))) === null, 'the CSRF token is still in sessionStorage after logout');
  const left = (await context.cookies(BASE)).find((c) => c.name === SESSION_COOKIE && c.value);
  check(!left, `the ${SESSION_COOKIE} cookie is still set after logout`);
  const meAfter = await page.evaluate(() => fetch('./api/v1/auth/me', { credentials: 'same-origin' }).then((r) => r.status));
  check(meAfter === 401, `GET /auth/me after logout answered ${meAfter}, expected 401`);
  ok('logged out: cookie cleared, CSRF token forgotten, /auth/me answers 401');

  step = `log in as ${VIEWER}`;
  const viewerLogin = await formLogin(VIEWER, VIEWER_PASSWORD);
  await checkHeader(VIEWER, VIEWER_ROLE);
  let currentPassword = VIEWER_PASSWORD;
  if (viewerLogin.landed === 'password') {
    for (const id of ['nav-fleet', 'nav-events', 'nav-audit', 'nav-users']) check((await page.locator(sel(id)).count()) === 0, `${id} shown while the password must be changed`);
    await page.evaluate(() => (location.hash = '#/fleet'));
    await page.waitForFunction(() => location.hash === '#/account');
    check((await page.locator(sel('fleet-table')).count()) === 0, 'the fleet shows while the password must be changed');
    ok(`${VIEWER} must change the password first: only the password form, no navigation`);
    step = 'change the password (required)';
    const after = await changePassword(currentPassword, VIEWER_PASSWORD_2);
    currentPassword = VIEWER_PASSWORD_2;
    if (after === 'signed-out') {
      check((await formLogin(VIEWER, currentPassword)).landed === 'home', 'still asked to change the password after changing it');
      console.log('# the server ended the session on the password change; signed in again');
    }
    await page.locator(sel('nav-fleet')).waitFor({ state: 'visible' });
    ok('changed the required password; the console opened');
  } else {
    ok(`logged in as ${VIEWER}`);
  }

  step = `check the navigation of ${VIEWER}`;
  await page.locator(sel('nav-fleet')).waitFor({ state: 'visible' });
  check((await page.locator(sel('nav-audit')).count()) === 0, `nav-audit is shown to ${VIEWER_ROLE}`);
  check((await page.locator(sel('nav-users')).count()) === 0, `nav-users is shown to ${VIEWER_ROLE}`);
  for (const hash of ['#/users', '#/audit']) {
    await page.evaluate((h) => (location.hash = h), hash);
    await page.locator(`${sel('forbidden-page')}[data-route="${hash.slice(2)}"]`).waitFor({ state: 'visible' });
    check((await page.locator(`${sel('users-table')}, ${sel('audit-table')}`).count()) === 0, `${hash} shows its table to ${VIEWER_ROLE}`);
  }
  ok(`${VIEWER_ROLE}: no Audit or Users in the header; #/users and #/audit show "Not allowed"`);

  step = `check the output switch of ${VIEWER}`;
  await page.evaluate((id) => (location.hash = `#/devices/${encodeURIComponent(id)}`), DEVICE);
  await page.locator(sel('device-details')).locator('dd').first().waitFor({ state: 'visible' });
  const sw = page.locator(sel('output-switch'));
  if ((await sw.count()) > 0) {
    check(await sw.isDisabled(), `the output switch is enabled for ${VIEWER_ROLE}`);
    check((await sw.getAttribute('data-allowed')) === 'false', `the output switch says data-allowed=${await sw.getAttribute('data-allowed')}`);
  }
  // The server refuses too: a write with the viewer's own cookie and CSRF token.
  const refused = await page.evaluate(async (id) => {
    const r = await fetch(`./api/v1/devices/${encodeURIComponent(id)}/commands`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': sessionStorage.getItem('meterd.csrf') ?? '' },
      body: JSON.stringify({ type: 'set_output', on: true }),
    });
    return r.status;
  }, DEVICE);
  check(refused === 403, `POST /devices/${DEVICE}/commands as ${VIEWER_ROLE} answered ${refused}, expected 403`);
  ok(`${VIEWER_ROLE}: output switch ${(await sw.count()) ? 'disabled' : 'hidden'}; the server answers 403 to a command`);

  step = 'open the Account page';
  await page.locator(sel('nav-account')).click();
  await page.locator(sel('tokens-table')).waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.querySelector('[data-testid="tokens-table"] tbody tr[data-testid^="token-row-"]'));
  const currentRows = page.locator(`${sel('tokens-table')} tr[data-current="true"]`);
  check((await currentRows.count()) === 1, `${await currentRows.count()} rows are marked as the current session`);
  check((await currentRows.getAttribute('data-kind')) === 'session', 'the current row is not a session');
  ok('account page lists the sessions and tokens; the current session is marked');

  if (currentPassword === VIEWER_PASSWORD) {
    step = 'change the password on the Account page';
    const after = await changePassword(currentPassword, VIEWER_PASSWORD_2);
    currentPassword = VIEWER_PASSWORD_2;
    if (after === 'signed-out') {
      await formLogin(VIEWER, currentPassword);
      await page.evaluate(() => (location.hash = '#/account'));
      console.log('# the server ended the session on the password change; signed in again');
    } else {
      check(await page.locator(sel('password-ok')).isVisible(), 'no confirmation after changing the password');
    }
    ok('changed the password on the Account page');
  }
  step = 'check the new password';
  const relog = await apiJson('POST', '/auth/login', null, { username: VIEWER, password: currentPassword });
  check(relog?.must_change_password === false, `after the change the server still says must_change_password=${relog?.must_change_password}`);
  ok('the new password signs in through the API and needs no change');

  step = 'create an API token';
  const scope = 'fleet:read';
  await page.locator(sel('token-form')).waitFor({ state: 'visible' });
  check((await page.locator(sel('token-scope-users:manage')).count()) === 0, `the scopes offer users:manage to ${VIEWER_ROLE}`);
  check((await page.locator(sel('token-scope-commands:send')).count()) === 0, `the scopes offer commands:send to ${VIEWER_ROLE}`);
  await page.locator(sel('token-name')).fill(TOKEN_NAME);
  await page.locator(sel(`token-scope-${scope}`)).check();
  await page.locator(sel('token-days')).fill('7');
  await page.locator(sel('token-submit')).click();
  const shown = page.locator(sel('token-created-value'));
  await Promise.race([
    shown.waitFor({ state: 'visible' }),
    page
      .locator(sel('token-error'))
      .waitFor({ state: 'visible' })
      .then(async () => {
        throw new CheckFailed(`creating the token failed: ${await page.locator(sel('token-error')).innerText()}`);
      }),
  ]);
  const apiToken = (await shown.innerText()).trim();
  check(apiToken.length >= 8 && !/\s/.test(apiToken), `the token shown looks wrong: "${apiToken}"`);
  await page.locator(sel('token-created-copy')).waitFor({ state: 'visible' });
  const tokenRow = page.locator(`${sel('tokens-table')} tr[data-name="${TOKEN_NAME}"]`);
  await tokenRow.waitFor({ state: 'visible' });
  check((await tokenRow.getAttribute('data-kind')) === 'api', `the new token's row has kind ${await tokenRow.getAttribute('data-kind')}`);
  check(!(await tokenRow.innerText()).includes(apiToken), 'the tokens table shows the token itself');
  const useIt = await apiCall('GET', '/devices?limit=1', { token: apiToken });
  check(useIt.status === 200, `GET /devices with the new token answered ${useIt.status}`);
  ok(`created token "${TOKEN_NAME}" (${scope}, 7 days); shown with a copy button; it works as a bearer token`);

  step = 'check the token is shown only once';
  const leaks = await page.evaluate(async (t) => {
    const found = [];
    for (const [name, store] of [['sessionStorage', sessionStorage], ['localStorage', localStorage]]) {
      for (let i = 0; i < store.length; i++) if ((store.getItem(store.key(i)) ?? '').includes(t)) found.push(`${name}.${store.key(i)}`);
    }
    if (document.cookie.includes(t)) found.push('document.cookie');
    const list = await fetch('./api/v1/auth/tokens', { credentials: 'same-origin' }).then((r) => r.text());
    if (list.includes(t)) found.push('GET /auth/tokens');
    return found;
  }, apiToken);
  check(leaks.length === 0, `the token is also in: ${leaks.join(', ')}`);
  await page.locator(sel('token-created-dismiss')).click();
  check((await page.locator(sel('token-created-value')).count()) === 0, 'the token is still shown after dismissing it');
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.locator(sel('tokens-table')).waitFor({ state: 'visible' });
  await tokenRow.waitFor({ state: 'visible' });
  const html = await page.content();
  check(!html.includes(apiToken), 'the token is shown again after a reload');
  ok('the token is in no storage and not in GET /auth/tokens; gone after dismissing and after a reload (the cookie kept the session)');

  check(pageErrors.length === 0, `the page reported errors:\n  ${pageErrors.join('\n  ')}`);
  ok('no page errors');
}

await finish('console e2e', main, {
  step: () => step,
  passed: () => passed,
  page: () => page,
  context: () => context,
  pageErrors,
  shot: SHOT,
  userDataDir,
});
