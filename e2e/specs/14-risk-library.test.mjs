// The threat and vulnerability catalogues: open them from the Risks page, see the demo's
// reworded, retired and own entries, add a threat of our own (a duplicate name is
// refused, naming the field), retire a starter threat, and find the new threat (and not
// the retired one) among the risk form's suggestions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('14-risk-library');
const OWN = 'Leaked signing key for mobile app releases';

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await newPage(browser, server.url));
  await signIn(page, DEMO.contributor);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The table row of an entry. */
function row(code) {
  return page.locator(`tr[id="${code}"]`);
}

test('the catalogues open from the Risks page with the demo changes', async () => {
  await page.goto('/o/northwind/risks');
  await clickAndWait(page, page.getByRole('link', { name: 'Threat & vulnerability catalogues' }));
  assert.equal(pathOf(page), '/o/northwind/risks/library/threats');
  assert.equal(await page.locator('h1').innerText(), 'Threat and vulnerability catalogues');
  assert.match(await row('T01').innerText(), /Phishing and social engineering/);
  assert.match(await row('T02').innerText(), /Mistake by an engineer or support agent[\s\S]*Starter, changed/);
  assert.match(await row('T28').innerText(), /retired/);
  assert.match(await row('CT01').innerText(), /Compromised customer tenant[\s\S]*Own/);
  await shots.take(page, 'threats');
  await clickAndWait(page, page.locator('nav.tabs').getByRole('link', { name: 'Vulnerabilities' }));
  assert.equal(pathOf(page), '/o/northwind/risks/library/vulnerabilities');
  assert.match(await row('CV01').innerText(), /Support staff can impersonate customer users/);
});

test('add a threat of our own: a duplicate name is refused, then it is added', async () => {
  await page.goto('/o/northwind/risks/library/threats');
  await page.locator('#add-name').fill('phishing and SOCIAL engineering');
  await page.locator('#add-category').selectOption('technology');
  await clickAndWait(page, page.getByRole('button', { name: 'Add', exact: true }));
  assert.equal(await page.locator('.errors code', { hasText: 'name' }).count(), 1);
  assert.match(await page.locator('.errors').innerText(), /T01 already has this name/);
  assert.equal(await page.inputValue('#add-name'), 'phishing and SOCIAL engineering', 'typed text kept');
  await shots.take(page, 'duplicate-name');

  await page.locator('#add-name').fill(OWN);
  await page.locator('#add-description').fill('Someone who gets our release signing key can ship a fake update of the app.');
  await clickAndWait(page, page.getByRole('button', { name: 'Add', exact: true }));
  assert.match(await page.locator('.flash').innerText(), /CT03 ".*" added\./);
  assert.match(await row('CT03').innerText(), new RegExp(OWN));
});

test('retire a starter threat, then filter to what is in force', async () => {
  const r = row('T04');
  await r.locator('summary').click();
  await r.getByLabel('Retired (not offered on the risk form)').check();
  await clickAndWait(page, r.getByRole('button', { name: 'Save' }));
  assert.match(await page.locator('.flash').innerText(), /T04 ".*" saved and retired/);
  assert.match(await row('T04').innerText(), /retired/);
  await page.locator('#f-show').selectOption('in_force');
  await clickAndWait(page, page.getByRole('button', { name: 'Filter' }));
  assert.equal(await row('T04').count(), 0, 'retired entries filtered out');
  assert.equal(await row('CT03').count(), 1);
  await shots.take(page, 'in-force');
});

test('the risk form suggests our own threat and not the retired ones', async () => {
  await page.goto('/o/northwind/risks/new');
  const options = await page.locator('#threats option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(options.includes(OWN), 'own threat offered');
  assert.ok(options.includes('Mistake by an engineer or support agent'), 'reworded threat offered');
  assert.ok(!options.includes('Water damage or flooding'), 'retired threat not offered');
  assert.ok(!options.includes('Loss of key staff'), 'threat retired in this run not offered');
  const vulns = await page.locator('#vulnerabilities option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(vulns.includes('Support staff can impersonate customer users'));
});

test('a viewer reads the catalogue without forms', async () => {
  const { page: p2, context } = await newPage(browser, server.url);
  await signIn(p2, DEMO.viewer);
  await p2.goto('/o/northwind/risks/library/threats');
  assert.match(await p2.locator('tr[id="CT03"]').innerText(), new RegExp(OWN));
  assert.equal(await p2.locator('#add-name').count(), 0);
  assert.equal(await p2.locator('main form[method="post"]').count(), 0);
  await context.close();
});
