// mfa.test.mjs: multi-factor authentication by raw HTTP (spec ACCOUNT_ENDPOINTS 1.8, 1.9, 3.6 E38-E47;
// CONTRACT 1.9, 6.3, 6.7, 6.8; SECURITY.md 3, 7, 8, 17), against the SMTP and SMS sinks of sinks.mjs:
//
//  - every MFA route and each of its documented errors: PATCH /account/mfa, the factors, the TOTP
//    authenticator, recovery codes, challenges on the 1.6 path (/account/mfa/challenge) and the 1.8 one
//    (/account/mfa/challenges);
//  - enforcement: a session short of factors gets 401 user_more_factors_required outside the MFA group
//    through every transport (cookie, legacy cookie, X-Appwrite-Session, X-Fallback-Cookies) and through
//    a JWT minted from it (SECURITY.md 17); which sessions start with which factor;
//  - each challenge type end to end (email by the mail sink, phone by the SMS sink, totp by oathtool,
//    recovery codes), single use, TOTP replay refusal (SECURITY.md 8), authenticator removal, disabling;
//  - races: 20 concurrent answers to one challenge, and one recovery code raced by 20 sessions, elevate
//    exactly one session (SECURITY.md 7);
//  - the per-user guess limit on answers, which holds with abuse=0 (SECURITY.md 3), last, on its own user.
//
// Needs the stack of scripts/test's main e2e stage (LATCHKEY_ABUSE=0, mail to the suite's SMTP sink, SMS
// to its webhook sink) and oathtool (Debian package oathtool; scripts/test installs it). TOTP codes come
// from oathtool only; email and SMS codes from delivered messages only. SQL (LATCHKEY_MYSQL_DEFAULTS) is
// used to age a challenge or a session's last challenge, to give a project room for 20 sessions and to
// look at what is stored, never to read a secret; those tests are skipped without it.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROJECT, api, assertError, assertAccount, assertSession, signUp, signIn, newSignedIn, anonymous, whoami,
  sessionFrom, uniqueEmail, uniquePhone, strongPassword, sleep, sql, NO_SQL, createProject, dropProjects, DATETIME,
  SERVER_ID, assertTimeNear,
} from './lib.mjs';
import { startSinks, otpFrom, otpIn, mailBarrier, smsBarrier } from './sinks.mjs';
import {
  tokenFlows, setPhone, redeemSignIn, redeemRecovery, redeemVerification, redeemPhoneVerification,
} from './token-helpers.mjs';
import {
  oathtool, totpCode, STEP_MS, rawurlencode, FACTORS_KEYS, CHALLENGE_KEYS, TOTP_SECRET, RECOVERY_CODE,
} from './mfa-helpers.mjs';

let sinks;
let flows;
before(async () => {
  sinks = await startSinks();
  flows = tokenFlows(sinks);
});
after(async () => {
  await sinks?.stop();
  dropProjects();
});

