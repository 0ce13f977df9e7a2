// flow.mjs: the core Account flow, run through one major of the official web SDK.
// sdk16.test.mjs and sdk-latest.test.mjs call coreFlow() with their SDK; each file runs in its own
// process (node --test), and every client gets its own localStorage (lib.mjs), so nothing is shared.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROJECT, EXPECTED_IP, sdkClient, sdkError, uniqueEmail, strongPassword, plain, sleep,
  assertAccount, assertSession, assertLog, assertTimeNear, SERVER_ID,
} from './lib.mjs';

const YEAR_MS = 31536000 * 1000;

/**
 * One calling convention for both majors. SDK 16 takes positional arguments; SDK >= 18 takes one
 * object (positional still works there but is deprecated), so the adapter uses what apps write.
 * Web SDK 28 has no listLogs() and no SDK exposes DELETE /account (E03 is an admin-only method in the
 * spec); both go through client.call() with the headers the SDK itself sends, so they still use the
 * SDK's transport and its cookieFallback.
 */
function adapter(sdk, client, account, objectStyle) {
  const o = objectStyle;
  const call = (method, path, params = {}) => {
    const headers = { 'X-Appwrite-Project': client.config.project, accept: 'application/json' };
    if (method !== 'get') headers['content-type'] = 'application/json';
    return client.call(method, new URL(client.config.endpoint + path), headers, params);
  };
  return {
    call,
    get: () => account.get(),
    create: (userId, email, password, name) =>
      (o ? account.create({ userId, email, password, name }) : account.create(userId, email, password, name)),
    signIn: (email, password) =>
      (o ? account.createEmailPasswordSession({ email, password }) : account.createEmailPasswordSession(email, password)),
    anonymous: () => account.createAnonymousSession(),
    updateName: (name) => (o ? account.updateName({ name }) : account.updateName(name)),
    updateEmail: (email, password) =>
      (o ? account.updateEmail({ email, password }) : account.updateEmail(email, password)),
    updatePassword: (password, oldPassword) =>
      (o ? account.updatePassword({ password, oldPassword }) : account.updatePassword(password, oldPassword)),
    updatePhone: (phone, password) =>
      (o ? account.updatePhone({ phone, password }) : account.updatePhone(phone, password)),
    getPrefs: () => account.getPrefs(),
    updatePrefs: (prefs) => (o ? account.updatePrefs({ prefs }) : account.updatePrefs(prefs)),
    updateStatus: () => account.updateStatus(),
    listLogs: (queries) => {
      if (typeof account.listLogs === 'function') {
        return o ? account.listLogs({ queries }) : account.listLogs(queries);
      }
      return call('get', '/account/logs', queries === undefined ? {} : { queries });
    },
    listIdentities: (queries) => (o ? account.listIdentities({ queries }) : account.listIdentities(queries)),
    deleteIdentity: (identityId) => (o ? account.deleteIdentity({ identityId }) : account.deleteIdentity(identityId)),
    createJWT: () => account.createJWT(),
    listSessions: () => account.listSessions(),
    getSession: (sessionId) => (o ? account.getSession({ sessionId }) : account.getSession(sessionId)),
    updateSession: (sessionId) => (o ? account.updateSession({ sessionId }) : account.updateSession(sessionId)),
    deleteSession: (sessionId) => (o ? account.deleteSession({ sessionId }) : account.deleteSession(sessionId)),
    deleteSessions: () => account.deleteSessions(),
    deleteAccount: () => call('delete', '/account'),
  };
}

