// delivery-flow.mjs: every message-sending Account flow, written once against the web SDK and run
// through both majors by delivery-sdk16.test.mjs and delivery-sdk-latest.test.mjs. Each flow goes from
// the SDK request to the message the server delivered to the local SMTP or SMS sink (sinks.mjs) to the
// completed session, verification or reset. Secrets are only ever taken from delivered messages.
//
// SDK 16 (server 1.6) calls /account/verification and /account/verification/phone; SDK 28 calls the 1.8
// paths /account/verifications/email (createEmailVerification / updateEmailVerification) and
// /account/verifications/phone. Both call the deprecated PUT /account/sessions/magic-url and
// /account/sessions/phone (updateMagicURLSession / updatePhoneSession) besides createSession.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROJECT, sdkClient, sdkError, uniqueEmail, uniquePhone, strongPassword, plain,
  assertAccount, assertSession, assertToken, DB_DATETIME,
} from './lib.mjs';
import { startSinks, otpFrom, otpIn, linkFrom } from './sinks.mjs';

const PHRASE = /^[A-Z][a-z]+ [a-z]+$/;
const HEX64 = /^[0-9a-f]{64}$/;
const HEX256 = /^[0-9a-f]{256}$/;

/** '2026-01-02T03:04:05.678+00:00' → '2026-01-02 03:04:05.678' (the form of recovery/verification links). */
const dbForm = (iso) => iso.replace('T', ' ').replace(/\+00:00$/, '');

/** One calling convention for both majors (positional for SDK 16, one object for SDK >= 18). */
function adapter(account, o) {
  return {
    get: () => account.get(),
    getSession: (sessionId) => (o ? account.getSession({ sessionId }) : account.getSession(sessionId)),
    create: (userId, email, password, name) =>
      (o ? account.create({ userId, email, password, name }) : account.create(userId, email, password, name)),
    signIn: (email, password) =>
      (o ? account.createEmailPasswordSession({ email, password }) : account.createEmailPasswordSession(email, password)),
    updatePhone: (phone, password) =>
      (o ? account.updatePhone({ phone, password }) : account.updatePhone(phone, password)),
    createEmailToken: (userId, email, phrase) =>
      (o ? account.createEmailToken({ userId, email, phrase }) : account.createEmailToken(userId, email, phrase)),
    createMagicURLToken: (userId, email, url, phrase) =>
      (o ? account.createMagicURLToken({ userId, email, url, phrase })
        : account.createMagicURLToken(userId, email, url, phrase)),
    createPhoneToken: (userId, phone) =>
      (o ? account.createPhoneToken({ userId, phone }) : account.createPhoneToken(userId, phone)),
    createSession: (userId, secret) =>
      (o ? account.createSession({ userId, secret }) : account.createSession(userId, secret)),
    updateMagicURLSession: (userId, secret) =>
      (o ? account.updateMagicURLSession({ userId, secret }) : account.updateMagicURLSession(userId, secret)),
    updatePhoneSession: (userId, secret) =>
      (o ? account.updatePhoneSession({ userId, secret }) : account.updatePhoneSession(userId, secret)),
    createRecovery: (email, url) => (o ? account.createRecovery({ email, url }) : account.createRecovery(email, url)),
    updateRecovery: (userId, secret, password) =>
      (o ? account.updateRecovery({ userId, secret, password }) : account.updateRecovery(userId, secret, password)),
    // the 1.8 SDK's names for email verification (POST/PUT /account/verifications/email)
    createVerification: (url) => (o ? account.createEmailVerification({ url }) : account.createVerification(url)),
    updateVerification: (userId, secret) =>
      (o ? account.updateEmailVerification({ userId, secret }) : account.updateVerification(userId, secret)),
    createPhoneVerification: () => account.createPhoneVerification(),
    updatePhoneVerification: (userId, secret) =>
      (o ? account.updatePhoneVerification({ userId, secret }) : account.updatePhoneVerification(userId, secret)),
  };
}