const PROJECT_NAME = 'Demo'; // schema/demo.sql: the demo project's name, the TOTP issuer
const CHALLENGE_PATHS = ['/account/mfa/challenge', '/account/mfa/challenges'];
const quote = (s) => `'${String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const wrongCode = (code) => (code === '000000' ? '111111' : '000000');
const sorted = (list) => [...list].sort();

/** Waits, if needed, so that a test counting failures does not straddle an hourly window. */
async function awayFromHourEdge() {
  const toNextHour = 3600000 - (Date.now() % 3600000);
  if (toNextHour < 60000) await sleep(toNextHour + 200);
}

// ---------------------------------------------------------------------------------------------------
// Helpers (raw HTTP)
// ---------------------------------------------------------------------------------------------------

/** Request options that present a session (in its own project). */
const as = (session) => ({ auth: session, project: session.project });

const mfaSwitch = (session, mfa, opts = {}) => api('PATCH', '/account/mfa', { ...as(session), json: { mfa }, ...opts });
const factorsOf = (opts) => api('GET', '/account/mfa/factors', opts);

/** PATCH /account/mfa {mfa:true}; asserts 200 and the Account. */
async function enableMfa(session) {
  const res = await mfaSwitch(session, true);
  assert.equal(res.status, 200, `PATCH /account/mfa true: ${res.text}`);
  assertAccount(res.body, { mfa: true, $id: session.userId });
  return res.body;
}

/** The Session model of `sessionId` as seen from `viewer` (a session with all its factors). */
async function sessionSeenBy(viewer, sessionId = 'current') {
  const res = await api('GET', `/account/sessions/${sessionId}`, as(viewer));
  assert.equal(res.status, 200, `GET /account/sessions/${sessionId}: ${res.text}`);
  return assertSession(res.body);
}

/** Verifies the user's email with the link of the delivered verification mail. */
async function verifyEmail(user, session) {
  const v = await flows.verification(session, user.email);
  const res = await redeemVerification(user.id, v.secret, { auth: session });
  assert.equal(res.status, 200, `PUT /account/verification: ${res.text}`);
}

/** Sets a phone number (password users) and verifies it with the code of the delivered SMS. */
async function verifyPhone(user, session) {
  const phone = await setPhone(user, session);
  const v = await flows.phoneVerification(session, phone);
  const res = await redeemPhoneVerification(user.id, v.secret, { auth: session });
  assert.equal(res.status, 200, `PUT /account/verification/phone: ${res.text}`);
  return phone;
}

/** A password account with a verified email and a session: { user, session }. */
async function verifiedEmailUser() {
  const { user, session } = await newSignedIn();
  await verifyEmail(user, session);
  return { user, session };
}

/** POST /account/mfa/authenticators/totp; asserts 200 and the MFAType model. Returns { secret, uri }. */
async function newAuthenticator(session) {
  const res = await api('POST', '/account/mfa/authenticators/totp', as(session));
  assert.equal(res.status, 200, `POST /account/mfa/authenticators/totp: ${res.text}`);
  assert.deepEqual(Object.keys(res.body), ['secret', 'uri'], 'MFAType keys');
  assert.match(res.body.secret, TOTP_SECRET, 'a 160-bit base32 secret');
  return res.body;
}

/**
 * Adds and verifies a TOTP authenticator with the code oathtool computes for the current step.
 * Returns { secret, uri, step (the step the server accepted), account }.
 */
async function enrol(session) {
  const { secret, uri } = await newAuthenticator(session);
  const { code, step } = await totpCode(secret);
  const res = await api('PUT', '/account/mfa/authenticators/totp', { ...as(session), json: { otp: code } });
  assert.equal(res.status, 200, `PUT /account/mfa/authenticators/totp: ${res.text}`);
  return { secret, uri, step, code, account: assertAccount(res.body) };
}

/** POST a challenge; returns the raw response. */
const createChallenge = (session, factor, { path = CHALLENGE_PATHS[0], ...opts } = {}) =>
  api('POST', path, { ...as(session), json: { factor }, ...opts });

/** PUT an answer; returns the raw response. */
const answer = (session, challengeId, otp, { path = CHALLENGE_PATHS[0], ...opts } = {}) =>
  api('PUT', path, { ...as(session), json: { challengeId, otp }, ...opts });

/** Asserts an MFA Challenge answer (200; $id, $createdAt, userId, expire an hour later). Returns it. */
function assertChallenge(res, userId) {
  assert.equal(res.status, 200, `${res.method} ${res.path}: ${res.text}`);
  const c = res.body;
  assert.deepEqual(Object.keys(c), CHALLENGE_KEYS, 'MFA Challenge keys (in order)');
  assert.match(c.$id, SERVER_ID, 'challenge $id');
  assert.match(c.$createdAt, DATETIME);
  assert.match(c.expire, DATETIME);
  assert.equal(c.userId, userId);
  assert.equal(Date.parse(c.expire) - Date.parse(c.$createdAt), 3600 * 1000, 'expire = $createdAt + 3600 s');
  return c;
}

/** Creates a challenge that must succeed; returns its id. */
async function challengeId(session, factor, opts = {}) {
  return assertChallenge(await createChallenge(session, factor, opts), session.userId).$id;
}

/** An email challenge: { id, code (from the delivered mail), mail }. */
async function emailChallenge(session, email, { path, factor = 'email' } = {}) {
  const before = sinks.mail.to(email).length;
  const id = await challengeId(session, factor, { path });
  const mail = await sinks.mail.waitForMail(email, { nth: before });
  return { id, code: otpFrom(mail), mail };
}

/** A phone challenge: { id, code (from the delivered SMS), sms }. */
async function phoneChallenge(session, phone, { path, factor = 'phone' } = {}) {
  const before = sinks.sms.to(phone).length;
  const id = await challengeId(session, factor, { path });
  const sms = await sinks.sms.waitForSms(phone, { nth: before });
  return { id, code: otpIn(sms.message), sms };
}

/** Asserts a 200 answer: the Session model of the answering session, mfaUpdatedAt now. Returns it. */
function assertAnswered(res, session, factors) {
  assert.equal(res.status, 200, `${res.method} ${res.path}: ${res.text}`);
  const s = assertSession(res.body, { $id: session.id, userId: session.userId });
  assertTimeNear(s.mfaUpdatedAt, Date.now(), 60000, 'Session.mfaUpdatedAt');
  if (factors) assert.deepEqual(sorted(s.factors), sorted(factors), 'Session.factors');
  return s;
}

/** Completes an email challenge on `session`; returns the Session answer. */
async function completeEmail(session, email, factors) {
  const ch = await emailChallenge(session, email);
  return assertAnswered(await answer(session, ch.id, ch.code), session, factors);
}

/** Asserts 401 user_more_factors_required for GET /account with these request options. */
async function assertShort(opts) {
  assertError(await whoami(opts), 401, 'user_more_factors_required');
}

/** Asserts that GET /account works with these request options. */
async function assertFull(opts, userId) {
  const res = await whoami(opts);
  assert.equal(res.status, 200, `GET /account: ${res.text}`);
  assert.equal(res.body.$id, userId);
}

/** The four ways to present a session (spec 1.3): request headers for each. */
function transports(session) {
  const name = `a_session_${PROJECT}`;
  const encoded = encodeURIComponent(session.token);
  return {
    'cookie a_session_<project>': { Cookie: `${name}=${encoded}` },
    'cookie a_session_<project>_legacy': { Cookie: `${name}_legacy=${encoded}` },
    'X-Appwrite-Session': { 'X-Appwrite-Session': session.token },
    'X-Fallback-Cookies': { 'X-Fallback-Cookies': JSON.stringify({ [name]: session.token }) },
  };
}

/** A JWT of a session (POST /account/jwts); asserts 201. */
async function jwtOf(session) {
  const res = await api('POST', '/account/jwts', { ...as(session), json: {} });
  assert.equal(res.status, 201, `POST /account/jwts: ${res.text}`);
  return res.body.jwt;
}

/** POST /account/mfa/recovery-codes; asserts 200 and 6 distinct codes. Returns them. */
async function newRecoveryCodes(opts) {
  const res = await api('POST', '/account/mfa/recovery-codes', opts);
  assert.equal(res.status, 200, `POST /account/mfa/recovery-codes: ${res.text}`);
  return assertCodes(res.body);
}

function assertCodes(body) {
  assert.deepEqual(Object.keys(body), ['recoveryCodes'], 'MFA Recovery Codes keys');
  const codes = body.recoveryCodes;
  assert.equal(codes.length, 6, `6 codes: ${JSON.stringify(codes)}`);
  for (const c of codes) assert.match(c, RECOVERY_CODE, 'a code is 10 lower-case hex characters');
  assert.equal(new Set(codes).size, 6, 'codes are distinct');
  return codes;
}

/** A signed-in user whose second factor is a verified email, with MFA enabled from `session`. */
async function mfaEmailUser() {
  const { user, session } = await verifiedEmailUser();
  await enableMfa(session);
  return { user, session };
}

// ---------------------------------------------------------------------------------------------------
// E38 PATCH /account/mfa
// ---------------------------------------------------------------------------------------------------

describe('PATCH /account/mfa (E38)', () => {
  it('without a verified second factor it switches on and off freely and nothing is enforced', async () => {
    const { user, session } = await newSignedIn();
    const on = await enableMfa(session);
    assert.equal(on.emailVerification, false);
    assert.deepEqual((await sessionSeenBy(session)).factors, ['password'], 'no factor to add');
    // required = 1: the user has neither a verified email or phone nor a verified authenticator
    const other = await signIn(user);
    await assertFull({ auth: other }, user.id);
    const off = await mfaSwitch(other, false);
    assert.equal(off.status, 200, off.text);
    assertAccount(off.body, { mfa: false });
    assert.equal((await whoami({ auth: session })).body.mfa, false);
  });

  it('with a verified email it is enforced on new sessions, and the enabling session keeps access', async () => {
    const { user, session } = await verifiedEmailUser();
    await enableMfa(session);
    assert.deepEqual((await sessionSeenBy(session)).factors, ['password', 'email'],
      'the enabling session got the email factor');
    await assertFull({ auth: session }, user.id);
    const later = await signIn(user);
    await assertShort({ auth: later });
  });

  it('enabling gives the session every factor the user has (totp, email, phone), once each', async () => {
    const { user, session } = await verifiedEmailUser();
    await verifyPhone(user, session);
    await enrol(session); // session: password, totp
    const other = await signIn(user); // password
    await enableMfa(other);
    assert.deepEqual(sorted((await sessionSeenBy(other)).factors), sorted(['password', 'totp', 'email', 'phone']));
    // the enrolment session already holds totp: enabling again adds email and phone, not totp twice
    await enableMfa(session);
    const factors = (await sessionSeenBy(session)).factors;
    assert.deepEqual(sorted(factors), sorted(['password', 'totp', 'email', 'phone']), `no duplicate: ${factors}`);
  });

  it('needs a real session: a JWT gets 404 user_session_not_found, a guest 401', async () => {
    const { session } = await verifiedEmailUser();
    const jwt = await jwtOf(session);
    assertError(await api('PATCH', '/account/mfa', { jwt, json: { mfa: true } }), 404, 'user_session_not_found');
    assertError(await api('PATCH', '/account/mfa', { json: { mfa: true } }), 401, 'general_unauthorized_scope');
    assert.equal((await whoami({ auth: session })).body.mfa, false, 'nothing changed');
  });

  it('`mfa` is a required boolean: 400 general_argument_invalid', async () => {
    const { session } = await newSignedIn();
    assertError(await api('PATCH', '/account/mfa', { auth: session, json: {} }), 400, 'general_argument_invalid');
    assertError(await mfaSwitch(session, 'maybe'), 400, 'general_argument_invalid');
    assertError(await mfaSwitch(session, [true]), 400, 'general_argument_invalid');
  });

  it('disabling while a second factor exists needs a challenge completed within mfa_fresh', async () => {
    const { user, session } = await mfaEmailUser();
    // the enabling session holds two factors but has answered no challenge
    assertError(await mfaSwitch(session, false), 401, 'user_challenge_required');
    assert.equal((await whoami({ auth: session })).body.mfa, true, 'still on');
    const s = await completeEmail(session, user.email, ['password', 'email']);
    assert.match(s.mfaUpdatedAt, DATETIME);
    const off = await mfaSwitch(session, false);
    assert.equal(off.status, 200, off.text);
    assertAccount(off.body, { mfa: false });
    // nothing is enforced any more
    await assertFull({ auth: await signIn(user) }, user.id);
    // a short session of the enabled time became usable too; switching on again needs no challenge
    await enableMfa(session);
  });

  it('a challenge older than mfa_fresh (1800 s) no longer counts', { skip: NO_SQL }, async () => {
    const { user, session } = await mfaEmailUser();
    await completeEmail(session, user.email);
    const age = (seconds) => sql(`UPDATE sessions SET mfa_updated_at = UTC_TIMESTAMP(3) - INTERVAL ${seconds} SECOND` +
      ` WHERE project_id = ${quote(PROJECT)} AND id = ${quote(session.id)}`);
    age(1801);
    assertError(await mfaSwitch(session, false), 401, 'user_challenge_required');
    assertError(await api('GET', '/account/mfa/recovery-codes', { auth: session }), 401, 'user_challenge_required');
    assertError(await api('DELETE', '/account/mfa/authenticators/totp', { auth: session }), 401,
      'user_challenge_required');
    age(1700);
    assertError(await api('GET', '/account/mfa/recovery-codes', { auth: session }), 404, 'user_recovery_codes_not_found');
    const off = await mfaSwitch(session, false);
    assert.equal(off.status, 200, off.text);
  });
});

// ---------------------------------------------------------------------------------------------------
// E39 GET /account/mfa/factors
// ---------------------------------------------------------------------------------------------------

describe('GET /account/mfa/factors (E39)', () => {
  it('reports each factor once it is usable: verified email, verified phone, verified TOTP, recovery codes', async () => {
    const { user, session } = await newSignedIn();
    const check = async (expect, what) => {
      const res = await factorsOf({ auth: session });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body), FACTORS_KEYS, 'MFAFactors keys (in order)');
      assert.deepEqual(res.body, expect, what);
    };
    await check({ totp: false, phone: false, email: false, recoveryCode: false }, 'a new account');
    const phone = await setPhone(user, session);
    await check({ totp: false, phone: false, email: false, recoveryCode: false }, 'an unverified phone is no factor');
    const v = await flows.phoneVerification(session, phone);
    assert.equal((await redeemPhoneVerification(user.id, v.secret, { auth: session })).status, 200);
    await check({ totp: false, phone: true, email: false, recoveryCode: false }, 'verified phone');
    await verifyEmail(user, session);
    await check({ totp: false, phone: true, email: true, recoveryCode: false }, 'verified email');
    await newAuthenticator(session);
    await check({ totp: false, phone: true, email: true, recoveryCode: false }, 'an unverified authenticator is no factor');
    await enrol(session);
    await check({ totp: true, phone: true, email: true, recoveryCode: false }, 'verified authenticator');
    await newRecoveryCodes({ auth: session });
    await check({ totp: true, phone: true, email: true, recoveryCode: true }, 'recovery codes');
  });

  it('a JWT may read them; a guest gets 401 general_unauthorized_scope', async () => {
    const { session } = await verifiedEmailUser();
    const res = await factorsOf({ jwt: await jwtOf(session) });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { totp: false, phone: false, email: true, recoveryCode: false });
    assertError(await factorsOf({}), 401, 'general_unauthorized_scope');
  });
});

// ---------------------------------------------------------------------------------------------------
// E40-E42 the TOTP authenticator
// ---------------------------------------------------------------------------------------------------

describe('TOTP authenticator (E40-E42)', () => {
  it('POST answers a 160-bit base32 secret and otpauth://totp/<Issuer:label>?issuer=<Issuer>&secret=<secret>', async () => {
    const { user, session } = await newSignedIn();
    const { secret, uri } = await newAuthenticator(session);
    assert.equal(uri, `otpauth://totp/${rawurlencode(`${PROJECT_NAME}:${user.email}`)}` +
      `?issuer=${rawurlencode(PROJECT_NAME)}&secret=${secret}`);
    assert.equal(new URL(uri).searchParams.get('secret'), secret);
    assert.match(oathtool(secret), /^\d{6}$/, 'oathtool takes the secret');
    // creating does not verify: no factor, the user is unchanged
    assert.equal((await factorsOf({ auth: session })).body.totp, false);
    assert.equal((await whoami({ auth: session })).body.mfa, false);
  });

  it('the label is the phone for a user without email, the user id for an anonymous user', async () => {
    const phone = uniquePhone();
    const t = await flows.phoneOtp(phone); // a new user with a phone and no email
    const res = await redeemSignIn(t.token.userId, t.secret);
    assert.equal(res.status, 201, res.text);
    const byPhone = await newAuthenticator(sessionFrom(res));
    assert.equal(byPhone.uri, `otpauth://totp/${rawurlencode(`${PROJECT_NAME}:${phone}`)}` +
      `?issuer=${PROJECT_NAME}&secret=${byPhone.secret}`);
    const anon = await anonymous();
    const byId = await newAuthenticator(anon);
    assert.equal(byId.uri, `otpauth://totp/${rawurlencode(`${PROJECT_NAME}:${anon.userId}`)}` +
      `?issuer=${PROJECT_NAME}&secret=${byId.secret}`);
  });

  it('the type is exactly `totp`: TOTP → 400 "Unknown type." (404 on PUT), foo → 400', async () => {
    const { session } = await newSignedIn();
    assertError(await api('POST', '/account/mfa/authenticators/TOTP', { auth: session }), 400,
      'general_argument_invalid', 'Unknown type.');
    assertError(await api('POST', '/account/mfa/authenticators/foo', { auth: session }), 400,
      'general_argument_invalid');
    await newAuthenticator(session);
    assertError(await api('PUT', '/account/mfa/authenticators/TOTP', { auth: session, json: { otp: '123456' } }),
      404, 'user_authenticator_not_found');
    assertError(await api('PUT', '/account/mfa/authenticators/foo', { auth: session, json: { otp: '123456' } }),
      400, 'general_argument_invalid');
  });

  it('PUT without an authenticator → 404 user_authenticator_not_found; without `otp` → 400', async () => {
    const { session } = await newSignedIn();
    assertError(await api('PUT', '/account/mfa/authenticators/totp', { auth: session, json: { otp: '123456' } }),
      404, 'user_authenticator_not_found');
    await newAuthenticator(session);
    assertError(await api('PUT', '/account/mfa/authenticators/totp', { auth: session, json: {} }),
      400, 'general_argument_invalid');
  });

  it('PUT needs a real session: a JWT gets 404 user_session_not_found', async () => {
    const { session } = await newSignedIn();
    const { secret } = await newAuthenticator(session);
    const { code } = await totpCode(secret);
    const jwt = await jwtOf(session);
    assertError(await api('PUT', '/account/mfa/authenticators/totp', { jwt, json: { otp: code } }), 404,
      'user_session_not_found');
    assert.equal((await factorsOf({ auth: session })).body.totp, false, 'not verified by the JWT');
  });

  it('verifying adds totp to the session and the factors, and leaves mfa off', async () => {
    const { user, session } = await newSignedIn();
    const { account } = await enrol(session);
    assert.equal(account.$id, user.id);
    assert.equal(account.mfa, false, 'verifying an authenticator does not switch MFA on');
    assert.deepEqual((await sessionSeenBy(session)).factors, ['password', 'totp']);
    assert.equal((await factorsOf({ auth: session })).body.totp, true);
  });

  it('a second POST before verification replaces the key: the old key\'s code is refused, the new one\'s verifies', async () => {
    const { session } = await newSignedIn();
    const first = await newAuthenticator(session);
    const second = await newAuthenticator(session);
    assert.notEqual(second.secret, first.secret);
    const now = await totpCode(second.secret);
    const oldCode = oathtool(first.secret, now.step * STEP_MS);
    if (oldCode !== now.code) {
      assertError(await api('PUT', '/account/mfa/authenticators/totp', { auth: session, json: { otp: oldCode } }),
        401, 'user_invalid_token');
    }
    const res = await api('PUT', '/account/mfa/authenticators/totp', { auth: session, json: { otp: now.code } });
    assert.equal(res.status, 200, res.text);
  });

  it('only the code of the current 30-second step verifies: a wrong code and the previous and next steps\' are refused', async () => {
    const { session } = await newSignedIn();
    const { secret } = await newAuthenticator(session);
    const { code, step } = await totpCode(secret, { marginMs: 15000 });
    const others = new Set([wrongCode(code), oathtool(secret, (step - 1) * STEP_MS), oathtool(secret, (step + 1) * STEP_MS),
      String((Number(code) + 1) % 1000000).padStart(6, '0')]);
    others.delete(code);
    for (const otp of others) {
      assertError(await api('PUT', '/account/mfa/authenticators/totp', { auth: session, json: { otp } }),
        401, 'user_invalid_token');
    }
    assert.equal((await factorsOf({ auth: session })).body.totp, false);
    const res = await api('PUT', '/account/mfa/authenticators/totp', { auth: session, json: { otp: code } });
    assert.equal(res.status, 200, res.text);
  });

  it('once verified: POST and PUT → 409 user_authenticator_already_verified, and the key is kept', async () => {
    const { session } = await newSignedIn();
    const { secret } = await enrol(session);
    assertError(await api('POST', '/account/mfa/authenticators/totp', { auth: session }), 409,
      'user_authenticator_already_verified');
    assertError(await api('PUT', '/account/mfa/authenticators/totp', { auth: session, json: { otp: oathtool(secret) } }),
      409, 'user_authenticator_already_verified');
    assertError(await api('PUT', '/account/mfa/authenticators/totp', { auth: session, json: { otp: '000000' } }),
      409, 'user_authenticator_already_verified');
    assert.equal((await factorsOf({ auth: session })).body.totp, true);
  });

  it('DELETE needs a fresh challenge (401 user_challenge_required), then 204; 404 once gone; mfa and recovery codes stay', async () => {
    const { user, session } = await verifiedEmailUser();
    await enrol(session);
    await newRecoveryCodes({ auth: session });
    await enableMfa(session);
    assertError(await api('DELETE', '/account/mfa/authenticators/totp', { auth: session }), 401,
      'user_challenge_required');
    assert.equal((await factorsOf({ auth: session })).body.totp, true, 'still there');
    await completeEmail(session, user.email);
    const del = await api('DELETE', '/account/mfa/authenticators/totp', { auth: session });
    assert.equal(del.status, 204, del.text);
    assert.deepEqual((await factorsOf({ auth: session })).body,
      { totp: false, phone: false, email: true, recoveryCode: true });
    assert.equal((await whoami({ auth: session })).body.mfa, true, 'mfa stays on');
    assertError(await api('DELETE', '/account/mfa/authenticators/totp', { auth: session }), 404,
      'user_authenticator_not_found');
    // a new one can be added
    await newAuthenticator(session);
  });

  it('DELETE without an authenticator → 404 user_authenticator_not_found (with a fresh challenge)', async () => {
    const { user, session } = await verifiedEmailUser();
    await completeEmail(session, user.email);
    assertError(await api('DELETE', '/account/mfa/authenticators/totp', { auth: session }), 404,
      'user_authenticator_not_found');
  });

  it('when the authenticator was the only second factor, removing it ends enforcement', async () => {
    const { user, session } = await newSignedIn(); // email never verified
    await enrol(session);
    const codes = await newRecoveryCodes({ auth: session });
    await enableMfa(session);
    const later = await signIn(user);
    await assertShort({ auth: later });
    // a recovery code gives the new session its second factor and a fresh challenge
    const id = await challengeId(later, 'recoverycode');
    assertAnswered(await answer(later, id, codes[0]), later, ['password', 'recoverycode']);
    const del = await api('DELETE', '/account/mfa/authenticators/totp', { auth: later });
    assert.equal(del.status, 204, del.text);
    // mfa is still on, but no verified email, phone or authenticator is left: one factor is enough
    const third = await signIn(user);
    const me = await whoami({ auth: third });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.mfa, true);
  });
});

