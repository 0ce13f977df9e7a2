// lifetimes/lifetimes.test.mjs: every token kind expires at the end of its configured lifetime.
//
// A stage of its own: scripts/test restarts the stack with 15-second lifetimes (LATCHKEY_RECOVERY_TTL,
// LATCHKEY_VERIFICATION_TTL, LATCHKEY_MAGIC_URL_TTL, LATCHKEY_OTP_TTL and LATCHKEY_MFA_FRESH all 15) and
// sets LATCHKEY_LIFETIMES=15 for this process; without that the file skips itself. Mail and SMS go to
// the suite's sinks, as in the main stage. (MFA is not served yet, so mfa_fresh has nothing to show.)
//
// Each kind is made twice, for fresh users, all at once: one token is used at once (it works: the flow
// and the secret are right), the other only after its expiry has passed (401 user_invalid_token).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, signUp, signIn, uniqueEmail, uniquePhone, strongPassword, sleep } from '../lib.mjs';
import { startSinks } from '../sinks.mjs';
import {
  tokenFlows, userWithPhone, redeemSignIn, redeemRecovery, redeemVerification, redeemPhoneVerification,
} from '../token-helpers.mjs';

const TTL_S = 15;
const SKIP = process.env.LATCHKEY_LIFETIMES === String(TTL_S) ? false
  : `needs the stack started with ${TTL_S}-second token lifetimes (LATCHKEY_LIFETIMES=${TTL_S}, set by scripts/test)`;

let sinks;
let flows;
before(async () => {
  if (SKIP) return;
  sinks = await startSinks();
  flows = tokenFlows(sinks);
});
after(async () => {
  await sinks?.stop();
});

/**
 * The kinds: make() creates one token for a fresh user and returns { token, secret, redeem() } where
 * redeem() uses the secret on its completing route; ok is the status of a successful use.
 */
const KINDS = {
  recovery: {
    ok: 200,
    async make() {
      const user = await signUp();
      const r = await flows.recovery(user.email);
      return { ...r, redeem: () => redeemRecovery(user.id, r.secret, strongPassword()) };
    },
  },
  'email verification': {
    ok: 200,
    async make() {
      const user = await signUp();
      const session = await signIn(user);
      const v = await flows.verification(session, user.email);
      return { ...v, redeem: () => redeemVerification(user.id, v.secret, { auth: session }) };
    },
  },
  'phone verification': {
    ok: 200,
    async make() {
      const { user, session, phone } = await userWithPhone();
      const v = await flows.phoneVerification(session, phone);
      return { ...v, redeem: () => redeemPhoneVerification(user.id, v.secret, { auth: session }) };
    },
  },
  'magic URL': {
    ok: 201,
    async make() {
      const m = await flows.magicLink(uniqueEmail('ttl-magic'));
      return { ...m, redeem: () => redeemSignIn(m.token.userId, m.secret) };
    },
  },
  'email OTP': {
    ok: 201,
    async make() {
      const o = await flows.emailOtp(uniqueEmail('ttl-otp'));
      return { ...o, redeem: () => redeemSignIn(o.token.userId, o.secret) };
    },
  },
  'phone OTP': {
    ok: 201,
    async make() {
      const o = await flows.phoneOtp(uniquePhone());
      return { ...o, redeem: () => redeemSignIn(o.token.userId, o.secret) };
    },
  },
};

describe(`token lifetimes of ${TTL_S} s (LATCHKEY_*_TTL)`, () => {
  it('every token kind lives about 15 s, works before that and is refused after', { skip: SKIP }, async (t) => {
    const names = Object.keys(KINDS);
    const made = await Promise.all(names.map(async (name) => {
      const [now, later] = await Promise.all([KINDS[name].make(), KINDS[name].make()]);
      return { name, now, later };
    }));

    // expire minus the moment the answer arrived (the server's $createdAt is shown alongside)
    const seen = {};
    const wrong = [];
    for (const { name, now, later } of made) {
      for (const t of [now, later]) {
        const left = (Date.parse(t.token.expire) - t.res.at) / 1000;
        const lifetime = (Date.parse(t.token.expire) - Date.parse(t.token.$createdAt)) / 1000;
        seen[name] = lifetime;
        if (!(left >= 10 && left <= 16)) wrong.push(`${name}: expires ${left} s after the answer (lifetime ${lifetime} s)`);
      }
    }
    assert.deepEqual(wrong, [], `every token lives about ${TTL_S} s`);

    // a use before the expiry works (unless a slow delivery ate the lifetime: then it shows nothing)
    for (const { name, now } of made) {
      if (Date.parse(now.token.expire) - Date.now() < 2000) {
        t.diagnostic(`${name}: the message came too late to use the token before it expired`);
        continue;
      }
      const res = await now.redeem();
      assert.equal(res.status, KINDS[name].ok, `${name} used at once: ${res.text}`);
    }

    // one wait until every remaining token is past its expiry, then each use is refused
    const last = Math.max(...made.map(({ later }) => Date.parse(later.token.expire)));
    await sleep(Math.max(0, last - Date.now()) + 2000);
    const got = {};
    for (const { name, later } of made) {
      const res = await later.redeem();
      got[name] = `${res.status} ${res.body?.type ?? res.text.slice(0, 80)}`;
      if (res.status === 401) assertError(res, 401, 'user_invalid_token');
    }
    assert.deepEqual(got, Object.fromEntries(names.map((n) => [n, '401 user_invalid_token'])),
      `each expired token is refused (lifetimes: ${JSON.stringify(seen)})`);
  });
});
