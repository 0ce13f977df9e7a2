// sessions.test.mjs: sessions and JWTs by raw HTTP (spec/ACCOUNT_ENDPOINTS.md E14-E21, SECURITY.md 6, 10).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, signUp, signIn, newSignedIn, anonymous, whoami, assertSession, assertAccount, assertError, assertTimeNear,
  sessionFrom, strongPassword, uniqueEmail, sleep, SERVER_ID, EXPECTED_IP,
} from './lib.mjs';

const YEAR_MS = 31536000 * 1000;
const decodeJwtPart = (jwt, i) => JSON.parse(Buffer.from(jwt.split('.')[i], 'base64url').toString('utf8'));

describe('creating sessions', () => {
  it('POST /account/sessions/email: 201 Session with the documented values', async () => {
    const user = await signUp();
    const before = Date.now();
    const res = await api('POST', '/account/sessions/email', { json: { email: user.email, password: user.password } });
    assert.equal(res.status, 201, res.text);
    const s = assertSession(res.body, {
      userId: user.id, provider: 'email', providerUid: user.email, factors: ['password'], current: true,
      countryCode: '--', countryName: 'Unknown', providerAccessToken: '', providerRefreshToken: '',
      providerAccessTokenExpiry: '', mfaUpdatedAt: '',
    });
    assert.match(s.$id, SERVER_ID);
    if (EXPECTED_IP) assert.equal(s.ip, EXPECTED_IP);
    assertTimeNear(s.$createdAt, before, 60000, '$createdAt');
    assertTimeNear(s.expire, before + YEAR_MS, 60000, 'expire');
  });

  it('the deprecated alias POST /account/sessions works the same', async () => {
    const user = await signUp();
    const res = await api('POST', '/account/sessions', { json: { email: user.email, password: user.password } });
    assert.equal(res.status, 201, res.text);
    assertSession(res.body, { userId: user.id, provider: 'email', current: true });
    assert.equal((await whoami({ auth: sessionFrom(res) })).body.$id, user.id);
  });

  it('POST /account/sessions/anonymous: a user without email, name or password', async () => {
    const res = await api('POST', '/account/sessions/anonymous');
    assert.equal(res.status, 201, res.text);
    const s = assertSession(res.body, { provider: 'anonymous', providerUid: '', factors: ['anonymous'], current: true });
    const me = await whoami({ auth: sessionFrom(res) });
    assert.equal(me.status, 200, me.text);
    assertAccount(me.body, { $id: s.userId, email: '', phone: '', name: '', passwordUpdate: '', targets: [],
      status: true });
  });

  it('device fields come from the User-Agent (spec/CONTRACT.md 9.4 examples), on the session and its log', async () => {
    const user = await signUp();
    const chrome = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) ' +
      'Chrome/70.0.3538.77 Safari/537.36';
    const res = await api('POST', '/account/sessions/email', { headers: { 'User-Agent': chrome },
      json: { email: user.email, password: user.password } });
    assert.equal(res.status, 201, res.text);
    const expected = { osCode: 'WIN', osName: 'Windows', osVersion: '10', clientType: 'browser', clientCode: 'CH',
      clientName: 'Chrome', clientVersion: '70.0', clientEngine: 'Blink', deviceName: 'desktop', deviceBrand: '',
      deviceModel: '' };
    assertSession(res.body, expected);
    const logs = await api('GET', '/account/logs', { auth: sessionFrom(res) });
    assert.equal(logs.body.logs[0].event, 'session.create');
    for (const [k, v] of Object.entries(expected)) assert.equal(logs.body.logs[0][k], v, `Log.${k}`);
    const cli = await api('POST', '/account/sessions/anonymous', { headers: { 'User-Agent': 'AppwriteCLI/4.1.0 (Linux; x64)' } });
    assert.equal(cli.status, 201, cli.text);
    assertSession(cli.body, { clientType: 'desktop', clientCode: 'cli', clientName: 'Appwrite CLI', clientVersion: '4.1.0' });
  });

  it('a session is tied to its user: the token of one user never authenticates as another', async () => {
    const a = await newSignedIn();
    const b = await newSignedIn();
    const { secret } = JSON.parse(Buffer.from(a.session.token, 'base64').toString('utf8'));
    const forged = Buffer.from(JSON.stringify({ id: b.user.id, secret })).toString('base64');
    assertError(await whoami({ headers: { 'X-Appwrite-Session': forged } }), 401, 'general_unauthorized_scope');
  });
});