// ---------------------------------------------------------------------------------------------------
// E43-E45 recovery codes
// ---------------------------------------------------------------------------------------------------

describe('recovery codes (E43-E45)', () => {
  it('POST makes 6 codes of 10 lower-case hex once; again → 409 user_recovery_codes_already_exists', async () => {
    const { session } = await newSignedIn();
    const codes = await newRecoveryCodes({ auth: session });
    assertError(await api('POST', '/account/mfa/recovery-codes', { auth: session }), 409,
      'user_recovery_codes_already_exists');
    assert.equal((await factorsOf({ auth: session })).body.recoveryCode, true);
    assert.equal(codes.length, 6);
  });

  it('POST works with a JWT too (not MFA-protected)', async () => {
    const { session } = await newSignedIn();
    await newRecoveryCodes({ jwt: await jwtOf(session) });
    assert.equal((await factorsOf({ auth: session })).body.recoveryCode, true);
  });

  it('GET and PATCH need a challenge completed within mfa_fresh: 401 user_challenge_required', async () => {
    const { session } = await newSignedIn();
    await newRecoveryCodes({ auth: session });
    assertError(await api('GET', '/account/mfa/recovery-codes', { auth: session }), 401, 'user_challenge_required');
    assertError(await api('PATCH', '/account/mfa/recovery-codes', { auth: session }), 401, 'user_challenge_required');
    const jwt = await jwtOf(session);
    assertError(await api('GET', '/account/mfa/recovery-codes', { jwt }), 401, 'user_challenge_required');
  });

  it('GET and PATCH without codes → 404 user_recovery_codes_not_found', async () => {
    const { user, session } = await verifiedEmailUser();
    await completeEmail(session, user.email);
    assertError(await api('GET', '/account/mfa/recovery-codes', { auth: session }), 404, 'user_recovery_codes_not_found');
    assertError(await api('PATCH', '/account/mfa/recovery-codes', { auth: session }), 404,
      'user_recovery_codes_not_found');
  });

  it('GET shows the codes; PATCH replaces them: the old ones stop working, the new ones work', async () => {
    const { user, session } = await verifiedEmailUser();
    const old = await newRecoveryCodes({ auth: session });
    await completeEmail(session, user.email);
    const got = await api('GET', '/account/mfa/recovery-codes', { auth: session });
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(assertCodes(got.body), old);
    const patched = await api('PATCH', '/account/mfa/recovery-codes', { auth: session });
    assert.equal(patched.status, 200, patched.text);
    const fresh = assertCodes(patched.body);
    for (const c of fresh) assert.ok(!old.includes(c), `new code ${c} is not an old one`);
    assert.deepEqual(assertCodes((await api('GET', '/account/mfa/recovery-codes', { auth: session })).body), fresh);
    await enableMfa(session);
    const later = await signIn(user);
    const id = await challengeId(later, 'recoverycode');
    assertError(await answer(later, id, old[0]), 401, 'user_invalid_token');
    await assertShort({ auth: later });
    assertAnswered(await answer(later, id, fresh[0]), later, ['password', 'recoverycode']);
    await assertFull({ auth: later }, user.id);
  });

  it('each code works once: used in one session, refused in another, and gone from the list', async () => {
    const { user, session } = await verifiedEmailUser();
    const codes = await newRecoveryCodes({ auth: session });
    await enableMfa(session);
    const b = await signIn(user);
    await assertShort({ auth: b });
    const idB = await challengeId(b, 'recoverycode', { path: '/account/mfa/challenges' });
    assertAnswered(await answer(b, idB, codes[0], { path: '/account/mfa/challenges' }), b, ['password', 'recoverycode']);
    await assertFull({ auth: b }, user.id);
    const c = await signIn(user);
    const idC = await challengeId(c, 'recoverycode');
    assertError(await answer(c, idC, codes[0]), 401, 'user_invalid_token');
    await assertShort({ auth: c });
    assertAnswered(await answer(c, idC, codes[1]), c, ['password', 'recoverycode']);
    const left = await api('GET', '/account/mfa/recovery-codes', { auth: c });
    assert.equal(left.status, 200, left.text);
    assert.deepEqual(sorted(left.body.recoveryCodes), sorted(codes.slice(2)), 'the two used codes are gone');
    // upper case is not the code
    const d = await signIn(user);
    const idD = await challengeId(d, 'recoverycode');
    assertError(await answer(d, idD, codes[2].toUpperCase()), 401, 'user_invalid_token');
  });

  it('once all six are used none exist: factors.recoveryCode false, GET and PATCH 404, POST makes new ones', async () => {
    // Appwrite tests the list for emptiness everywhere (listMfaFactors: count > 0; create: 409 only when
    // not empty; get and update: 404 when empty); spec E39 "recovery codes exist", E45 "No codes → 404"
    const { user, session } = await verifiedEmailUser();
    const codes = await newRecoveryCodes({ auth: session });
    let last;
    for (const code of codes) {
      last = await signIn(user);
      const id = await challengeId(last, 'recoverycode');
      assertAnswered(await answer(last, id, code), last, ['password', 'recoverycode']);
    }
    // `last` answered a challenge a moment ago: fresh for the MFA-protected routes
    assert.deepEqual((await factorsOf({ auth: last })).body,
      { totp: false, phone: false, email: true, recoveryCode: false }, 'no recovery code is left');
    assertError(await api('GET', '/account/mfa/recovery-codes', { auth: last }), 404, 'user_recovery_codes_not_found');
    assertError(await api('PATCH', '/account/mfa/recovery-codes', { auth: last }), 404, 'user_recovery_codes_not_found');
    const fresh = await newRecoveryCodes({ auth: last });
    for (const c of fresh) assert.ok(!codes.includes(c));
  });

  it('the factor name is case-insensitive: recoveryCode and RECOVERYCODE challenges complete', async () => {
    const { user, session } = await verifiedEmailUser();
    const codes = await newRecoveryCodes({ auth: session });
    await enableMfa(session);
    for (const [i, factor] of ['recoveryCode', 'RECOVERYCODE'].entries()) {
      const s = await signIn(user);
      const id = await challengeId(s, factor);
      const res = await answer(s, id, codes[i]);
      const body = assertAnswered(res, s);
      assert.equal(body.factors.length, 2, `two factors: ${body.factors}`);
      assert.equal(body.factors[0], 'password');
      assert.equal(body.factors[1].toLowerCase(), 'recoverycode');
      await assertFull({ auth: s }, user.id);
    }
  });

  it('SECURITY.md 7: recovery codes and the TOTP key are not stored in clear', { skip: NO_SQL }, async () => {
    const { user, session } = await newSignedIn();
    const { secret } = await enrol(session);
    const codes = await newRecoveryCodes({ auth: session });
    const [keyHex, codesHex] = sql(`SELECT HEX(totp_secret), HEX(mfa_recovery_codes) FROM users` +
      ` WHERE project_id = ${quote(PROJECT)} AND id = ${quote(user.id)}`).trim().split('\t');
    assert.ok(keyHex.length > 0 && codesHex.length > 0, 'both stored');
    const hexOf = (s) => Buffer.from(s, 'utf8').toString('hex').toUpperCase();
    assert.ok(!keyHex.includes(hexOf(secret)), 'the base32 secret is not stored');
    assert.ok(!keyHex.includes(base32Decode(secret).toString('hex').toUpperCase()), 'the key bytes are not stored');
    for (const c of codes) assert.ok(!codesHex.includes(hexOf(c)), `code ${c} is not stored in clear`);
  });
});

