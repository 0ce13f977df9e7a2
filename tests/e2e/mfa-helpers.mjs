// mfa-helpers.mjs: what mfa.test.mjs and mfa-sdk.test.mjs share.
//
// - TOTP codes come only from Debian's oathtool (`oathtool --totp -b -N @<unix> SECRET`), never from a
//   JavaScript implementation, so the server's RFC 6238 code is checked against an independent one.
// - The server accepts the code of the current 30-second step only, and never a step it has already
//   accepted for that authenticator (SECURITY.md 8). totpCode() therefore waits, when needed, for the
//   next step boundary: legitimate waiting for a real event (a new step), never a timing assertion. It
//   also keeps a margin before the end of the step, so that the code is still current when the request
//   arrives.

import { execFileSync } from 'node:child_process';
import { sleep } from './lib.mjs';

export const STEP_MS = 30000;

/** The 30-second TOTP step of a time in ms (T0 = 0). */
export const stepAt = (ms) => Math.floor(ms / STEP_MS);

/** The 6-digit TOTP code of a base32 secret at a time (ms), computed by oathtool. */
export function oathtool(secret, atMs = Date.now()) {
  const out = execFileSync('oathtool', ['--totp', '-b', '-N', `@${Math.floor(atMs / 1000)}`, secret],
    { encoding: 'utf8' }).trim();
  if (!/^\d{6}$/.test(out)) throw new Error(`oathtool printed ${JSON.stringify(out)}`);
  return out;
}

/**
 * The code of the current step, for a step later than `after` (the last step the server accepted for
 * this authenticator, -1 for none) and with at least marginMs left in it: waits for the next step
 * boundary when the current step is too old or too close to its end (at most two boundaries, about a
 * minute). Returns { code, step }.
 */
export async function totpCode(secret, { after = -1, marginMs = 6000 } = {}) {
  for (let i = 0; i < 4; i++) {
    const now = Date.now();
    const step = stepAt(now);
    const left = (step + 1) * STEP_MS - now;
    if (step > after && left >= marginMs) return { code: oathtool(secret, now), step };
    await sleep(left + 100);
  }
  throw new Error(`no usable TOTP step after ${after}`);
}

/** RFC 3986 percent-encoding of everything but the unreserved characters (PHP rawurlencode). */
export const rawurlencode = (s) => encodeURIComponent(s)
  .replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);

/** The MFAFactors model's keys, in order. */
export const FACTORS_KEYS = ['totp', 'phone', 'email', 'recoveryCode'];
/** The MFA Challenge model's keys, in order. */
export const CHALLENGE_KEYS = ['$id', '$createdAt', 'userId', 'expire'];
/** A TOTP secret: 160 bits in RFC 4648 base32 without padding. */
export const TOTP_SECRET = /^[A-Z2-7]{32}$/;
/** One recovery code: 10 lower-case hex characters. */
export const RECOVERY_CODE = /^[0-9a-f]{10}$/;
