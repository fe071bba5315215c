// OSCAL export: the ISMS manager opens Northwind's controls page, reads the OSCAL panel
// and downloads each document: each parses as JSON, has its OSCAL top-level key and
// version 1.1.2, and carries the organisation's controls (Annex A and own, NW-…). The zip
// holds the same four files. Bluefin's owner downloads Bluefin's SSP, never Northwind's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer, unzip } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('37-oscal');

async function download(p, testId) {
  const [d] = await Promise.all([p.waitForEvent('download'), p.getByTestId(testId).click()]);
  const chunks = [];
  for await (const c of await d.createReadStream()) chunks.push(c);
  return { name: d.suggestedFilename(), bytes: Buffer.concat(chunks) };
}

const ROOTS = {
  ssp: 'system-security-plan',
  'assessment-results': 'assessment-results',
  poam: 'plan-of-action-and-milestones',
  catalog: 'catalog',
};

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await newPage(browser, server.url));
  await signIn(page, DEMO.ismsManager);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the controls page downloads each OSCAL document and the zip', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Controls', exact: true }));
  assert.equal(pathOf(page), '/o/northwind/controls');
  const panel = page.getByTestId('oscal');
  assert.match(await panel.innerText(), /NIST OSCAL 1\.1\.2/);
  await panel.scrollIntoViewIfNeeded();
  await shots.take(page, 'controls-oscal-panel');

  const docs = {};
  for (const [doc, root] of Object.entries(ROOTS)) {
    const { name, bytes } = await download(page, `oscal-${doc}`);
    assert.equal(name, `northwind-oscal-${doc}.json`);
    const json = JSON.parse(bytes.toString('utf8'));
    assert.deepEqual(Object.keys(json), [root], doc);
    assert.equal(json[root].metadata['oscal-version'], '1.1.2', doc);
    docs[doc] = { json: json[root], bytes };
  }
  // The SSP names the organisation's controls: applicable Annex A controls and own ones.
  const reqs = docs.ssp.json['control-implementation']['implemented-requirements'];
  const ids = reqs.map((r) => r['control-id']);
  assert.ok(ids.includes('a.5.15'), ids.join(', '));
  assert.ok(ids.some((i) => i.startsWith('NW-')), 'own controls');
  assert.equal(docs.ssp.json['import-profile'].href, 'catalog.json');
  // The catalog has the four themes and Northwind's own controls.
  const groups = docs.catalog.json.groups.map((g) => g.id);
  assert.deepEqual(groups, ['organizational', 'people', 'physical', 'technological', 'own']);
  assert.ok(docs['assessment-results'].json.results.length >= 1);
  assert.ok(docs.poam.json['poam-items'].length >= 1);

  const { name, bytes } = await download(page, 'oscal-zip');
  assert.equal(name, 'northwind-oscal.zip');
  const files = unzip(bytes);
  assert.deepEqual(files.map((f) => f.name), ['ssp.json', 'assessment-results.json', 'poam.json', 'catalog.json']);
  for (const f of files) {
    const doc = f.name.replace('.json', '');
    assert.ok(f.bytes.equals(docs[doc].bytes), `${f.name} is the single download`);
  }
});

test("Bluefin's owner gets Bluefin's documents only", async () => {
  const { page: p } = await newPage(browser, server.url);
  await signIn(p, DEMO.bluefinOwner);
  await p.goto('/o/bluefin/controls');
  const { bytes } = await download(p, 'oscal-ssp');
  const text = bytes.toString('utf8');
  assert.ok(!text.includes('Northwind'), 'no Northwind data');
  const ssp = JSON.parse(text)['system-security-plan'];
  assert.match(ssp.metadata.title, /Bluefin/);
  const r = await p.goto('/o/northwind/controls/oscal/ssp');
  assert.equal(r.status(), 404, 'another organisation: not found');
  await p.context().close();
});