/** RFC 4648 base32 (no padding) to bytes. */
function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of s) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// ---------------------------------------------------------------------------------------------------
// E46/E47 challenges
// ---------------------------------------------------------------------------------------------------

describe('challenges (E46, E47)', () => {
  it('POST answers the MFA Challenge model on both paths', async () => {
    const { user, session } = await newSignedIn();
    for (const path of CHALLENGE_PATHS) {
      for (const factor of ['totp', 'recoverycode']) {
        const res = await createChallenge(session, factor, { path });
        const c = assertChallenge(res, user.id);
        assertTimeNear(c.$createdAt, Date.now(), 60000, 'challenge $createdAt');
      }
    }
  });

  it('`factor` is required and one of email, phone, totp, recoverycode: else 400 general_argument_invalid', async () => {
    const { session } = await verifiedEmailUser();
    for (const path of CHALLENGE_PATHS) {
      assertError(await api('POST', path, { auth: session, json: {} }), 400, 'general_argument_invalid');
      for (const factor of ['sms', 'password', 'totp ', '', 'recovery-code']) {
        assertError(await createChallenge(session, factor, { path }), 400, 'general_argument_invalid');
      }
    }
  });

  it('email: 400 user_email_not_found without an email, 400 user_email_not_verified before verification', async () => {
    const anon = await anonymous();
    assertError(await createChallenge(anon, 'email'), 400, 'user_email_not_found');
    const { session } = await newSignedIn();
    assertError(await createChallenge(session, 'email'), 400, 'user_email_not_verified');
    assertError(await createChallenge(session, 'email', { path: '/account/mfa/challenges' }), 400,
      'user_email_not_verified');
  });

  it('phone: 400 user_phone_not_found without a phone, 400 user_phone_not_verified before verification', async () => {
    const { user, session } = await newSignedIn();
    assertError(await createChallenge(session, 'phone'), 400, 'user_phone_not_found');
    await setPhone(user, session);
    assertError(await createChallenge(session, 'phone'), 400, 'user_phone_not_verified');
    assertError(await createChallenge(session, 'phone', { path: '/account/mfa/challenges' }), 400,
      'user_phone_not_verified');
  });

  it('a guest gets 401 general_unauthorized_scope on POST and PUT', async () => {
    for (const path of CHALLENGE_PATHS) {
      assertError(await api('POST', path, { json: { factor: 'totp' } }), 401, 'general_unauthorized_scope');
      assertError(await api('PUT', path, { json: { challengeId: 'x', otp: '123456' } }), 401,
        'general_unauthorized_scope');
    }
  });

  for (const path of CHALLENGE_PATHS) {
    it(`email end to end on ${path}: the mfaChallenge mail's code completes it`, async () => {
      const { user, session } = await mfaEmailUser();
      const later = await signIn(user);
      await assertShort({ auth: later });
      const ch = await emailChallenge(later, user.email, { path });
      assert.equal(ch.mail.subject, `Verification Code for ${PROJECT_NAME}`);
      assert.deepEqual(ch.mail.to.map((t) => t.address), [user.email.toLowerCase()]);
      const s = assertAnswered(await answer(later, ch.id, ch.code, { path }), later, ['password', 'email']);
      assert.equal(s.provider, 'email');
      await assertFull({ auth: later }, user.id);
      assert.deepEqual((await sessionSeenBy(session, later.id)).factors, ['password', 'email']);
    });

    it(`phone end to end on ${path}: the SMS code completes it`, async () => {
      const { user, session } = await newSignedIn();
      const phone = await verifyPhone(user, session);
      await enableMfa(session);
      assert.deepEqual((await sessionSeenBy(session)).factors, ['password', 'phone']);
      const later = await signIn(user);
      await assertShort({ auth: later });
      const ch = await phoneChallenge(later, phone, { path });
      assert.equal(ch.sms.to, phone);
      assertAnswered(await answer(later, ch.id, ch.code, { path }), later, ['password', 'phone']);
      await assertFull({ auth: later }, user.id);
    });
  }

  it('the factor is case-insensitive: EMAIL and Phone challenges send their codes and complete', async () => {
    const { user, session } = await verifiedEmailUser();
    const phone = await verifyPhone(user, session);
    const a = await signIn(user);
    const e = await emailChallenge(a, user.email, { factor: 'EMAIL' });
    assertAnswered(await answer(a, e.id, e.code), a, ['password', 'email']);
    const p = await phoneChallenge(a, phone, { factor: 'Phone' });
    assertAnswered(await answer(a, p.id, p.code), a, ['password', 'email', 'phone']);
  });

  it('a wrong code keeps the challenge: the right code then completes it; a consumed challenge cannot be reused', async () => {
    const { user } = await mfaEmailUser();
    const s = await signIn(user);
    const ch = await emailChallenge(s, user.email);
    assertError(await answer(s, ch.id, wrongCode(ch.code)), 401, 'user_invalid_token');
    assertError(await answer(s, ch.id, ''), 400, 'general_argument_invalid');
    await assertShort({ auth: s });
    assertAnswered(await answer(s, ch.id, ch.code), s, ['password', 'email']);
    assertError(await answer(s, ch.id, ch.code), 401, 'user_invalid_token');
    assertError(await answer(s, ch.id, ch.code, { path: '/account/mfa/challenges' }), 401, 'user_invalid_token');
  });

  it('`challengeId` and `otp` are required: 400 general_argument_invalid', async () => {
    const { user } = await mfaEmailUser();
    const s = await signIn(user);
    const ch = await emailChallenge(s, user.email);
    for (const path of CHALLENGE_PATHS) {
      assertError(await api('PUT', path, { auth: s, json: { otp: ch.code } }), 400, 'general_argument_invalid');
      assertError(await api('PUT', path, { auth: s, json: { challengeId: ch.id } }), 400, 'general_argument_invalid');
      assertError(await api('PUT', path, { auth: s, json: { challengeId: ch.id, otp: '1'.repeat(257) } }), 400,
        'general_argument_invalid');
      assertError(await api('POST', path, { auth: s, json: { factor: 'e'.repeat(300) } }), 400,
        'general_argument_invalid');
    }
    assertAnswered(await answer(s, ch.id, ch.code), s, ['password', 'email']);
  });

  it('an unknown challenge, another session\'s and another user\'s → 401 user_invalid_token', async () => {
    const { user } = await mfaEmailUser();
    const a = await signIn(user);
    const b = await signIn(user);
    assertError(await answer(a, 'a'.repeat(20), '123456'), 401, 'user_invalid_token');
    const ch = await emailChallenge(a, user.email);
    // b has the right code but did not ask: refused, and the challenge is still a's
    assertError(await answer(b, ch.id, ch.code), 401, 'user_invalid_token');
    await assertShort({ auth: b });
    const other = await mfaEmailUser();
    const o = await signIn(other.user);
    assertError(await answer(o, ch.id, ch.code), 401, 'user_invalid_token');
    assertAnswered(await answer(a, ch.id, ch.code), a, ['password', 'email']);
  });

  it('an expired challenge → 401 user_invalid_token', { skip: NO_SQL }, async () => {
    const { user } = await mfaEmailUser();
    const s = await signIn(user);
    const ch = await emailChallenge(s, user.email);
    sql(`UPDATE mfa_challenges SET expire = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND WHERE project_id = ${quote(PROJECT)}` +
      ` AND id = ${quote(ch.id)}`);
    assertError(await answer(s, ch.id, ch.code), 401, 'user_invalid_token');
    await assertShort({ auth: s });
  });

  it('PUT needs a real session: a JWT gets 404 user_session_not_found and leaves the challenge', async () => {
    const { user, session } = await verifiedEmailUser();
    const ch = await emailChallenge(session, user.email);
    const jwt = await jwtOf(session);
    for (const path of CHALLENGE_PATHS) {
      assertError(await api('PUT', path, { jwt, json: { challengeId: ch.id, otp: ch.code } }), 404,
        'user_session_not_found');
    }
    assertAnswered(await answer(session, ch.id, ch.code), session, ['password', 'email']);
  });

  it('totp and recoverycode challenges send nothing; refused email and phone challenges send nothing', async () => {
    const { user, session } = await verifiedEmailUser();
    const phone = await setPhone(user, session); // not verified
    const mails = sinks.mail.to(user.email).length;
    await challengeId(session, 'totp');
    await challengeId(session, 'recoverycode', { path: '/account/mfa/challenges' });
    assertError(await createChallenge(session, 'phone'), 400, 'user_phone_not_verified');
    const unverified = await newSignedIn();
    assertError(await createChallenge(unverified.session, 'email'), 400, 'user_email_not_verified');
    await mailBarrier(sinks.mail);
    await smsBarrier(sinks.sms);
    assert.equal(sinks.mail.to(user.email).length, mails, 'no mail for totp or recoverycode challenges');
    assert.equal(sinks.mail.to(unverified.user.email).length, 0, 'no mail to an unverified address');
    assert.equal(sinks.sms.to(phone).length, 0, 'no SMS to an unverified phone');
  });

  it('the security log: user.update for MFA and the authenticator, challenge.create, challenges.update; no row for refusals', async () => {
    const { user, session } = await newSignedIn();
    const { secret } = await newAuthenticator(session);
    assertError(await api('PUT', '/account/mfa/authenticators/totp', { auth: session, json: { otp: wrongCode(oathtool(secret)) } }),
      401, 'user_invalid_token');
    const { code } = await totpCode(secret);
    assert.equal((await api('PUT', '/account/mfa/authenticators/totp', { auth: session, json: { otp: code } })).status, 200);
    const codes = await newRecoveryCodes({ auth: session });
    await enableMfa(session);
    const b = await signIn(user);
    const id = await challengeId(b, 'recoverycode');
    assertError(await answer(b, id, wrongCode(codes[0])), 401, 'user_invalid_token');
    assertAnswered(await answer(b, id, codes[0]), b, ['password', 'recoverycode']);
    const logs = await api('GET', '/account/logs', { auth: b });
    assert.equal(logs.status, 200, logs.text);
    assert.deepEqual(logs.body.logs.map((l) => l.event), ['challenges.update', 'challenge.create', 'session.create',
      'user.update', 'user.update', 'session.create', 'user.create'],
      'newest first: the answer, the challenge, the sign-in, MFA on, the authenticator verified');
    for (const l of logs.body.logs) assert.equal(l.userId, user.id);
  });

  it('a totp challenge cannot be completed without a verified authenticator', async () => {
    const { session } = await newSignedIn();
    const { secret } = await newAuthenticator(session); // not verified
    const id = await challengeId(session, 'totp');
    const { code } = await totpCode(secret);
    assertError(await answer(session, id, code), 401, 'user_invalid_token');
    assert.equal((await factorsOf({ auth: session })).body.totp, false);
  });
});

