// The test's own RFC 6238 implementation, checked against the RFC's SHA-1 vectors,
// so a TOTP failure in the browser specs points at the product, not at the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base32Decode, currentStep, hotp, totpCode } from './helpers.mjs';

const SECRET_B32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // "12345678901234567890"

test('base32 decoding', () => {
  assert.equal(base32Decode(SECRET_B32).toString('ascii'), '12345678901234567890');
  assert.equal(base32Decode('gezd gnbv gy3t qojq gezd gnbv gy3t qojq').toString('ascii'), '12345678901234567890');
});

test('RFC 6238 appendix B vectors (SHA-1, 8 digits)', () => {
  const key = base32Decode(SECRET_B32);
  const vectors = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  for (const [t, want] of vectors) {
    assert.equal(hotp(key, Math.floor(t / 30), 8), want, `T=${t}`);
  }
});

test('6-digit codes and time steps', () => {
  assert.equal(totpCode(SECRET_B32, Math.floor(59 / 30)), '287082');
  assert.equal(currentStep(59_000), 1);
  assert.equal(currentStep(60_000), 2);
});
