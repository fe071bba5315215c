// Stage 1 document pack: the ISMS manager opens Northwind's certification page, reads what
// the pack holds and downloads it: a zip with a README, a manifest and SHA256SUMS, and
// each Stage 1 document as PDF and Markdown whose SHA-256 matches the sums. The external
// auditor (read-only) can download the same pack.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer, unzip } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('32-stage1-pack');

async function downloadPack(p) {
  const [download] = await Promise.all([
    p.waitForEvent('download'),
    p.getByTestId('stage1-pack').click(),
  ]);
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  return { name: download.suggestedFilename(), bytes: Buffer.concat(chunks) };
}

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

test('the certification page explains the pack and downloads it as a zip', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Certification', exact: true }));
  assert.equal(pathOf(page), '/o/northwind/certification');
  const panel = await page.locator('section', { has: page.getByRole('heading', { name: 'Stage 1 document pack' }) }).innerText();
  assert.match(panel, /Statement of Applicability \(6\.1\.3 d\)/);
  assert.match(panel, /missing or only in draft/);
  assert.match(panel, /sha256sum -c SHA256SUMS/);
  await page.getByRole('heading', { name: 'Stage 1 document pack' }).scrollIntoViewIfNeeded();
  await shots.take(page, 'certification-page');

  const { name, bytes } = await downloadPack(page);
  assert.match(name, /^northwind-stage1-pack-\d{4}-\d{2}-\d{2}\.zip$/);
  assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PK\u0003\u0004', 'a zip file');
  const files = unzip(bytes);
  assert.deepEqual(files.slice(0, 3).map((f) => f.name), ['README.md', 'manifest.json', 'SHA256SUMS']);
  const pdfs = files.filter((f) => f.name.endsWith('.pdf'));
  assert.equal(pdfs.length, 8, files.map((f) => f.name).join(', '));
  for (const f of pdfs) assert.equal(f.bytes.subarray(0, 4).toString(), '%PDF', f.name);
  // Every line of SHA256SUMS matches its file.
  const sums = files[2].bytes.toString('utf8').trim().split('\n');
  assert.equal(sums.length, files.length - 3);
  for (const line of sums) {
    const [hash, file] = line.split('  ');
    const f = files.find((x) => x.name === file);
    assert.ok(f, `${file} is in the zip`);
    assert.equal(createHash('sha256').update(f.bytes).digest('hex'), hash, file);
  }
  const manifest = JSON.parse(files[1].bytes.toString('utf8'));
  assert.equal(manifest.organisation, DEMO.orgs.northwind);
  assert.ok(manifest.items.every((i) => i.state === 'included'), 'a certified ISMS has them all');
  const readme = files[0].bytes.toString('utf8');
  assert.match(readme, /Every document Stage 1 reviews is included\./);
  assert.match(readme, /Only in draft, not included: O-005/);
});

test('the external auditor downloads the same pack', async () => {
  const { page: p } = await newPage(browser, server.url);
  await signIn(p, DEMO.externalAuditor);
  await p.goto('/o/northwind/certification');
  const { bytes } = await downloadPack(p);
  const names = unzip(bytes).map((f) => f.name);
  assert.ok(names.includes('04-soa-v1.pdf'), names.join(', '));
  await p.context().close();
});
