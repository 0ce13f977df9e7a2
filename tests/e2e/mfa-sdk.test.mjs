// mfa-sdk.test.mjs: the MFA flow through the official SDKs (spec 3.6, E38-E47):
//
//  - npm `appwrite` 16.x (alias appwrite16, server 1.6): positional arguments and the 1.6 names
//    (createMfaAuthenticator, updateMfaAuthenticator, updateMFA, createMfaChallenge, updateMfaChallenge,
//    listMfaFactors, createMfaRecoveryCodes, getMfaRecoveryCodes, updateMfaRecoveryCodes,
//    deleteMfaAuthenticator); challenges on POST/PUT /account/mfa/challenge;
//  - the newest `appwrite` (28.x): one object argument and the 1.8 names (createMFAAuthenticator,
//    updateMFAAuthenticator, createMFAChallenge, updateMFAChallenge, listMFAFactors, ...); challenges on
//    /account/mfa/challenges; its session kept the browser way (X-Fallback-Cookies in localStorage);
//  - `node-appwrite` (27.x, server SDK): the same 1.8 names, the session given with setSession() (the
//    X-Appwrite-Session header), as a server-side renderer holding a user's session does.
//
// Each flow: enrol a TOTP authenticator (codes from oathtool), make recovery codes, enable MFA, sign in
// again (the SDK sees 401 user_more_factors_required), complete a totp challenge with the code of a
// later 30-second step (waiting for it: SECURITY.md 8 refuses the enrolment's step), read the recovery
// codes, sign in a third time and complete a recoverycode challenge, regenerate the codes, remove the
// authenticator and switch MFA off. The three flows run concurrently, so the file waits for about one
// step boundary in all.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ENDPOINT, PROJECT, loadSdk, sdkClient, sdkError, uniqueEmail, strongPassword, plain, signUp, signIn,
  assertAccount, assertSession, DATETIME, SERVER_ID,
} from './lib.mjs';
import {
  oathtool, totpCode, rawurlencode, FACTORS_KEYS, CHALLENGE_KEYS, TOTP_SECRET, RECOVERY_CODE,
} from './mfa-helpers.mjs';

const sdk16 = await loadSdk('appwrite16');
const sdkLatest = await loadSdk('appwrite');
const nodeSdk = await import('node-appwrite');

const PROJECT_NAME = 'Demo'; // schema/demo.sql

/**
 * One calling convention over an SDK's Account service: positional 1.6 names (o = false) or one object
 * argument with the 1.8 names (o = true).
 */
function mfaApi(sdk, account, o) {
  const { AuthenticatorType: T, AuthenticationFactor: F } = sdk;
  return {
    get: () => account.get(),
    factors: () => (o ? account.listMFAFactors() : account.listMfaFactors()),
    addAuthenticator: () => (o ? account.createMFAAuthenticator({ type: T.Totp }) : account.createMfaAuthenticator(T.Totp)),
    verifyAuthenticator: (otp) => (o ? account.updateMFAAuthenticator({ type: T.Totp, otp })
      : account.updateMfaAuthenticator(T.Totp, otp)),
    deleteAuthenticator: () => (o ? account.deleteMFAAuthenticator({ type: T.Totp })
      : account.deleteMfaAuthenticator(T.Totp)),
    setMfa: (mfa) => (o ? account.updateMFA({ mfa }) : account.updateMFA(mfa)),
    challenge: (factor) => (o ? account.createMFAChallenge({ factor: F[factor] }) : account.createMfaChallenge(F[factor])),
    answer: (challengeId, otp) => (o ? account.updateMFAChallenge({ challengeId, otp })
      : account.updateMfaChallenge(challengeId, otp)),
    createCodes: () => (o ? account.createMFARecoveryCodes() : account.createMfaRecoveryCodes()),
    getCodes: () => (o ? account.getMFARecoveryCodes() : account.getMfaRecoveryCodes()),
    updateCodes: () => (o ? account.updateMFARecoveryCodes() : account.updateMfaRecoveryCodes()),
  };
}

/** Web SDKs: a new client (own localStorage) signed in with the SDK. */
function webSignIn(sdk, o) {
  return async ({ email, password }) => {
    const { account } = sdkClient(sdk);
    const session = plain(await (o ? account.createEmailPasswordSession({ email, password })
      : account.createEmailPasswordSession(email, password)));
    return { ...mfaApi(sdk, account, o), sessionId: session.$id };
  };
}

/** node-appwrite: signed in by raw HTTP, the session secret handed to setSession(). */
function nodeSignIn() {
  return async (user) => {
    const session = await signIn(user);
    const client = new nodeSdk.Client().setEndpoint(ENDPOINT).setProject(PROJECT).setSession(session.token);
    return { ...mfaApi(nodeSdk, new nodeSdk.Account(client), true), sessionId: session.id };
  };
}

function assertCodes(body) {
  body = plain(body);
  assert.deepEqual(Object.keys(body), ['recoveryCodes']);
  assert.equal(body.recoveryCodes.length, 6);
  for (const c of body.recoveryCodes) assert.match(c, RECOVERY_CODE);
  return body.recoveryCodes;
}