// ---------------------------------------------------------------------------------------------------
// Enforcement (spec 1.9, SECURITY.md 17)
// ---------------------------------------------------------------------------------------------------

describe('enforcement: a session short of factors (spec 1.9)', () => {
  /** Routes outside the MFA group, with a body where they take one. */
  // (the password of the account is known to whoever holds a password-only session)
  const OUTSIDE = (user) => [
    ['GET', '/account'],
    ['PATCH', '/account/name', { name: 'Short Of Factors' }],
    ['GET', '/account/sessions'],
    ['GET', '/account/sessions/current'],
    ['PATCH', '/account/sessions/current'],
    ['POST', '/account/jwts', {}],
    ['POST', '/account/jwt', {}],
    ['GET', '/account/prefs'],
    ['PATCH', '/account/prefs', { prefs: { short: true } }],
    ['GET', '/account/logs'],
    ['GET', '/account/identities'],
    // an email change would leave the account without a verified second factor
    ['PATCH', '/account/email', { email: uniqueEmail('takeover'), password: user.password }],
    ['PATCH', '/account/password', { password: strongPassword(), oldPassword: user.password }],
    ['POST', '/account/verification', { url: 'http://localhost/verify' }],
    ['PATCH', '/account/mfa', { mfa: false }],
    ['POST', '/account/mfa/authenticators/totp'],
    ['PUT', '/account/mfa/authenticators/totp', { otp: '123456' }],
    ['DELETE', '/account/mfa/authenticators/totp'],
    ['POST', '/account/mfa/recovery-codes'],
    ['GET', '/account/mfa/recovery-codes'],
    ['PATCH', '/account/mfa/recovery-codes'],
    ['DELETE', '/account/sessions'],
  ];

  it('gets 401 user_more_factors_required outside the MFA group, through every transport, and changes nothing', async () => {
    const { user, session } = await mfaEmailUser();
    const short = await signIn(user);
    for (const [what, headers] of Object.entries(transports(short))) {
      for (const [method, path, json] of OUTSIDE(user)) {
        const res = await api(method, path, { headers, json });
        assert.equal(res.status, 401, `${what}: ${method} ${path}: ${res.text}`);
        assertError(res, 401, 'user_more_factors_required');
      }
      // the MFA group stays open on this transport
      const f = await factorsOf({ headers });
      assert.equal(f.status, 200, `${what}: GET /account/mfa/factors ${f.text}`);
    }
    const me = await whoami({ auth: session });
    assert.equal(me.body.name, user.name, 'the name did not change');
    assert.equal(me.body.email, user.email.toLowerCase(), 'the email did not change');
    assert.equal(me.body.emailVerification, true);
    assert.equal(me.body.passwordUpdate, user.account.passwordUpdate, 'the password did not change');
    assert.deepEqual(me.body.prefs, {}, 'the prefs did not change');
    assert.equal(me.body.mfa, true, 'mfa is still on');
    assert.equal((await factorsOf({ auth: session })).body.recoveryCode, false, 'no recovery codes were made');
    const sessions = await api('GET', '/account/sessions', { auth: session });
    assert.equal(sessions.body.total, 2, 'DELETE /account/sessions removed nothing');
    // once the challenge is done every transport works
    await completeEmail(short, user.email, ['password', 'email']);
    for (const [what, headers] of Object.entries(transports(short))) {
      const res = await whoami({ headers });
      assert.equal(res.status, 200, `${what}: ${res.text}`);
    }
  });

  it('may list the factors, create and answer challenges and sign out while short', async () => {
    const { user } = await mfaEmailUser();
    const short = await signIn(user);
    const f = await factorsOf({ auth: short });
    assert.equal(f.status, 200, f.text);
    assert.deepEqual(f.body, { totp: false, phone: false, email: true, recoveryCode: false });
    for (const path of CHALLENGE_PATHS) {
      const ch = await emailChallenge(short, user.email, { path });
      // a refused answer is user_invalid_token, not user_more_factors_required: the route is open
      assertError(await answer(short, ch.id, wrongCode(ch.code), { path }), 401, 'user_invalid_token');
    }
    const bye = await api('DELETE', '/account/sessions/current', { auth: short });
    assert.equal(bye.status, 204, bye.text);
    assertError(await whoami({ auth: short }), 401, 'general_unauthorized_scope');
    const other = await signIn(user);
    const byId = await api('DELETE', `/account/sessions/${other.id}`, { auth: other });
    assert.equal(byId.status, 204, byId.text);
    assertError(await whoami({ auth: other }), 401, 'general_unauthorized_scope');
  });

  it('SECURITY.md 17: a JWT minted before MFA was enabled is refused while its session lacks a factor', async () => {
    const { user, session: a } = await verifiedEmailUser();
    const jwtA = await jwtOf(a); // MFA off: a is complete
    await assertFull({ jwt: jwtA }, user.id);
    const b = await signIn(user);
    await enableMfa(b); // b gets the email factor; a does not
    await assertShort({ auth: a });
    assertError(await whoami({ jwt: jwtA }), 401, 'user_more_factors_required');
    assertError(await api('PATCH', '/account/name', { jwt: jwtA, json: { name: 'Via JWT' } }), 401,
      'user_more_factors_required');
    assertError(await api('GET', '/account/sessions', { jwt: jwtA }), 401, 'user_more_factors_required');
    // the MFA group is open to it
    assert.equal((await factorsOf({ jwt: jwtA })).status, 200);
    // a JWT of the complete session works
    const jwtB = await jwtOf(b);
    await assertFull({ jwt: jwtB }, user.id);
    // once a completes a challenge, its JWT works again
    await completeEmail(a, user.email, ['password', 'email']);
    await assertFull({ jwt: jwtA }, user.id);
    assert.equal((await whoami({ auth: b })).body.name, user.name, 'the name was never changed');
  });

  it('an email-OTP session has `email`: an email challenge adds nothing, a phone challenge completes it', async () => {
    const { user, session } = await verifiedEmailUser();
    const phone = await verifyPhone(user, session);
    await enableMfa(session);
    const otp = await flows.emailOtp(user.email, { userId: user.id });
    const res = await redeemSignIn(user.id, otp.secret);
    assert.equal(res.status, 201, res.text);
    const s = sessionFrom(res);
    assert.deepEqual(res.body.factors, ['email']);
    await assertShort({ auth: s });
    await completeEmail(s, user.email, ['email']);
    await assertShort({ auth: s });
    const p = await phoneChallenge(s, phone);
    assertAnswered(await answer(s, p.id, p.code), s, ['email', 'phone']);
    await assertFull({ auth: s }, user.id);
  });

  it('a magic-URL session has `email`: an email challenge adds nothing, a recovery code completes it', async () => {
    const { user, session } = await verifiedEmailUser();
    const codes = await newRecoveryCodes({ auth: session });
    await enableMfa(session);
    const link = await flows.magicLink(user.email, { userId: user.id });
    const res = await redeemSignIn(user.id, link.secret);
    assert.equal(res.status, 201, res.text);
    const s = sessionFrom(res);
    assert.deepEqual(res.body.factors, ['email']);
    await assertShort({ auth: s });
    await completeEmail(s, user.email, ['email']);
    await assertShort({ auth: s });
    const id = await challengeId(s, 'recoverycode');
    assertAnswered(await answer(s, id, codes[0]), s, ['email', 'recoverycode']);
    await assertFull({ auth: s }, user.id);
  });

  it('a phone-OTP session has `phone`: a phone challenge adds nothing, an email challenge completes it', async () => {
    const { user, session } = await verifiedEmailUser();
    const phone = await verifyPhone(user, session);
    await enableMfa(session);
    const otp = await flows.phoneOtp(phone, { userId: user.id });
    const res = await redeemSignIn(user.id, otp.secret);
    assert.equal(res.status, 201, res.text);
    const s = sessionFrom(res);
    assert.deepEqual(res.body.factors, ['phone']);
    await assertShort({ auth: s });
    const p = await phoneChallenge(s, phone);
    assertAnswered(await answer(s, p.id, p.code), s, ['phone']);
    await assertShort({ auth: s });
    await completeEmail(s, user.email, ['phone', 'email']);
    await assertFull({ auth: s }, user.id);
  });

  it('after a password reset new sessions still need the second factor', async () => {
    const { user } = await mfaEmailUser();
    const rec = await flows.recovery(user.email);
    const password = strongPassword();
    const reset = await redeemRecovery(user.id, rec.secret, password);
    assert.equal(reset.status, 200, reset.text);
    const s = await signIn({ email: user.email, password });
    await assertShort({ auth: s });
    await completeEmail(s, user.email, ['password', 'email']);
    await assertFull({ auth: s }, user.id);
  });

  it('a user born anonymous, converted with PATCH /account/email and then MFA-enabled, needs the second factor', async () => {
    const anon = await anonymous();
    const email = uniqueEmail('anon');
    const password = strongPassword();
    const conv = await api('PATCH', '/account/email', { auth: anon, json: { email, password } });
    assert.equal(conv.status, 200, conv.text);
    const user = { id: anon.userId, email, password };
    await verifyEmail(user, anon);
    await enableMfa(anon);
    assert.deepEqual(sorted((await sessionSeenBy(anon)).factors), ['anonymous', 'email']);
    await assertFull({ auth: anon }, user.id);
    const s = await signIn({ email, password });
    await assertShort({ auth: s });
    await completeEmail(s, email, ['password', 'email']);
    await assertFull({ auth: s }, user.id);
  });
});