describe('listing, reading and extending sessions', () => {
  it('GET /account/sessions lists all sessions oldest first, only the caller current', async () => {
    const { user, session } = await newSignedIn();
    const s2 = await signIn(user);
    const s3 = await signIn(user);
    const res = await api('GET', '/account/sessions', { auth: s2 });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body), ['total', 'sessions']);
    assert.equal(res.body.total, 3);
    assert.deepEqual(res.body.sessions.map((s) => s.$id), [session.id, s2.id, s3.id]);
    assert.deepEqual(res.body.sessions.map((s) => s.current), [false, true, false]);
    res.body.sessions.forEach((s) => assertSession(s, { userId: user.id, secret: '' }));
  });

  it('GET /account/sessions/{id}: own session 200, unknown or another user\'s 404', async () => {
    const a = await newSignedIn();
    const b = await newSignedIn();
    const own = await api('GET', `/account/sessions/${a.session.id}`, { auth: a.session });
    assert.equal(own.status, 200, own.text);
    assertSession(own.body, { $id: a.session.id, current: true });
    assertError(await api('GET', `/account/sessions/${b.session.id}`, { auth: a.session }), 404,
      'user_session_not_found');
    assertError(await api('GET', '/account/sessions/doesnotexist', { auth: a.session }), 404,
      'user_session_not_found');
    assertError(await api('GET', '/account/sessions/bad$id', { auth: a.session }), 400, 'general_argument_invalid');
  });

  it('PATCH /account/sessions/current extends expire and does not re-issue the cookie', async () => {
    const { session } = await newSignedIn();
    const before = Date.parse((await api('GET', '/account/sessions/current', { auth: session })).body.expire);
    await sleep(50);
    const res = await api('PATCH', '/account/sessions/current', { auth: session, json: {} });
    assert.equal(res.status, 200, res.text);
    assertSession(res.body, { $id: session.id });
    assert.ok(Date.parse(res.body.expire) > before, 'expire moved forward');
    assert.deepEqual(res.cookies, [], 'no Set-Cookie on session update (spec 2.4)');
    assertError(await api('PATCH', `/account/sessions/nosuchsession`, { auth: session, json: {} }), 404,
      'user_session_not_found');
  });
});

describe('ending sessions', () => {
  it('DELETE /account/sessions/{other} ends that session only and keeps the caller\'s cookies', async () => {
    const { user, session } = await newSignedIn();
    const other = await signIn(user);
    const res = await api('DELETE', `/account/sessions/${other.id}`, { auth: session, json: {} });
    assert.equal(res.status, 204, res.text);
    assert.equal(res.text, '');
    assert.deepEqual(res.cookies, [], 'cookies are cleared only when the current session ends');
    assertError(await whoami({ auth: other }), 401, 'general_unauthorized_scope');
    assert.equal((await whoami({ auth: session })).status, 200);
    assertError(await api('DELETE', `/account/sessions/${other.id}`, { auth: session, json: {} }), 404,
      'user_session_not_found');
  });

  it('DELETE /account/sessions/current logs out', async () => {
    const { session } = await newSignedIn();
    const res = await api('DELETE', '/account/sessions/current', { auth: session, json: {} });
    assert.equal(res.status, 204, res.text);
    assertError(await whoami({ auth: session }), 401, 'general_unauthorized_scope');
  });

  it('DELETE /account/sessions ends all of them', async () => {
    const { user, session } = await newSignedIn();
    const other = await signIn(user);
    const res = await api('DELETE', '/account/sessions', { auth: session, json: {} });
    assert.equal(res.status, 204, res.text);
    assertError(await whoami({ auth: session }), 401, 'general_unauthorized_scope');
    assertError(await whoami({ auth: other }), 401, 'general_unauthorized_scope');
  });

  it('a password change ends the other sessions and keeps the current one (SECURITY.md 6)', async () => {
    const { user, session } = await newSignedIn();
    const other = await signIn(user);
    const password = strongPassword();
    const res = await api('PATCH', '/account/password', { auth: session,
      json: { password, oldPassword: user.password } });
    assert.equal(res.status, 200, res.text);
    assert.equal((await whoami({ auth: session })).status, 200, 'the current session stays');
    assertError(await whoami({ auth: other }), 401, 'general_unauthorized_scope');
    const list = await api('GET', '/account/sessions', { auth: session });
    assert.deepEqual(list.body.sessions.map((s) => s.$id), [session.id]);
  });

  it('a blocked user: correct password is 401 user_blocked, wrong one user_invalid_credentials', async () => {
    const { user, session } = await newSignedIn();
    const res = await api('PATCH', '/account/status', { auth: session, json: {} });
    assert.equal(res.status, 200, res.text);
    assertAccount(res.body, { status: false });
    assertError(await whoami({ auth: session }), 401, 'user_blocked');
    assertError(await api('POST', '/account/sessions/email', { json: { email: user.email, password: user.password } }),
      401, 'user_blocked');
    assertError(await api('POST', '/account/sessions/email', { json: { email: user.email, password: strongPassword() } }),
      401, 'user_invalid_credentials');
  });
});