function assertChallengeModel(c, userId) {
  c = plain(c);
  assert.deepEqual(Object.keys(c), CHALLENGE_KEYS, 'MFA Challenge keys');
  assert.match(c.$id, SERVER_ID);
  assert.match(c.expire, DATETIME);
  assert.equal(c.userId, userId);
  return c;
}

/** The whole flow for one SDK. signInWith(user) returns a new signed-in mfaApi (with sessionId). */
async function flow(label, signInWith) {
  const user = await signUp({ email: uniqueEmail('mfasdk'), password: strongPassword(), name: `MFA ${label}` });

  // enrol
  const a = await signInWith(user);
  assert.deepEqual(Object.keys(plain(await a.factors())), FACTORS_KEYS);
  assert.deepEqual(plain(await a.factors()), { totp: false, phone: false, email: false, recoveryCode: false });
  const type = plain(await a.addAuthenticator());
  assert.deepEqual(Object.keys(type), ['secret', 'uri']);
  assert.match(type.secret, TOTP_SECRET);
  assert.equal(type.uri, `otpauth://totp/${rawurlencode(`${PROJECT_NAME}:${user.email}`)}?issuer=${PROJECT_NAME}` +
    `&secret=${type.secret}`);
  await sdkError(a.verifyAuthenticator(oathtool(type.secret, Date.now() - 120000)), 401, 'user_invalid_token');
  const enrolled = await totpCode(type.secret);
  const verified = assertAccount(await a.verifyAuthenticator(enrolled.code), { $id: user.id, mfa: false });
  assert.equal(verified.email, user.email);
  await sdkError(a.addAuthenticator(), 409, 'user_authenticator_already_verified');

  // recovery codes, then MFA on
  const codes = assertCodes(await a.createCodes());
  await sdkError(a.createCodes(), 409, 'user_recovery_codes_already_exists');
  await sdkError(a.getCodes(), 401, 'user_challenge_required');
  assertAccount(await a.setMfa(true), { $id: user.id, mfa: true });
  assert.deepEqual(plain(await a.factors()), { totp: true, phone: false, email: false, recoveryCode: true });
  assertAccount(await a.get(), { $id: user.id, mfa: true }); // the enrolling session holds totp

  // a new sign-in is short of a factor until a totp challenge of a later step
  const b = await signInWith(user);
  await sdkError(b.get(), 401, 'user_more_factors_required');
  assert.deepEqual(plain(await b.factors()), { totp: true, phone: false, email: false, recoveryCode: true });
  const chB = assertChallengeModel(await b.challenge('Totp'), user.id);
  await sdkError(b.answer(chB.$id, enrolled.code), 401, 'user_invalid_token'); // the enrolment's code: spent
  const next = await totpCode(type.secret, { after: enrolled.step });
  const sessionB = assertSession(await b.answer(chB.$id, next.code), { userId: user.id });
  assert.equal(sessionB.$id, b.sessionId, 'the answering session');
  assert.deepEqual(sessionB.factors, ['password', 'totp']);
  assert.match(sessionB.mfaUpdatedAt, DATETIME);
  assertAccount(await b.get(), { $id: user.id, mfa: true });
  assert.deepEqual(assertCodes(await b.getCodes()), codes, 'a fresh challenge shows the codes');

  // a third sign-in completes with a recovery code, which is then spent
  const c = await signInWith(user);
  await sdkError(c.get(), 401, 'user_more_factors_required');
  const chC = assertChallengeModel(await c.challenge('Recoverycode'), user.id);
  const sessionC = assertSession(await c.answer(chC.$id, codes[0]), { userId: user.id });
  assert.deepEqual(sessionC.factors, ['password', 'recoverycode']);
  assertAccount(await c.get(), { $id: user.id });
  const left = plain(await c.getCodes()).recoveryCodes;
  assert.deepEqual([...left].sort(), codes.slice(1).sort(), 'the used code is gone');
  const renewed = assertCodes(await c.updateCodes());
  for (const code of renewed) assert.ok(!codes.includes(code));

  // the old codes are dead, the new ones work
  const d = await signInWith(user);
  const chD = assertChallengeModel(await d.challenge('Recoverycode'), user.id);
  await sdkError(d.answer(chD.$id, codes[1]), 401, 'user_invalid_token');
  assert.deepEqual(plain(await d.answer(chD.$id, renewed[0])).factors, ['password', 'recoverycode']);

  // remove the authenticator, switch MFA off: a new sign-in is complete again
  await c.deleteAuthenticator();
  await sdkError(c.deleteAuthenticator(), 404, 'user_authenticator_not_found');
  assert.deepEqual(plain(await c.factors()), { totp: false, phone: false, email: false, recoveryCode: true });
  assertAccount(await c.setMfa(false), { $id: user.id, mfa: false });
  const e = await signInWith(user);
  assertAccount(await e.get(), { $id: user.id, mfa: false });
}

describe('MFA through the SDKs', { concurrency: true }, () => {
  it('appwrite 16.x: 1.6 names, positional arguments, /account/mfa/challenge', () =>
    flow('appwrite16', webSignIn(sdk16, false)));

  it('appwrite (newest): 1.8 names, object arguments, /account/mfa/challenges', () =>
    flow('appwrite', webSignIn(sdkLatest, true)));

  it('node-appwrite: 1.8 names with setSession (X-Appwrite-Session)', () =>
    flow('node-appwrite', nodeSignIn()));
});