export function coreFlow(sdk, label, { objectStyle }) {
  const { ID, Query } = sdk;

  /** A new client (own localStorage) with the uniform API. */
  function newClient(opts = {}) {
    const { client, account, storage } = sdkClient(sdk, opts);
    return { client, storage, api: adapter(sdk, client, account, objectStyle) };
  }

  /** A new account, signed in on a new client. */
  async function signedIn(name = 'Flow User') {
    const c = newClient();
    const email = uniqueEmail('flow');
    const password = strongPassword();
    const user = await c.api.create(ID.unique(), email, password, name);
    const session = await c.api.signIn(email, password);
    return { ...c, email, password, name, user: plain(user), session: plain(session) };
  }

  describe(`${label}: sign-up and sign-in`, () => {
    it('create returns 201 Account with exactly the model fields and no password data', async () => {
      const c = newClient();
      const email = uniqueEmail('create');
      const userId = ID.unique();
      const before = Date.now();
      const user = assertAccount(await c.api.create(userId, email, strongPassword(), 'Ada Lovelace'), {
        $id: userId, name: 'Ada Lovelace', email, phone: '', status: true, labels: [], emailVerification: false,
        phoneVerification: false, mfa: false, prefs: {},
      });
      for (const k of ['password', 'hash', 'hashOptions']) assert.ok(!(k in user), `no ${k} in Account`);
      assertTimeNear(user.registration, before, 60000, 'registration');
      assertTimeNear(user.passwordUpdate, before, 60000, 'passwordUpdate');
      assert.equal(user.targets.length, 1, 'an email target is created with the account');
      assert.deepEqual([user.targets[0].providerType, user.targets[0].identifier, user.targets[0].userId],
        ['email', email, userId]);
      assert.equal(user.targets[0].providerId, null);
      assert.equal(c.storage.getItem('cookieFallback'), null, 'sign-up creates no session');
    });

    it('createEmailPasswordSession returns a Session, stores the fallback cookie and get() works', async () => {
      const c = newClient();
      const email = uniqueEmail('signin');
      const password = strongPassword();
      const user = await c.api.create(ID.unique(), email, password, 'Grace');
      const before = Date.now();
      const session = assertSession(await c.api.signIn(email, password), {
        userId: user.$id, provider: 'email', providerUid: email, factors: ['password'], current: true,
        providerAccessToken: '', providerRefreshToken: '', countryCode: '--', countryName: 'Unknown',
      });
      assert.match(session.$id, SERVER_ID);
      if (EXPECTED_IP) assert.equal(session.ip, EXPECTED_IP);
      assertTimeNear(session.expire, before + YEAR_MS, 60000, 'expire = now + 1 year');
      const fallback = JSON.parse(c.storage.getItem('cookieFallback'));
      assert.deepEqual(Object.keys(fallback), [`a_session_${PROJECT}`], 'cookieFallback holds the session token');
      const decoded = JSON.parse(Buffer.from(fallback[`a_session_${PROJECT}`], 'base64').toString('utf8'));
      assert.equal(decoded.id, user.$id);
      assert.match(decoded.secret, /^[0-9a-f]{64,}$/);
      assertAccount(await c.api.get(), { $id: user.$id, email, name: 'Grace' });
    });

    it('create with unique() lets the server make a 20-hex id and lower-cases the email', async () => {
      const c = newClient();
      const email = uniqueEmail('case');
      const user = assertAccount(await c.api.create('unique()', email.toUpperCase(), strongPassword()));
      assert.match(user.$id, SERVER_ID);
      assert.equal(user.email, email);
      assert.equal(user.name, '');
    });
  });

  describe(`${label}: account errors`, () => {
    it('signed-out get() is 401 general_unauthorized_scope', async () => {
      await sdkError(newClient().api.get(), 401, 'general_unauthorized_scope');
    });

    it('duplicate email is 409 user_already_exists (also with other case)', async () => {
      const c = newClient();
      const email = uniqueEmail('dup');
      await c.api.create(ID.unique(), email, strongPassword());
      await sdkError(c.api.create(ID.unique(), email, strongPassword()), 409, 'user_already_exists');
      await sdkError(c.api.create(ID.unique(), email.toUpperCase(), strongPassword()), 409, 'user_already_exists');
    });

    it('duplicate userId is 409 user_already_exists', async () => {
      const c = newClient();
      const id = ID.unique();
      await c.api.create(id, uniqueEmail(), strongPassword());
      await sdkError(c.api.create(id, uniqueEmail(), strongPassword()), 409, 'user_already_exists');
    });

    it('bad email, short password, bad userId, name > 128 are 400 general_argument_invalid', async () => {
      const c = newClient();
      await sdkError(c.api.create(ID.unique(), 'not-an-email', strongPassword()), 400, 'general_argument_invalid');
      await sdkError(c.api.create(ID.unique(), uniqueEmail(), 'short7!'), 400, 'general_argument_invalid');
      await sdkError(c.api.create('-bad', uniqueEmail(), strongPassword()), 400, 'general_argument_invalid');
      await sdkError(c.api.create(ID.unique(), uniqueEmail(), strongPassword(), 'x'.repeat(129)), 400,
        'general_argument_invalid');
    });

    it('wrong password and unknown email are 401 user_invalid_credentials', async () => {
      const c = newClient();
      const email = uniqueEmail();
      await c.api.create(ID.unique(), email, strongPassword());
      await sdkError(c.api.signIn(email, strongPassword()), 401, 'user_invalid_credentials');
      await sdkError(c.api.signIn(uniqueEmail('nobody'), strongPassword()), 401, 'user_invalid_credentials');
    });

    it('creating a session while signed in is 401 user_session_already_exists', async () => {
      const u = await signedIn();
      await sdkError(u.api.signIn(u.email, u.password), 401, 'user_session_already_exists');
      await sdkError(u.api.anonymous(), 401, 'user_session_already_exists');
    });

    it('an unknown project is 404 project_not_found', async () => {
      const c = newClient({ project: `nope-${Date.now()}` });
      await sdkError(c.api.get(), 404, 'project_not_found');
      await sdkError(c.api.create(ID.unique(), uniqueEmail(), strongPassword()), 404, 'project_not_found');
    });
  });

  describe(`${label}: profile updates`, () => {
    it('updateName changes the name; 129 characters are refused', async () => {
      const u = await signedIn();
      assertAccount(await u.api.updateName('Renamed Person'), { name: 'Renamed Person' });
      assert.equal((await u.api.get()).name, 'Renamed Person');
      await sdkError(u.api.updateName('n'.repeat(129)), 400, 'general_argument_invalid');
      assertAccount(await u.api.updateName('ü'.repeat(128)), { name: 'ü'.repeat(128) });
    });

    it('updateEmail needs the password, renames the target and moves sign-in to the new address', async () => {
      const u = await signedIn();
      const newEmail = uniqueEmail('moved');
      await sdkError(u.api.updateEmail(newEmail, strongPassword()), 401, 'user_invalid_credentials');
      const acc = assertAccount(await u.api.updateEmail(newEmail.toUpperCase(), u.password), {
        email: newEmail, emailVerification: false,
      });
      assert.deepEqual(acc.targets.map((t) => t.identifier), [newEmail], 'the email target follows the address');
      const other = newClient();
      await sdkError(other.api.signIn(u.email, u.password), 401, 'user_invalid_credentials');
      assertSession(await other.api.signIn(newEmail, u.password), { userId: u.user.$id });
      // Another account's address: its email target holds it (spec E04 step 4).
      const taken = newClient();
      const takenEmail = uniqueEmail('taken');
      await taken.api.create(ID.unique(), takenEmail, strongPassword());
      await sdkError(u.api.updateEmail(takenEmail, u.password), 409, 'user_target_already_exists');
    });

    it('updatePassword with oldPassword works; without or with a wrong one is 401', async () => {
      const u = await signedIn();
      const next = strongPassword();
      await sdkError(u.api.updatePassword(next, strongPassword()), 401, 'user_invalid_credentials');
      await sdkError(u.api.updatePassword(next), 401, 'user_invalid_credentials');
      const before = Date.now();
      const acc = assertAccount(await u.api.updatePassword(next, u.password));
      assertTimeNear(acc.passwordUpdate, before, 60000, 'passwordUpdate');
      await sdkError(newClient().api.signIn(u.email, u.password), 401, 'user_invalid_credentials');
      assertSession(await newClient().api.signIn(u.email, next), { userId: u.user.$id });
      await sdkError(u.api.updatePassword('short'), 400, 'general_argument_invalid');
    });

    it('updatePhone sets an E.164 phone and checks the password and the format', async () => {
      const u = await signedIn();
      const phone = `+1415${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
      await sdkError(u.api.updatePhone(phone, strongPassword()), 401, 'user_invalid_credentials');
      await sdkError(u.api.updatePhone('12345', u.password), 400, 'general_argument_invalid');
      assertAccount(await u.api.updatePhone(phone, u.password), { phone, phoneVerification: false });
      assert.equal((await u.api.get()).phone, phone);
    });

    it('prefs: updatePrefs replaces (never merges) and keeps nested values', async () => {
      const u = await signedIn();
      assert.deepEqual(plain(await u.api.getPrefs()), {});
      const first = { theme: 'dark', nested: { list: [1, 2.5, { deep: 'x' }], flag: true, nothing: null }, n: -3 };
      assertAccount(await u.api.updatePrefs(first), { prefs: first });
      assert.deepEqual(plain(await u.api.getPrefs()), first);
      const second = { lang: 'fr', 'ключ': 'значение 😀' };
      assertAccount(await u.api.updatePrefs(second), { prefs: second });
      assert.deepEqual(plain(await u.api.getPrefs()), second, 'replaced, not merged');
      assert.deepEqual(plain((await u.api.get()).prefs), second);
    });

    it('updateStatus blocks the account: later calls and sign-in are 401 user_blocked', async () => {
      const u = await signedIn();
      const fallback = u.storage.getItem('cookieFallback');
      assertAccount(await u.api.updateStatus(), { status: false });
      // The spec says later calls with the session fail user_blocked, but updateStatus also clears the
      // session cookies and sends X-Fallback-Cookies: [], which the SDK stores: the same client is then
      // simply signed out (SDK behaviour wins). The session itself is kept and says user_blocked when
      // it is replayed, as a browser holding an old cookie would.
      assert.equal(u.storage.getItem('cookieFallback'), '[]');
      await sdkError(u.api.get(), 401, 'general_unauthorized_scope');
      u.storage.setItem('cookieFallback', fallback);
      await sdkError(u.api.get(), 401, 'user_blocked');
      await sdkError(newClient().api.signIn(u.email, u.password), 401, 'user_blocked');
      await sdkError(newClient().api.signIn(u.email, strongPassword()), 401, 'user_invalid_credentials');
    });
  });

  describe(`${label}: logs and identities`, () => {
    it('listLogs shows user.create and session.create, newest first, with limit/offset', async () => {
      const u = await signedIn('Logger');
      const logs = plain(await u.api.listLogs());
      assert.deepEqual(Object.keys(logs), ['total', 'logs']);
      assert.equal(logs.total, 2);
      assert.deepEqual(logs.logs.map((l) => l.event), ['session.create', 'user.create']);
      for (const l of logs.logs) {
        assertLog(l, { userId: u.user.$id, userEmail: u.email, userName: 'Logger', mode: 'default',
          countryCode: '--', countryName: 'Unknown' });
        if (EXPECTED_IP) assert.equal(l.ip, EXPECTED_IP);
      }
      assert.ok(logs.logs[0].time >= logs.logs[1].time, 'newest first');
      const page = plain(await u.api.listLogs([Query.limit(1)]));
      assert.equal(page.total, 2, 'total ignores limit');
      assert.deepEqual(page.logs.map((l) => l.event), ['session.create']);
      const second = plain(await u.api.listLogs([Query.limit(1), Query.offset(1)]));
      assert.deepEqual(second.logs.map((l) => l.event), ['user.create']);
      await u.api.updateName('Logger 2');
      assert.equal(plain(await u.api.listLogs()).logs[0].event, 'user.update');
    });

    it('listLogs refuses other query methods with 400 general_argument_invalid', async () => {
      const u = await signedIn();
      await sdkError(u.api.listLogs([Query.equal('event', ['user.create'])]), 400, 'general_argument_invalid');
      await sdkError(u.api.listLogs([Query.limit(0)]), 400, 'general_argument_invalid');
    });

    it('listIdentities is empty; deleteIdentity of an unknown id is 404 user_identity_not_found', async () => {
      const u = await signedIn();
      assert.deepEqual(plain(await u.api.listIdentities()), { total: 0, identities: [] });
      assert.deepEqual(plain(await u.api.listIdentities([Query.limit(5)])), { total: 0, identities: [] });
      await sdkError(u.api.deleteIdentity('identity404'), 404, 'user_identity_not_found');
    });
  });

  describe(`${label}: JWT`, () => {
    it('createJWT gives a token a JWT-only client can use; a JWT client cannot mint another (404)', async () => {
      const u = await signedIn();
      const jwt = plain(await u.api.createJWT());
      assert.deepEqual(Object.keys(jwt), ['jwt']);
      assert.match(jwt.jwt, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      const payload = JSON.parse(Buffer.from(jwt.jwt.split('.')[1], 'base64url').toString('utf8'));
      assert.equal(payload.userId, u.user.$id);
      assert.equal(payload.sessionId, u.session.$id);
      assert.ok(Math.abs(payload.exp - (Date.now() / 1000 + 900)) < 60, 'exp = now + 900 s');
      const j = newClient({ jwt: jwt.jwt });
      assertAccount(await j.api.get(), { $id: u.user.$id, email: u.email });
      const sessions = plain(await j.api.listSessions());
      assert.ok(sessions.sessions.every((s) => s.current === false), 'no current session with a JWT');
      await sdkError(j.api.createJWT(), 404, 'user_session_not_found');
      await sdkError(j.api.getSession('current'), 404, 'user_session_not_found');
    });
  });

  describe(`${label}: anonymous accounts`, () => {
    it('anonymous session, then updateEmail converts it into an email/password account', async () => {
      const c = newClient();
      const s = assertSession(await c.api.anonymous(), { provider: 'anonymous', factors: ['anonymous'],
        providerUid: '', current: true });
      assertAccount(await c.api.get(), { $id: s.userId, email: '', name: '', phone: '', passwordUpdate: '',
        targets: [] });
      const email = uniqueEmail('anon');
      const password = strongPassword();
      const before = Date.now();
      const acc = assertAccount(await c.api.updateEmail(email, password), { $id: s.userId, email });
      assertTimeNear(acc.passwordUpdate, before, 60000, 'the given password became the account password');
      assertSession(await newClient().api.signIn(email, password), { userId: s.userId, provider: 'email' });
      await sdkError(newClient().api.signIn(email, strongPassword()), 401, 'user_invalid_credentials');
    });

    it('an anonymous user sets a password without oldPassword; updateEmail then requires it', async () => {
      const c = newClient();
      await c.api.anonymous();
      const password = strongPassword();
      assert.notEqual((await c.api.updatePassword(password)).passwordUpdate, '');
      await sdkError(c.api.updateEmail(uniqueEmail(), strongPassword()), 401, 'user_invalid_credentials');
      const email = uniqueEmail('anonpw');
      assertAccount(await c.api.updateEmail(email, password), { email });
      await newClient().api.signIn(email, password);
    });
  });

  describe(`${label}: sessions`, () => {
    it('listSessions marks only the caller session current; getSession(current) is it', async () => {
      const u = await signedIn();
      const other = newClient();
      const second = plain(await other.api.signIn(u.email, u.password));
      const list = plain(await u.api.listSessions());
      assert.deepEqual(Object.keys(list), ['total', 'sessions']);
      assert.equal(list.total, 2);
      assert.deepEqual(list.sessions.map((s) => s.$id), [u.session.$id, second.$id], 'oldest first');
      assert.deepEqual(list.sessions.map((s) => s.current), [true, false]);
      list.sessions.forEach((s) => assertSession(s, { userId: u.user.$id }));
      assertSession(await u.api.getSession('current'), { $id: u.session.$id, current: true });
      assertSession(await other.api.getSession('current'), { $id: second.$id, current: true });
      assertSession(await u.api.getSession(second.$id), { $id: second.$id, current: false });
      await sdkError(u.api.getSession('nosuchsession'), 404, 'user_session_not_found');
    });

    it('updateSession(current) extends expire', async () => {
      const u = await signedIn();
      const before = Date.parse((await u.api.getSession('current')).expire);
      await sleep(50);
      const updated = assertSession(await u.api.updateSession('current'), { $id: u.session.$id });
      assert.ok(Date.parse(updated.expire) > before, `expire moved forward (${updated.expire})`);
      assertTimeNear(updated.expire, Date.now() + YEAR_MS, 60000, 'expire = now + duration');
      assert.equal((await u.api.getSession('current')).expire, updated.expire, 'stored');
    });

    it('deleteSession(current) logs out: get() is then 401 general_unauthorized_scope', async () => {
      const u = await signedIn();
      await u.api.deleteSession('current');
      assert.equal(u.storage.getItem('cookieFallback'), '[]', 'the SDK stored the cleared fallback');
      await sdkError(u.api.get(), 401, 'general_unauthorized_scope');
      // Signing in again on the same client works (the stale "[]" is no obstacle).
      await u.api.signIn(u.email, u.password);
      assertAccount(await u.api.get(), { $id: u.user.$id });
    });

    it('deleteSession(id) ends another device only', async () => {
      const u = await signedIn();
      const other = newClient();
      const second = plain(await other.api.signIn(u.email, u.password));
      await u.api.deleteSession(second.$id);
      await sdkError(other.api.get(), 401, 'general_unauthorized_scope');
      assertAccount(await u.api.get(), { $id: u.user.$id });
    });

    it('deleteSessions ends every session, the caller\'s included', async () => {
      const u = await signedIn();
      const other = newClient();
      await other.api.signIn(u.email, u.password);
      await u.api.deleteSessions();
      await sdkError(u.api.get(), 401, 'general_unauthorized_scope');
      await sdkError(other.api.get(), 401, 'general_unauthorized_scope');
    });
  });

  describe(`${label}: account deletion`, () => {
    it('DELETE /account removes the user: its session and its credentials stop working', async () => {
      const u = await signedIn();
      await u.api.deleteAccount();
      await sdkError(u.api.get(), 401, 'general_unauthorized_scope');
      await sdkError(newClient().api.signIn(u.email, u.password), 401, 'user_invalid_credentials');
      // The address is free again.
      assertAccount(await newClient().api.create(ID.unique(), u.email, strongPassword()), { email: u.email });
    });
  });
}