describe('JWT', () => {
  it('POST /account/jwts: 201 {jwt}, HS256, claims userId/sessionId/exp', async () => {
    const { user, session } = await newSignedIn();
    const res = await api('POST', '/account/jwts', { auth: session, json: {} });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(Object.keys(res.body), ['jwt']);
    assert.deepEqual(decodeJwtPart(res.body.jwt, 0), { typ: 'JWT', alg: 'HS256' });
    const claims = decodeJwtPart(res.body.jwt, 1);
    assert.equal(claims.userId, user.id);
    assert.equal(claims.sessionId, session.id);
    assert.ok(Math.abs(claims.exp - (Date.now() / 1000 + 900)) < 60, 'exp = now + 900 s');
  });

  it('the alias POST /account/jwt works', async () => {
    const { session } = await newSignedIn();
    const res = await api('POST', '/account/jwt', { auth: session, json: {} });
    assert.equal(res.status, 201, res.text);
    assert.equal((await whoami({ jwt: res.body.jwt })).status, 200);
  });

  it('X-Appwrite-JWT authenticates; no current session with a JWT', async () => {
    const { user, session } = await newSignedIn();
    const { jwt } = (await api('POST', '/account/jwts', { auth: session, json: {} })).body;
    const me = await whoami({ jwt });
    assert.equal(me.status, 200, me.text);
    assertAccount(me.body, { $id: user.id });
    const list = await api('GET', '/account/sessions', { jwt });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.body.sessions.map((s) => s.current), [false]);
    assertError(await api('GET', '/account/sessions/current', { jwt }), 404, 'user_session_not_found');
    assertError(await api('POST', '/account/jwts', { jwt, json: {} }), 404, 'user_session_not_found');
    const byId = await api('GET', `/account/sessions/${session.id}`, { jwt });
    assert.equal(byId.status, 200, byId.text);
    assert.equal(byId.body.current, false);
  });

  it('a JWT overrides the session cookie', async () => {
    const a = await newSignedIn();
    const b = await newSignedIn();
    const { jwt } = (await api('POST', '/account/jwts', { auth: b.session, json: {} })).body;
    assert.equal((await whoami({ auth: a.session, jwt })).body.$id, b.user.id);
  });

  it('garbage, tampered or unsigned JWTs are 401 user_jwt_invalid, even on guest routes', async () => {
    const { session } = await newSignedIn();
    const { jwt } = (await api('POST', '/account/jwts', { auth: session, json: {} })).body;
    const [h, p, sig] = jwt.split('.');
    const other = Buffer.from(JSON.stringify({ ...decodeJwtPart(jwt, 1), userId: 'someoneelse' })).toString('base64url');
    const none = `${Buffer.from('{"typ":"JWT","alg":"none"}').toString('base64url')}.${p}.`;
    const flipped = sig.slice(0, -2) + (sig.at(-2) === 'A' ? 'B' : 'A') + sig.at(-1);
    for (const bad of ['garbage', 'a.b.c', `${h}.${other}.${sig}`, none, `${h}.${p}.${flipped}`, `${h}.${p}`]) {
      assertError(await whoami({ jwt: bad }), 401, 'user_jwt_invalid');
    }
    assertError(await api('POST', '/account/sessions/email', { jwt: 'garbage',
      json: { email: uniqueEmail(), password: strongPassword() } }), 401, 'user_jwt_invalid');
  });

  it('a JWT is refused once its session is deleted (SECURITY.md 10)', async () => {
    const { user, session } = await newSignedIn();
    const { jwt } = (await api('POST', '/account/jwts', { auth: session, json: {} })).body;
    assert.equal((await whoami({ jwt })).status, 200);
    assert.equal((await api('DELETE', '/account/sessions/current', { auth: session, json: {} })).status, 204);
    // Appwrite turns the caller into a guest (401 general_unauthorized_scope); refusing the token as
    // user_jwt_invalid is equally acceptable to the SDK. Both are 401.
    const res = await whoami({ jwt });
    assert.equal(res.status, 401, res.text);
    assert.ok(['general_unauthorized_scope', 'user_jwt_invalid'].includes(res.body?.type), res.text);
    // And it grants nothing else: the user is still there for a new sign-in.
    assert.equal((await whoami({ auth: await signIn(user) })).status, 200);
  });

  it('a JWT of a blocked user is 401 user_blocked', async () => {
    const { session } = await newSignedIn();
    const { jwt } = (await api('POST', '/account/jwts', { auth: session, json: {} })).body;
    await api('PATCH', '/account/status', { auth: session, json: {} });
    assertError(await whoami({ jwt }), 401, 'user_blocked');
  });

  it('with a JWT, `current` names no session (404) but sessions can be ended by id', async () => {
    const { session } = await newSignedIn();
    const { jwt } = (await api('POST', '/account/jwts', { auth: session, json: {} })).body;
    assertError(await api('PATCH', '/account/sessions/current', { jwt, json: {} }), 404, 'user_session_not_found');
    assertError(await api('DELETE', '/account/sessions/current', { jwt, json: {} }), 404, 'user_session_not_found');
    const res = await api('DELETE', `/account/sessions/${session.id}`, { jwt, json: {} });
    assert.equal(res.status, 204, res.text);
    assert.deepEqual(res.cookies, [], 'not the caller\'s current session: no cookie clearing');
    assertError(await whoami({ auth: session }), 401, 'general_unauthorized_scope');
  });

  it('an anonymous session can mint a JWT too', async () => {
    const s = await anonymous();
    const res = await api('POST', '/account/jwts', { auth: s, json: {} });
    assert.equal(res.status, 201, res.text);
    assert.equal((await whoami({ jwt: res.body.jwt })).body.$id, s.userId);
  });
});
