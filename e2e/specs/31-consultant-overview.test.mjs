// The consultants' overview: the demo administrator sees Northwind and Bluefin side by
// side on /orgs with their readiness, next audit, overdue work and open nonconformities;
// the API gives the same figures; a member of one organisation sees only that one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer } from './helpers.mjs';

let server;
let browser;
const shots = new Shots('31-consultant-overview');

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The overview table's rows as { slug, name, scores, nextAudit, overdue, ncs }. */
async function rows(page) {
  return page.locator('table#org-overview tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    slug: tr.dataset.org,
    name: tr.querySelector('th a').textContent,
    scores: [...tr.querySelectorAll('td[data-profile] strong')].map((s) => Number(s.textContent)),
    scoreLinks: [...tr.querySelectorAll('td[data-profile] a')].map((a) => a.getAttribute('href')),
    nextAudit: tr.children[4].textContent.trim(),
    overdue: tr.children[5].textContent.trim(),
    ncs: tr.children[6].textContent.trim(),
  })));
}

test('the administrator sees Northwind and Bluefin side by side with their figures', async () => {
  const { page } = await newPage(browser, server.url);
  await signIn(page, DEMO.admin);
  assert.equal(pathOf(page), '/orgs');
  const heads = await page.locator('table#org-overview thead th').allInnerTexts();
  assert.deepEqual(heads, ['Organisation', 'Stage 1', 'Stage 2', 'Surveillance', 'Next audit', 'Overdue', 'Open NCs']);
  const got = await rows(page);
  assert.deepEqual(got.map((r) => r.slug), ['bluefin', 'northwind']);
  for (const r of got) {
    assert.equal(r.scores.length, 3, `${r.slug} has three scores`);
    assert.ok(r.scores.every((s) => Number.isInteger(s) && s >= 0 && s <= 100), `${r.slug}: ${r.scores}`);
    assert.deepEqual(r.scoreLinks, ['stage1', 'stage2', 'surveillance'].map((p) => `/o/${r.slug}/readiness/${p}`));
    assert.match(r.overdue, /^\d+$/);
    assert.match(r.ncs, /^\d+$/);
  }
  const northwind = got.find((r) => r.slug === 'northwind');
  assert.equal(northwind.name, DEMO.orgs.northwind);
  // Northwind is certified with its surveillance audits planned; Bluefin has none yet.
  assert.match(northwind.nextAudit, /^\d{4}-\d{2}-\d{2}/);
  assert.match(got.find((r) => r.slug === 'bluefin').nextAudit, /none planned/);

  // The same figures through the API.
  const res = await page.request.get('/api/v1/overview');
  assert.equal(res.status(), 200);
  const api = await res.json();
  assert.deepEqual(api.items.map((i) => i.org.slug), ['bluefin', 'northwind']);
  for (const item of api.items) {
    const row = got.find((r) => r.slug === item.org.slug);
    assert.deepEqual(item.readiness.map((g) => g.score), row.scores);
    assert.equal(String(item.overdue.total), row.overdue);
    assert.equal(String(item.open_nonconformities), row.ncs);
  }
  await shots.take(page, 'administrator');

  // The next audit leads to the audit, the name to the dashboard.
  const row = page.locator('table#org-overview tr[data-org="northwind"]');
  await clickAndWait(page, row.locator('td').nth(3).locator('a'));
  assert.match(pathOf(page), /^\/o\/northwind\/certification\/audits\/CBA-\d{3}$/);
  await page.goto('/orgs');
  await clickAndWait(page, page.locator('table#org-overview a[href="/o/northwind"]'));
  assert.equal(pathOf(page), '/o/northwind');
  await page.context().close();
});

test('a member of one organisation sees only that organisation', async () => {
  for (const [email, slug] of [[DEMO.bluefinOwner, 'bluefin'], [DEMO.viewer, 'northwind']]) {
    const { page, context } = await newPage(browser, server.url);
    await signIn(page, email);
    await page.goto('/orgs');
    const got = await rows(page);
    assert.deepEqual(got.map((r) => r.slug), [slug], email);
    assert.equal(got[0].scores.length, 3);
    const other = slug === 'bluefin' ? 'northwind' : 'bluefin';
    assert.equal(await page.locator(`a[href^="/o/${other}"]`).count(), 0, `${email} sees no link to ${other}`);
    const api = await (await page.request.get('/api/v1/overview')).json();
    assert.deepEqual(api.items.map((i) => i.org.slug), [slug]);
    assert.equal((await page.request.get(`/api/v1/orgs/${other}/dashboard`)).status(), 404);
    assert.equal((await page.request.get(`/o/${other}`)).status(), 404);
    await shots.take(page, `member-${slug}`);
    await context.close();
  }
});
