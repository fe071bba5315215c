// Flow 5: the organisation's audit trail shows what was just done, verifies its hash
// chain, and filters by kind, person and date; the instance audit trail shows sign-ins.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, NEW_PASSWORD, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer, uniq } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('05-audit');
const member = { email: `hal.${uniq()}@example.org`, name: 'Hal Audited' };
const today = new Date().toISOString().slice(0, 10);
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

/**
 * Re-compute the hash chain with the page's "verify" link (if the page does not show
 * the result already) and check it is intact.
 */
async function verifyChain() {
  if ((await page.locator('main p.ok, main p.bad').count()) === 0) {
    await clickAndWait(page, page.locator('main a[href$="?verify=1"]'));
  }
  assert.match(await page.locator('main p.ok').innerText(), /^Hash chain intact: all \d+ entries re-computed and verified\.$/);
}

/** The kinds (entity pills) of the rows shown. */
async function kinds() {
  return page.locator('table.audit tbody tr td .pill').allInnerTexts();
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await newPage(browser, server.url));
  await signIn(page, DEMO.admin);
  await page.goto('/o/northwind/members');
  await page.fill('#m-email', member.email);
  await page.selectOption('#m-role', 'internal_auditor');
  await page.fill('#m-name', member.name);
  await page.fill('#m-password', NEW_PASSWORD);
  await clickAndWait(page, page.getByRole('button', { name: 'Add member' }));
  assert.equal(await page.locator('.flash').innerText(), `${member.email} added as Internal auditor.`);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the audit trail shows the new member and an intact hash chain', async () => {
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Audit trail' }));
  assert.equal(pathOf(page), '/o/northwind/audit-trail');
  assert.equal(await page.locator('main h1').textContent(), 'Audit trail');
  // The chain is re-computed on request.
  await verifyChain();
  assert.equal(pathOf(page), '/o/northwind/audit-trail?verify=1');
  const rows = page.locator('table.audit tbody tr');
  assert.ok((await rows.count()) > 1);
  // Newest first: the membership just added is on top.
  const top = rows.first();
  assert.match(await top.innerText(), new RegExp(member.email.replace(/\./g, '\\.')));
  assert.equal(await top.locator('.pill').innerText(), 'membership');
  await shots.take(page, 'audit-trail');
  // The details of an entry open in place.
  await top.locator('summary').click();
  assert.ok(await top.locator('pre').isVisible());
  assert.match(await top.locator('p.hash').innerText(), /^hash [0-9a-f]{16}… · previous [0-9a-f]{16}…$/);
  await shots.take(page, 'audit-trail-details-open');
});

test('filtering by kind "membership" shows only membership entries', async () => {
  const entities = await page.locator('#a-entity option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(entities.includes('membership'), `kinds: ${entities}`);
  assert.ok(new Set(await kinds()).size > 1, 'the unfiltered trail has more than one kind');
  await page.selectOption('#a-entity', 'membership');
  await clickAndWait(page, page.getByRole('button', { name: 'Apply' }));
  assert.equal(new URL(page.url()).searchParams.get('entity'), 'membership');
  assert.equal(await page.inputValue('#a-entity'), 'membership');
  const shown = await kinds();
  assert.ok(shown.length >= 7, `membership rows: ${shown.length}`); // the demo members + the new one
  assert.deepEqual([...new Set(shown)], ['membership']);
  assert.match(await page.locator('table.audit tbody').innerText(), new RegExp(member.email.replace(/\./g, '\\.')));
  assert.equal(await page.getByRole('link', { name: 'Clear filters' }).count(), 1);
  await shots.take(page, 'audit-trail-membership');
});

test('filtering by person and by date', async () => {
  // Person: the administrator who added the member.
  const people = await page.locator('#a-actor option').evaluateAll((os) => os.map((o) => ({ value: o.value, label: o.textContent })));
  const adminOption = people.find((p) => p.label.includes(`(${DEMO.admin})`));
  assert.ok(adminOption, `people: ${JSON.stringify(people)}`);
  await page.selectOption('#a-actor', adminOption.value);
  await page.fill('#a-from', today);
  await page.fill('#a-to', today);
  await clickAndWait(page, page.getByRole('button', { name: 'Apply' }));
  const params = new URL(page.url()).searchParams;
  assert.equal(params.get('actor'), adminOption.value);
  assert.equal(params.get('from'), today);
  assert.equal(params.get('to'), today);
  assert.match(await page.locator('table.audit tbody tr').first().innerText(), new RegExp(member.email.replace(/\./g, '\\.')));
  const who = await page.locator('table.audit tbody tr td:nth-child(3)').allInnerTexts();
  assert.deepEqual([...new Set(who)], [DEMO.admin]);
  await shots.take(page, 'audit-trail-person-and-date');

  // Nothing has happened tomorrow.
  await page.fill('#a-from', tomorrow);
  await page.fill('#a-to', tomorrow);
  await clickAndWait(page, page.getByRole('button', { name: 'Apply' }));
  assert.equal(await page.locator('table.audit tbody tr').count(), 1);
  assert.equal(await page.locator('table.audit tbody td.muted').innerText(), 'No entries match.');

  await clickAndWait(page, page.getByRole('link', { name: 'Clear filters' }));
  assert.equal(pathOf(page), '/o/northwind/audit-trail');
  assert.ok(new Set(await kinds()).size > 1);
});

test('the instance audit trail shows sign-ins and filters by kind', async () => {
  await page.goto('/admin/users');
  await clickAndWait(page, page.locator('main').getByRole('link', { name: 'Instance audit trail' }));
  assert.equal(pathOf(page), '/admin/audit-trail');
  assert.equal(await page.locator('main h1').textContent(), 'Instance audit trail');
  await verifyChain();
  const all = await kinds();
  assert.ok(all.includes('session'), `kinds: ${all}`);
  assert.ok(all.includes('user'), `kinds: ${all}`); // the account made by "Add a member"
  assert.match(await page.locator('table.audit tbody').innerText(), new RegExp(member.email.replace(/\./g, '\\.')));
  await shots.take(page, 'admin-audit-trail');

  await page.selectOption('#a-entity', 'session');
  await clickAndWait(page, page.getByRole('button', { name: 'Apply' }));
  const shown = await kinds();
  assert.ok(shown.length >= 1);
  assert.deepEqual([...new Set(shown)], ['session']);
  assert.match(await page.locator('table.audit tbody').innerText(), new RegExp(DEMO.admin.replace(/\./g, '\\.')));
  await shots.take(page, 'admin-audit-trail-sessions');
});