// ---------------------------------------------------------------------------------------------------
// TOTP challenges: each test waits for a later 30-second step than its enrolment, so they run
// concurrently (about one or two step boundaries for the whole group instead of one per test).
// ---------------------------------------------------------------------------------------------------

describe('TOTP challenges and replay (SECURITY.md 8)', { concurrency: true }, () => {
  it('a code is accepted once: not the enrolment code again, not twice across two challenges or two sessions', async () => {
    const { user, session } = await newSignedIn();
    const enrolled = await enrol(session);
    await enableMfa(session);
    const b = await signIn(user);
    await assertShort({ auth: b });
    // the enrolment code, while its step may still be current, cannot complete a challenge
    const id0 = await challengeId(b, 'totp');
    assertError(await answer(b, id0, enrolled.code), 401, 'user_invalid_token');
    await assertShort({ auth: b });
    // the next step's code completes it (same challenge: a refused answer keeps it)
    const next = await totpCode(enrolled.secret, { after: enrolled.step, marginMs: 15000 });
    assertAnswered(await answer(b, id0, next.code), b, ['password', 'totp']);
    await assertFull({ auth: b }, user.id);
    // the same code again, on a second challenge of the same session and on another session
    const id1 = await challengeId(b, 'totp', { path: '/account/mfa/challenges' });
    assertError(await answer(b, id1, next.code, { path: '/account/mfa/challenges' }), 401, 'user_invalid_token');
    const c = await signIn(user);
    const idC = await challengeId(c, 'totp');
    assertError(await answer(c, idC, next.code), 401, 'user_invalid_token');
    await assertShort({ auth: c });
    // a later step works for c
    const third = await totpCode(enrolled.secret, { after: next.step });
    assertAnswered(await answer(c, idC, third.code), c, ['password', 'totp']);
    await assertFull({ auth: c }, user.id);
    // c's challenge is fresh: it may remove the authenticator, after which nothing is enforced
    // (the email was never verified)
    const del = await api('DELETE', '/account/mfa/authenticators/totp', { auth: c });
    assert.equal(del.status, 204, del.text);
    await assertFull({ auth: await signIn(user) }, user.id);
  });

  it('one TOTP code raced by 9 sessions, each answering its own challenge: exactly one is elevated', async () => {
    const { user, session } = await newSignedIn();
    const enrolled = await enrol(session);
    await enableMfa(session);
    // 9 more sessions: with the enrolling one, the demo project's 10 per user
    const sessions = await Promise.all(Array.from({ length: 9 }, () => signIn(user)));
    const ids = await Promise.all(sessions.map((s) => challengeId(s, 'totp')));
    const { code } = await totpCode(enrolled.secret, { after: enrolled.step });
    const results = await Promise.all(sessions.map((s, i) => answer(s, ids[i], code)));
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((x) => x === 200).length, 1, `statuses ${statuses}`);
    for (const r of results.filter((x) => x.status !== 200)) assertError(r, 401, 'user_invalid_token');
    const me = await Promise.all(sessions.map((s) => whoami({ auth: s })));
    assert.equal(me.filter((r) => r.status === 200).length, 1, `GET /account per session: ${me.map((r) => r.status)}`);
  });

  it('10 concurrent verifications of one authenticator with the right code: exactly one 200, the others 409', async () => {
    const { session } = await newSignedIn();
    const { secret } = await newAuthenticator(session);
    const { code } = await totpCode(secret);
    const results = await Promise.all(Array.from({ length: 10 }, () =>
      api('PUT', '/account/mfa/authenticators/totp', { auth: session, json: { otp: code } })));
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((x) => x === 200).length, 1, `statuses ${statuses}`);
    for (const r of results.filter((x) => x.status !== 200)) assertError(r, 409, 'user_authenticator_already_verified');
  });

  it('an email-OTP session completes with a totp challenge', async () => {
    const { user, session } = await verifiedEmailUser();
    const enrolled = await enrol(session);
    await enableMfa(session);
    const otp = await flows.emailOtp(user.email, { userId: user.id });
    const res = await redeemSignIn(user.id, otp.secret);
    assert.equal(res.status, 201, res.text);
    const s = sessionFrom(res);
    await assertShort({ auth: s });
    await completeEmail(s, user.email, ['email']);
    await assertShort({ auth: s });
    const id = await challengeId(s, 'TOTP');
    const { code } = await totpCode(enrolled.secret, { after: enrolled.step });
    assertAnswered(await answer(s, id, code), s, ['email', 'totp']);
    await assertFull({ auth: s }, user.id);
  });

  it('a magic-URL session completes with a totp challenge', async () => {
    const { user, session } = await verifiedEmailUser();
    const enrolled = await enrol(session);
    await enableMfa(session);
    const link = await flows.magicLink(user.email, { userId: user.id });
    const res = await redeemSignIn(user.id, link.secret);
    assert.equal(res.status, 201, res.text);
    const s = sessionFrom(res);
    await assertShort({ auth: s });
    const id = await challengeId(s, 'totp', { path: '/account/mfa/challenges' });
    const { code } = await totpCode(enrolled.secret, { after: enrolled.step });
    assertAnswered(await answer(s, id, code, { path: '/account/mfa/challenges' }), s, ['email', 'totp']);
    await assertFull({ auth: s }, user.id);
    // the fresh totp challenge opens the MFA-protected routes
    const del = await api('DELETE', '/account/mfa/authenticators/totp', { auth: s });
    assert.equal(del.status, 204, del.text);
  });
});

