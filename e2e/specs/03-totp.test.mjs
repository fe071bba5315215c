// Flow 3: a freshly created user turns on two-step sign-in (TOTP) from the profile,
// signs out, and signs in again with password + a code computed here (RFC 6238);
// a replayed code is refused and a recovery code works instead.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO, NEW_PASSWORD, Shots, clickAndWait, currentStep, freshTotp, launchBrowser, newPage, pathOf, signIn, signOut,
  startServer, totpCode, uniq, waitForStepAfter,
} from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('03-totp');
const user = { email: `fay.${uniq()}@example.org`, name: 'Fay Two-Step' };
let secret;
let usedStep;
let recoveryCodes = [];
let lastCode;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // The administrator creates the account from the Members page, in its own context.
  const admin = await newPage(browser, server.url);
  await signIn(admin.page, DEMO.admin);
  await admin.page.goto('/o/northwind/members');
  await admin.page.fill('#m-email', user.email);
  await admin.page.selectOption('#m-role', 'contributor');
  await admin.page.fill('#m-name', user.name);
  await admin.page.fill('#m-password', NEW_PASSWORD);
  await clickAndWait(admin.page, admin.page.getByRole('button', { name: 'Add member' }));
  assert.equal(await admin.page.locator('.flash').innerText(), `${user.email} added as Contributor.`);
  await admin.context.close();
  // The new user, in a fresh browser context.
  ({ page } = await newPage(browser, server.url));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the new user signs in with the password and lands in their organisation', async () => {
  await signIn(page, user.email, NEW_PASSWORD);
  assert.equal(pathOf(page), '/o/northwind');
  assert.equal(await page.locator('main h1').textContent(), DEMO.orgs.northwind);
  assert.equal(await page.locator('nav.side .side-role').innerText(), 'Contributor');
  // Not an instance administrator.
  assert.equal(await page.locator('header').getByRole('link', { name: 'Administration' }).count(), 0);
  await shots.take(page, 'overview-as-new-user');
});

test('the profile shows two-step sign-in as off', async () => {
  await clickAndWait(page, page.locator('header').getByRole('link', { name: user.name }));
  assert.equal(pathOf(page), '/profile');
  assert.equal(await page.locator('main h1').textContent(), 'Your account');
  assert.match(await page.locator('#two-step').innerText(), /\bOff\./);
  assert.equal(await page.locator('#sessions tbody tr.current').count(), 1);
  await shots.take(page, 'profile-before');
});

test('set-up shows a QR code and the secret; a wrong code is refused', async () => {
  await clickAndWait(page, page.getByRole('button', { name: 'Set up two-step sign-in' }));
  assert.equal(pathOf(page), '/profile/totp');
  assert.equal(await page.locator('main h1').textContent(), 'Set up two-step sign-in');
  assert.equal(await page.locator('.qr svg').count(), 1);
  secret = (await page.locator('#totp-secret').innerText()).trim();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.match(await page.locator('#totp-uri').textContent(), new RegExp(`^otpauth://totp/.*secret=${secret}`));
  await shots.take(page, 'totp-setup');

  // A code that is valid for none of the accepted steps.
  const now = currentStep();
  const valid = new Set([now - 1, now, now + 1, now + 2].map((s) => totpCode(secret, s)));
  let wrong = 123456;
  while (valid.has(String(wrong))) wrong += 1;
  await page.fill('#code', String(wrong));
  const res = await clickAndWait(page, page.getByRole('button', { name: 'Turn on two-step sign-in' }));
  assert.equal(res.status(), 422);
  assert.match(await page.locator('.errors').innerText(), /does not match/);
  // The same secret is offered again.
  assert.equal((await page.locator('#totp-secret').innerText()).trim(), secret);
  await shots.take(page, 'totp-setup-wrong-code');
});

test('the right code turns two-step sign-in on and shows recovery codes', async () => {
  const { code, step } = await freshTotp(secret);
  usedStep = step;
  await page.fill('#code', code);
  await clickAndWait(page, page.getByRole('button', { name: 'Turn on two-step sign-in' }));
  assert.match(await page.locator('.flash').innerText(), /Two-step sign-in is on/);
  assert.match(await page.locator('#two-step p.ok').innerText(), /^On\./);
  recoveryCodes = (await page.locator('#recovery-codes li').allInnerTexts()).map((c) => c.trim());
  assert.equal(recoveryCodes.length, 10);
  assert.equal(new Set(recoveryCodes).size, 10);
  await shots.take(page, 'totp-on-recovery-codes');
  // Shown only once.
  await page.goto('/profile');
  assert.equal(await page.locator('#recovery-codes').count(), 0);
  assert.match(await page.locator('#two-step p.ok').innerText(), /^On\..*10 recovery codes left/);
});

test('signing in again asks for the one-time code, and the computed code works', async () => {
  await signOut(page);
  assert.equal(pathOf(page), '/login');
  await signIn(page, user.email, NEW_PASSWORD);
  assert.match(pathOf(page), /^\/login\/totp/);
  assert.equal(await page.locator('main h1').textContent(), 'One-time code');
  await shots.take(page, 'login-totp');
  // The pending sign-in cannot open pages yet.
  await page.goto('/profile');
  assert.match(pathOf(page), /^\/login\/totp/);

  // The code of the step used for enrolment is spent; wait for the next step.
  const step = await waitForStepAfter(usedStep);
  const code = totpCode(secret, step);
  usedStep = step;
  await page.fill('#code', code);
  await clickAndWait(page, page.getByRole('button', { name: 'Continue' }));
  assert.equal(pathOf(page), '/o/northwind');
  assert.equal(await page.locator('header a[href="/profile"]').innerText(), user.name);
  await shots.take(page, 'signed-in-with-code');
  lastCode = code;
});

test('a code already used is refused; a recovery code works once', async () => {
  await signOut(page);
  await signIn(page, user.email, NEW_PASSWORD);
  assert.match(pathOf(page), /^\/login\/totp/);
  await page.fill('#code', lastCode);
  const res = await clickAndWait(page, page.getByRole('button', { name: 'Continue' }));
  assert.equal(res.status(), 422);
  assert.equal(await page.locator('.errors').count(), 1);
  await shots.take(page, 'login-totp-replayed-code');

  await page.fill('#code', recoveryCodes[0]);
  await clickAndWait(page, page.getByRole('button', { name: 'Continue' }));
  assert.equal(pathOf(page), '/o/northwind');
  await page.goto('/profile');
  assert.match(await page.locator('#two-step p.ok').innerText(), /9 recovery codes left/);
  await shots.take(page, 'profile-after');
});

// The page asked for before signing in (`next`) survives the one-time-code step.
test('after the one-time code, the user lands on the page they asked for', async () => {
    await signOut(page);
    await page.goto('/o/northwind/members');
    assert.equal(pathOf(page), '/login?next=%2Fo%2Fnorthwind%2Fmembers');
    await page.fill('#email', user.email);
    await page.fill('#password', NEW_PASSWORD);
    await clickAndWait(page, page.getByRole('button', { name: 'Sign in' }));
    assert.match(pathOf(page), /^\/login\/totp\?next=/);
    await page.fill('#code', recoveryCodes[1]);
    await clickAndWait(page, page.getByRole('button', { name: 'Continue' }));
    assert.equal(pathOf(page), '/o/northwind/members');
  });
