// Shared helpers for the browser end-to-end specs.
//
// Each spec file starts its own `isms serve --demo` on a free port with a fresh data
// directory, drives headless Chromium through playwright-core, and writes full-page
// screenshots to e2e/output/ (or $E2E_OUTPUT).
//
// Environment:
//   ISMS_BIN               server binary (default ../target/debug/isms, relative to e2e/)
//   ISMS_E2E_DATABASE_URL  passed as --database (e.g. a PostgreSQL URL); default: SQLite
//                          in the fresh data directory
//   CHROMIUM               browser executable (default /usr/bin/chromium)
//   E2E_OUTPUT             screenshot folder (default e2e/output)

import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { inflateRawSync } from 'node:zlib';
import assert from 'node:assert/strict';

const E2E_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const ISMS_BIN = process.env.ISMS_BIN ? resolve(E2E_DIR, process.env.ISMS_BIN) : resolve(E2E_DIR, '../target/debug/isms');
export const OUTPUT_DIR = process.env.E2E_OUTPUT ? resolve(process.env.E2E_OUTPUT) : join(E2E_DIR, 'output');

/** The demo data loaded by `isms serve --demo`. */
export const DEMO = {
  password: 'northwind-demo-2026',
  admin: 'admin@northwind.example',
  ismsManager: 'isms.manager@northwind.example',
  contributor: 'contributor@northwind.example',
  internalAuditor: 'internal.auditor@northwind.example',
  externalAuditor: 'auditor@certbody.example',
  viewer: 'ceo@northwind.example',
  bluefinOwner: 'owner@bluefin.example',
  orgs: {
    northwind: 'Northwind Cloud Ltd',
    bluefin: 'Bluefin Analytics',
  },
};

/** A password good enough for new accounts (12+ characters). */
export const NEW_PASSWORD = 'correct-horse-battery-staple';

/** A short token that keeps e-mail addresses unique even against a shared database. */
export function uniq() {
  return `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
}

// ---------------------------------------------------------------------------------
// Server

/**
 * Start `isms serve --demo` on 127.0.0.1:0 with a fresh data directory and wait for
 * its "Listening on http://…" line. Returns { url, stop(), dataDir, log() }.
 */
export async function startServer({ timeoutMs = 60_000 } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'isms-e2e-'));
  const args = ['serve', '--demo', '--listen', '127.0.0.1:0', '--data-dir', dataDir];
  if (process.env.ISMS_E2E_DATABASE_URL) {
    args.push('--database', process.env.ISMS_E2E_DATABASE_URL);
  }
  const env = { ...process.env };
  // The server reads these too; keep the command line authoritative.
  delete env.ISMS_DATA_DIR;
  delete env.ISMS_DATABASE_URL;
  delete env.ISMS_LISTEN;
  const child = spawn(ISMS_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const lines = [];
  const log = () => lines.join('\n');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => lines.push(...String(d).trimEnd().split('\n').map((l) => `[stderr] ${l}`)));

  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not print "Listening on" within ${timeoutMs} ms:\n${log()}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${ISMS_BIN}: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal}):\n${log()}`));
    });
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      lines.push(line);
      const m = /^Listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1].replace(/\/$/, ''));
      }
    });
  });

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { url, stop, dataDir, log };
}

// ---------------------------------------------------------------------------------
// Browser

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

/**
 * A fresh browser context (its own cookie jar, i.e. its own sign-in) and a page in it.
 * Confirmation dialogs (forms with data-confirm) are accepted.
 */
export async function newPage(browser, baseURL, options = {}) {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 1280, height: 800 },
    locale: 'en-GB',
    ...options,
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  const page = await context.newPage();
  page.on('dialog', (d) => d.accept());
  return { context, page };
}

/**
 * Click something that submits a form or follows a link, and wait until the next
 * page has loaded. Returns the response of the final document (after redirects).
 */
export async function clickAndWait(page, target) {
  const locator = typeof target === 'string' ? page.locator(target) : target;
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
  return response;
}

/** Press a key (e.g. Enter in a form field) and wait for the resulting page load. */
export async function pressAndWait(page, selector, key) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.press(selector, key)]);
  return response;
}

/** Sign in through the /login form; returns the response of the page it lands on. */
export async function signIn(page, email, password = DEMO.password) {
  await page.goto('/login');
  await page.fill('#email', email);
  await page.fill('#password', password);
  return clickAndWait(page, page.getByRole('button', { name: 'Sign in' }));
}

/** Sign out with the header's "Sign out" button. */
export async function signOut(page) {
  return clickAndWait(page, page.locator('header form[action="/logout"] button'));
}

/** The path (without origin) of the page's current URL, plus the query. */
export function pathOf(page) {
  const u = new URL(page.url());
  return u.pathname + u.search;
}

// ---------------------------------------------------------------------------------
// Screenshots

/**
 * Full-page screenshots named `<prefix>-<nn>-<name>.png`, numbered in the order taken.
 * Old files with the same prefix are removed first so the folder mirrors the last run.
 */
export class Shots {
  constructor(prefix) {
    this.prefix = prefix;
    this.n = 0;
    mkdirSync(OUTPUT_DIR, { recursive: true });
    for (const f of readdirSync(OUTPUT_DIR)) {
      if (f.startsWith(`${prefix}-`) && f.endsWith('.png')) unlinkSync(join(OUTPUT_DIR, f));
    }
  }

  async take(page, name) {
    this.n += 1;
    const file = join(OUTPUT_DIR, `${this.prefix}-${String(this.n).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  }
}

// ---------------------------------------------------------------------------------
// TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second step)

export const TOTP_STEP_SECONDS = 30;

export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const idx = alphabet.indexOf(ch);
    if (idx < 0) throw new Error(`not a base32 character: ${JSON.stringify(ch)}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The HOTP value for a counter (RFC 4226), `digits` long. */
export function hotp(key, counter, digits = 6) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = createHmac('sha1', key).update(msg).digest();
  const o = h[h.length - 1] & 0x0f;
  const bin = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(bin % 10 ** digits).padStart(digits, '0');
}

/** The current 30-second time step. */
export function currentStep(nowMs = Date.now()) {
  return Math.floor(nowMs / 1000 / TOTP_STEP_SECONDS);
}

/** The 6-digit code for a base32 secret at a time step (default: now). */
export function totpCode(base32Secret, step = currentStep()) {
  return hotp(base32Decode(base32Secret), step);
}

/**
 * Wait until the time step is later than `usedStep` (the server refuses a code for a
 * step already used). Returns the new step.
 */
export async function waitForStepAfter(usedStep) {
  while (currentStep() <= usedStep) {
    const msIntoNext = (usedStep + 1) * TOTP_STEP_SECONDS * 1000 - Date.now();
    await sleep(Math.max(50, Math.min(msIntoNext + 50, 1_000)));
  }
  return currentStep();
}

/**
 * A code for a step that is not too close to a step boundary, so the server sees the
 * same step as the test. Returns { code, step }.
 */
export async function freshTotp(base32Secret) {
  const intoStep = (Date.now() / 1000) % TOTP_STEP_SECONDS;
  if (intoStep > TOTP_STEP_SECONDS - 2) await sleep((TOTP_STEP_SECONDS - intoStep + 0.1) * 1000);
  const step = currentStep();
  return { code: totpCode(base32Secret, step), step };
}

/** The files of a zip archive (stored or deflated entries), in archive order. */
export function unzip(buf) {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'no end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const files = [];
  for (let i = 0; i < count; i += 1) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50, 'central directory entry');
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + size);
    files.push({ name, bytes: method === 8 ? inflateRawSync(raw) : Buffer.from(raw) });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}