// ---------------------------------------------------------------------------------------------------
// Races (SECURITY.md 7): one challenge, one recovery code → exactly one elevated session
// ---------------------------------------------------------------------------------------------------

/**
 * Refusals of a race: every other answer is 401 user_invalid_token, except that the per-user limit on
 * wrong answers (SECURITY.md 3: 10 per user and hour, on even with abuse=0) may turn later ones into
 * 429 general_rate_limit_exceeded, but only after 10 refusals were counted.
 */
function assertRaceLosers(losers, n) {
  assert.equal(losers.length, n);
  const invalid = losers.filter((r) => r.status === 401);
  const limited = losers.filter((r) => r.status === 429);
  for (const r of invalid) assertError(r, 401, 'user_invalid_token');
  for (const r of limited) assertError(r, 429, 'general_rate_limit_exceeded');
  assert.equal(invalid.length + limited.length, n,
    `every loser is refused: ${losers.map((r) => r.status).join(',')}`);
  assert.ok(limited.length === 0 || invalid.length >= 10,
    `429 only after 10 counted refusals (401: ${invalid.length}, 429: ${limited.length})`);
  return { invalid: invalid.length, limited: limited.length };
}

describe('races (SECURITY.md 7)', () => {
  it('20 concurrent right answers to one email challenge from one session: exactly one 200', async () => {
    await awayFromHourEdge();
    const { user } = await mfaEmailUser();
    const s = await signIn(user);
    const ch = await emailChallenge(s, user.email);
    const results = await Promise.all(Array.from({ length: 20 }, () => answer(s, ch.id, ch.code)));
    const winners = results.filter((r) => r.status === 200);
    assert.equal(winners.length, 1, `statuses ${results.map((r) => r.status).join(',')}`);
    assertAnswered(winners[0], s, ['password', 'email']);
    const { invalid, limited } = assertRaceLosers(results.filter((r) => r.status !== 200), 19);
    // the losers carry the right code for a challenge that is already spent: no code was checked, so
    // nothing counts against the user (SECURITY.md 3 counts checks of a code) and none is 429
    assert.equal(invalid, 19, `19 × 401 user_invalid_token expected (got ${invalid} × 401, ${limited} × 429)`);
    await assertFull({ auth: s }, user.id);
  });

  it('20 sessions answer their own recoverycode challenges with the same code at once: exactly one is elevated',
    { skip: NO_SQL }, async () => {
      await awayFromHourEdge();
      // room for 20 sessions of one user (the demo project keeps 10)
      const project = createProject({ auth_max_sessions: 30 });
      const user = await signUp({ project });
      const first = await signIn(user);
      await enrol(first);
      const codes = await newRecoveryCodes(as(first));
      await enableMfa(first);
      const sessions = await Promise.all(Array.from({ length: 20 }, () => signIn(user)));
      for (const s of sessions) await assertShort(as(s));
      const ids = await Promise.all(sessions.map((s) => challengeId(s, 'recoverycode')));
      const results = await Promise.all(sessions.map((s, i) => answer(s, ids[i], codes[0])));
      const winners = results.map((r, i) => [r, sessions[i]]).filter(([r]) => r.status === 200);
      assert.equal(winners.length, 1, `statuses ${results.map((r) => r.status).join(',')}`);
      const [winRes, winner] = winners[0];
      assertAnswered(winRes, winner, ['password', 'recoverycode']);
      const { invalid, limited } = assertRaceLosers(results.filter((r) => r.status !== 200), 19);
      // exactly one session got through
      const me = await Promise.all(sessions.map((s) => whoami(as(s))));
      const open = me.filter((r) => r.status === 200);
      assert.equal(open.length, 1, `GET /account per session: ${me.map((r) => r.status).join(',')}`);
      assert.equal(open[0].body.$id, user.id);
      for (const r of me.filter((x) => x.status !== 200)) assertError(r, 401, 'user_more_factors_required');
      // the code is spent
      const left = await api('GET', '/account/mfa/recovery-codes', as(winner));
      assert.equal(left.status, 200, left.text);
      assert.deepEqual(sorted(left.body.recoveryCodes), sorted(codes.slice(1)));
      // each loser presented a code that is no longer the user's to its own live challenge: a wrong
      // recovery code, counted against the user (SECURITY.md 3), hence 429 after 10 of them
      assert.ok(invalid >= 10, `${invalid} × 401, ${limited} × 429`);
    });
});