export function deliveryFlows(sdk, label, { objectStyle }) {
  const { ID } = sdk;
  let sinks;

  const newClient = () => adapter(sdkClient(sdk).account, objectStyle);

  /** A new password account signed in on a new client. */
  async function signedIn(name = 'Delivery User') {
    const c = newClient();
    const email = uniqueEmail('dlv');
    const password = strongPassword();
    const user = plain(await c.create(ID.unique(), email, password, name));
    await c.signIn(email, password);
    return { c, email, password, name, user };
  }

  /** The session the client holds now, checked against CONTRACT 6.2. */
  async function assertTokenSession(session, c, { userId, provider, factors }) {
    assertSession(session, { userId, provider, factors, current: true });
    assertSession(await c.getSession('current'), { userId, provider, factors, current: true });
  }

  describe(`message delivery through ${label}`, () => {
    before(async () => { sinks = await startSinks(); });
    after(async () => { await sinks?.stop(); });

    it('email OTP: createEmailToken (phrase) → code from the email → createSession', async () => {
      const c = newClient();
      const email = uniqueEmail('otp');
      const token = assertToken(await c.createEmailToken(ID.unique(), email, true), { ttlS: 900 });
      assert.match(token.phrase, PHRASE, 'phrase requested → "<Adjective> <noun>"');

      const mail = await sinks.mail.waitForMail(email);
      assert.match(mail.subject, /^OTP for .+ Login$/);
      assert.deepEqual(mail.to.map((t) => t.address), [email]);
      assert.equal(mail.messageId, `<${mail.outboxId}@latchkey>`);
      assert.ok(mail.text.includes(token.phrase), 'the security phrase is in the email');
      assert.ok(mail.html.includes(token.phrase), 'the security phrase is in the HTML part');
      const code = otpFrom(mail);

      const session = await c.createSession(token.userId, code);
      await assertTokenSession(session, c, { userId: token.userId, provider: 'token', factors: ['email'] });
      assertAccount(await c.get(), {
        $id: token.userId, email, emailVerification: true, phoneVerification: false, passwordUpdate: '', phone: '',
      });

      // single use
      await sdkError(newClient().createSession(token.userId, code), 401, 'user_invalid_token');
    });

    it('email OTP without a phrase: Token.phrase "" and no phrase in the email', async () => {
      const c = newClient();
      const email = uniqueEmail('otp');
      const token = assertToken(await c.createEmailToken(ID.unique(), email), { ttlS: 900, phrase: '' });
      const mail = await sinks.mail.waitForMail(email);
      assert.doesNotMatch(mail.text, /phrase/i);
      const code = otpFrom(mail);
      await sdkError(c.createSession(token.userId, code === '000000' ? '111111' : '000000'), 401, 'user_invalid_token');
      const session = await c.createSession(token.userId, code); // a wrong guess did not burn the code
      await assertTokenSession(session, c, { userId: token.userId, provider: 'token', factors: ['email'] });
    });

    it('magic URL: createMagicURLToken (phrase) → link from the email → updateMagicURLSession', async () => {
      const c = newClient();
      const email = uniqueEmail('magic');
      const url = 'http://localhost:5173/auth/callback?next=%2Fhome';
      const token = assertToken(await c.createMagicURLToken(ID.unique(), email, url, true), { ttlS: 3600 });
      assert.match(token.phrase, PHRASE);

      const mail = await sinks.mail.waitForMail(email);
      assert.match(mail.subject, /Login$/);
      assert.ok(mail.text.includes(token.phrase), 'the security phrase is in the email');
      const link = linkFrom(mail);
      assert.equal(link.parsed.origin, 'http://localhost:5173');
      assert.equal(link.parsed.pathname, '/auth/callback');
      assert.equal(link.params.next, '/home', 'the query of the redirect URL is kept');
      assert.equal(link.params.userId, token.userId);
      assert.match(link.params.secret, HEX64);
      assert.equal(link.params.expire, token.expire, 'magic URL links carry the ISO expiry');
      assert.equal(link.params.project, PROJECT);

      const session = await c.updateMagicURLSession(link.params.userId, link.params.secret);
      await assertTokenSession(session, c, { userId: token.userId, provider: 'magic-url', factors: ['email'] });
      assertAccount(await c.get(), { $id: token.userId, email, emailVerification: true });
      await sdkError(newClient().updateMagicURLSession(link.params.userId, link.params.secret), 401,
        'user_invalid_token');
      await sdkError(newClient().createSession(link.params.userId, link.params.secret), 401, 'user_invalid_token');
    });

    it('magic URL for an existing password account → createSession; the password still works', async () => {
      const owner = newClient();
      const email = uniqueEmail('magic');
      const password = strongPassword();
      const user = plain(await owner.create(ID.unique(), email, password, 'Magic Owner'));
      const c = newClient();
      const token = assertToken(await c.createMagicURLToken(ID.unique(), email, 'http://127.0.0.1/cb'),
        { ttlS: 3600, phrase: '' });
      assert.equal(token.userId, user.$id, 'the existing account is used; the userId param is ignored');
      const mail = await sinks.mail.waitForMail(email);
      assert.equal(mail.to[0].name, 'Magic Owner', 'addressed by the account name');
      const { params } = linkFrom(mail);
      const session = await c.createSession(params.userId, params.secret);
      await assertTokenSession(session, c, { userId: user.$id, provider: 'magic-url', factors: ['email'] });
      assertAccount(await c.get(), { $id: user.$id, name: 'Magic Owner', emailVerification: true });
      await newClient().signIn(email, password);
    });

    it('phone: createPhoneToken → code from the SMS → updatePhoneSession; phone verified', async () => {
      const c = newClient();
      const phone = uniquePhone();
      const token = assertToken(await c.createPhoneToken(ID.unique(), phone), { ttlS: 900, phrase: '' });
      const sms = await sinks.sms.waitForSms(phone);
      assert.equal(sms.to, phone);
      const code = otpIn(sms.message);

      const session = await c.updatePhoneSession(token.userId, code);
      await assertTokenSession(session, c, { userId: token.userId, provider: 'phone', factors: ['phone'] });
      assertAccount(await c.get(), {
        $id: token.userId, phone, phoneVerification: true, emailVerification: false, email: '',
      });
      await sdkError(newClient().updatePhoneSession(token.userId, code), 401, 'user_invalid_token');

      // the same number again: the same account, now through createSession
      const again = newClient();
      const token2 = assertToken(await again.createPhoneToken(ID.unique(), phone), { ttlS: 900 });
      assert.equal(token2.userId, token.userId, 'an existing phone signs in to its account');
      const sms2 = await sinks.sms.waitForSms(phone, { nth: 1 });
      const session2 = await again.createSession(token2.userId, otpIn(sms2.message));
      await assertTokenSession(session2, again, { userId: token.userId, provider: 'phone', factors: ['phone'] });
    });

    it('recovery: createRecovery → link → updateRecovery; old sessions and password are dead', async () => {
      const { c, email, password, user } = await signedIn('Recover Me');
      const other = newClient();
      await other.signIn(email, password);

      const guest = newClient();
      const token = assertToken(await guest.createRecovery(email, 'http://localhost/reset-password'),
        { ttlS: 3600, phrase: '', userId: user.$id });
      const mail = await sinks.mail.waitForMail(email);
      assert.equal(mail.subject, 'Password Reset');
      assert.equal(mail.to[0].name, 'Recover Me');
      const link = linkFrom(mail);
      assert.equal(link.parsed.origin + link.parsed.pathname, 'http://localhost/reset-password');
      assert.equal(link.params.userId, user.$id);
      assert.match(link.params.secret, HEX256);
      assert.match(link.params.expire, DB_DATETIME, '1.6 recovery links carry the database form of the expiry');
      assert.equal(link.params.expire, dbForm(token.expire));

      const newPassword = strongPassword();
      const done = assertToken(await guest.updateRecovery(link.params.userId, link.params.secret, newPassword),
        { $id: token.$id, userId: user.$id, phrase: '' });
      assert.equal(done.expire, token.expire);

      await sdkError(c.get(), 401, 'general_unauthorized_scope'); // every session ended (SECURITY.md 6)
      await sdkError(other.get(), 401, 'general_unauthorized_scope');
      await sdkError(newClient().signIn(email, password), 401, 'user_invalid_credentials');
      const fresh = newClient();
      await fresh.signIn(email, newPassword);
      assertAccount(await fresh.get(), { $id: user.$id, emailVerification: true });
      await sdkError(guest.updateRecovery(link.params.userId, link.params.secret, strongPassword()), 401,
        'user_invalid_token');
    });

    it('email verification: createVerification → link → updateVerification (signed out)', async () => {
      const { c, email, user } = await signedIn('Verify Me');
      const token = assertToken(await c.createVerification('http://localhost/verify'),
        { ttlS: 3600, phrase: '', userId: user.$id });
      const mail = await sinks.mail.waitForMail(email);
      assert.equal(mail.subject, 'Account Verification');
      const link = linkFrom(mail);
      assert.equal(link.parsed.origin + link.parsed.pathname, 'http://localhost/verify');
      assert.equal(link.params.userId, user.$id);
      assert.match(link.params.secret, HEX256);
      assert.equal(link.params.expire, dbForm(token.expire));
      assertAccount(await c.get(), { emailVerification: false });

      const guest = newClient();
      assertToken(await guest.updateVerification(link.params.userId, link.params.secret),
        { $id: token.$id, userId: user.$id, expire: token.expire });
      assertAccount(await c.get(), { emailVerification: true });
      await sdkError(guest.updateVerification(link.params.userId, link.params.secret), 401, 'user_invalid_token');
      await sdkError(c.createVerification('http://localhost/verify'), 409, 'user_email_already_verified');
    });

    it('phone verification: createPhoneVerification → code from the SMS → updatePhoneVerification', async () => {
      const { c, password, user } = await signedIn('Phone Verify');
      await sdkError(c.createPhoneVerification(), 400, 'user_phone_not_found');
      const phone = uniquePhone();
      await c.updatePhone(phone, password);
      const token = assertToken(await c.createPhoneVerification(), { ttlS: 3600, phrase: '', userId: user.$id });
      const sms = await sinks.sms.waitForSms(phone);
      const code = otpIn(sms.message);
      assertAccount(await c.get(), { phone, phoneVerification: false });
      assertToken(await c.updatePhoneVerification(user.$id, code), { $id: token.$id, userId: user.$id });
      assertAccount(await c.get(), { phone, phoneVerification: true });
      await sdkError(c.updatePhoneVerification(user.$id, code), 401, 'user_invalid_token');
      await sdkError(c.createPhoneVerification(), 409, 'user_phone_already_verified');
    });
  });
}
