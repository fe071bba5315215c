// ISMS as code: Northwind's admin opens the settings page and downloads the whole
// organisation as a zip of YAML files: a README with the format version, one file per
// register, documents one file each, the evidence files by SHA-256; a second download
// gives the same bytes. A viewer is not offered the download.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DEMO, Shots, launchBrowser, newPage, pathOf, signIn, startServer, unzip } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('36-isms-as-code');

async function download(p) {
  const [d] = await Promise.all([p.waitForEvent('download'), p.getByTestId('isms-as-code').click()]);
  const chunks = [];
  for await (const c of await d.createReadStream()) chunks.push(c);
  return { name: d.suggestedFilename(), bytes: Buffer.concat(chunks) };
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await newPage(browser, server.url));
  await signIn(page, DEMO.admin);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the settings page downloads the whole organisation as YAML files in a zip', async () => {
  await page.goto('/o/northwind/settings');
  assert.equal(pathOf(page), '/o/northwind/settings');
  const panel = await page.locator('section', { has: page.getByRole('heading', { name: 'ISMS as code' }) }).innerText();
  assert.match(panel, /isms import yaml/);
  assert.match(panel, /audit trail, sessions, API tokens and password hashes are not included/);
  await page.getByRole('heading', { name: 'ISMS as code' }).scrollIntoViewIfNeeded();
  await shots.take(page, 'settings-page');

  const { name, bytes } = await download(page);
  assert.equal(name, 'northwind-isms-as-code.zip');
  assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PK\u0003\u0004', 'a zip file');
  const files = unzip(bytes);
  const names = files.map((f) => f.name);
  const prefix = 'northwind-isms-as-code/';
  assert.ok(names.every((n) => n.startsWith(prefix)), names.join(', '));
  assert.deepEqual(names, [...names].sort(), 'entries are sorted');
  for (const f of ['README.md', 'organisation.yaml', 'users.yaml', 'memberships.yaml', 'risks.yaml', 'assets.yaml',
    'control_implementations.yaml', 'soa_versions.yaml', 'soa_entries.yaml', 'documents.yaml', 'evidence.yaml',
    'incidents.yaml', 'suppliers.yaml', 'findings.yaml', 'corrective_actions.yaml', 'management_reviews.yaml',
    'audits.yaml', 'tasks.yaml', 'blobs.yaml']) {
    assert.ok(names.includes(prefix + f), `${f} is in the zip: ${names.join(', ')}`);
  }
  assert.ok(names.some((n) => n.startsWith(`${prefix}document_versions/`)), 'one file per document version');
  const readme = files.find((f) => f.name === `${prefix}README.md`).bytes.toString('utf8');
  assert.match(readme, /isms-as-code format version 1/);
  assert.match(readme, /Not exported: the audit trail, sessions, API tokens, recovery codes and password/);
  const risks = files.find((f) => f.name === `${prefix}risks.yaml`).bytes.toString('utf8');
  assert.match(risks, /^- key: R-001\n/);
  assert.match(risks, /owner_id: users\/[^\s]+@northwind\.example/);
  // Evidence files are there, named by their SHA-256.
  const blobs = files.filter((f) => f.name.startsWith(`${prefix}files/`));
  assert.ok(blobs.length > 0, 'evidence files');
  for (const b of blobs) {
    assert.equal(createHash('sha256').update(b.bytes).digest('hex'), b.name.slice(`${prefix}files/`.length));
  }
  const all = files.map((f) => f.bytes.toString('utf8')).join('\n');
  assert.ok(!all.includes('$argon2'), 'no password hash');

  const again = await download(page);
  assert.ok(again.bytes.equals(bytes), 'a second download gives the same bytes');
});

test('a viewer is not offered the whole organisation', async () => {
  const { page: p } = await newPage(browser, server.url);
  await signIn(p, DEMO.viewer);
  const r = await p.goto('/o/northwind/settings/isms-as-code.zip');
  assert.equal(r.status(), 403);
  await p.context().close();
});