// ---------------------------------------------------------------------------------------------------
// SECURITY.md 3: wrong answers count against the user even with abuse=0 (last, on its own user)
// ---------------------------------------------------------------------------------------------------

describe('guess limit on answers (SECURITY.md 3)', () => {
  it('10 wrong answers per user and hour, over any challenges: then 429 even for the right code', async () => {
    await awayFromHourEdge();
    const { user } = await mfaEmailUser();
    const s = await signIn(user);
    const a = await emailChallenge(s, user.email);
    const b = await emailChallenge(s, user.email, { path: '/account/mfa/challenges' });
    for (let i = 0; i < 10; i++) {
      const ch = i % 2 ? b : a;
      assertError(await answer(s, ch.id, wrongCode(ch.code)), 401, 'user_invalid_token');
    }
    // a new challenge (a new session, even) does not reset the count
    const t = await signIn(user);
    const c = await emailChallenge(t, user.email);
    assertError(await answer(t, c.id, c.code), 429, 'general_rate_limit_exceeded');
    assertError(await answer(s, a.id, a.code), 429, 'general_rate_limit_exceeded');
    await assertShort({ auth: s });
    await assertShort({ auth: t });
    // another user is not affected
    const other = await mfaEmailUser();
    const o = await signIn(other.user);
    await completeEmail(o, other.user.email, ['password', 'email']);
  });
});
