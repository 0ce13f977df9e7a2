// settings.test.mjs: project auth settings (spec/CONTRACT.md 1.7, 7), each on a fresh project created
// by admin SQL with the setting already in place (schema/001_core.sql, projects.auth_* columns).
// Skipped without LATCHKEY_MYSQL_DEFAULTS.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, signUp, signIn, whoami, assertError, assertTimeNear, createProject, dropProjects, uniqueEmail,
  strongPassword, sleep, cookieName, NO_SQL,
} from './lib.mjs';

after(dropProjects);

const account = (over = {}) => ({ userId: 'unique()', email: uniqueEmail('set'), password: strongPassword(), ...over });

describe('project settings', { skip: NO_SQL }, () => {
  it('auth_max_sessions=2: a third session evicts the oldest', async () => {
    const project = createProject({ auth_max_sessions: 2 });
    const user = await signUp({ project });
    const s1 = await signIn(user);
    const s2 = await signIn(user);
    const s3 = await signIn(user);
    assertError(await whoami({ project, auth: s1 }), 401, 'general_unauthorized_scope');
    assert.equal((await whoami({ project, auth: s2 })).status, 200);
    const list = await api('GET', '/account/sessions', { project, auth: s3 });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.body.sessions.map((s) => s.$id), [s2.id, s3.id]);
    assert.equal(list.body.total, 2);
  });

  it('auth_email_password=0: sign-up and email sign-in are 501 user_auth_method_unsupported', async () => {
    const project = createProject({ auth_email_password: 0 });
    assertError(await api('POST', '/account', { project, json: account() }), 501, 'user_auth_method_unsupported');
    assertError(await api('POST', '/account/sessions/email', { project,
      json: { email: uniqueEmail(), password: strongPassword() } }), 501, 'user_auth_method_unsupported');
    assertError(await api('POST', '/account/sessions', { project,
      json: { email: uniqueEmail(), password: strongPassword() } }), 501, 'user_auth_method_unsupported');
    const anon = await api('POST', '/account/sessions/anonymous', { project });
    assert.equal(anon.status, 201, `other methods stay on: ${anon.text}`);
  });

  it('auth_anonymous=0: anonymous sessions are 501 user_auth_method_unsupported', async () => {
    const project = createProject({ auth_anonymous: 0 });
    assertError(await api('POST', '/account/sessions/anonymous', { project }), 501, 'user_auth_method_unsupported');
    const user = await signUp({ project });
    await signIn(user);
  });

  it('auth_jwt=0: POST /account/jwts is 501 user_auth_method_unsupported', async () => {
    const project = createProject({ auth_jwt: 0 });
    const session = await signIn(await signUp({ project }));
    assertError(await api('POST', '/account/jwts', { project, auth: session, json: {} }), 501,
      'user_auth_method_unsupported');
  });

  it('auth_limit=1: the second account is 400 user_count_exceeded (anonymous too)', async () => {
    const project = createProject({ auth_limit: 1 });
    await signUp({ project });
    assertError(await api('POST', '/account', { project, json: account() }), 400, 'user_count_exceeded');
    assertError(await api('POST', '/account/sessions/anonymous', { project }), 400, 'user_count_exceeded');
  });

  it('auth_password_dictionary=1: common passwords are 400 general_argument_invalid', async () => {
    const project = createProject({ auth_password_dictionary: 1 });
    for (const password of ['password', '12345678', 'iloveyou']) {
      assertError(await api('POST', '/account', { project, json: account({ password }) }), 400,
        'general_argument_invalid');
    }
    const user = await signUp({ project });
    const session = await signIn(user);
    assertError(await api('PATCH', '/account/password', { project, auth: session,
      json: { password: 'password', oldPassword: user.password } }), 400, 'general_argument_invalid');
    const ok = await api('PATCH', '/account/password', { project, auth: session,
      json: { password: strongPassword(), oldPassword: user.password } });
    assert.equal(ok.status, 200, ok.text);
  });

  it('auth_personal_data_check=1: passwords containing id, email or name are 400 password_personal_data', async () => {
    const project = createProject({ auth_personal_data_check: 1 });
    const local = `pd${Date.now().toString(36)}`;
    const email = `${local}@example.com`;
    assertError(await api('POST', '/account', { project, json: account({ email, password: `xx${local.toUpperCase()}yy` }) }),
      400, 'password_personal_data');
    assertError(await api('POST', '/account', { project,
      json: account({ name: 'Marguerite', password: 'my-marguerite-1' }) }), 400, 'password_personal_data');
    assertError(await api('POST', '/account', { project,
      json: account({ userId: 'personal42x', password: 'aaPersonal42xbb' }) }), 400, 'password_personal_data');
    const user = await signUp({ project, name: 'Bartholomew' });
    const session = await signIn(user);
    assertError(await api('PATCH', '/account/password', { project, auth: session,
      json: { password: 'bartholomew-2024', oldPassword: user.password } }), 400, 'password_personal_data');
  });

  it('auth_password_history=2: a recent password is 400 password_recently_used', async () => {
    const project = createProject({ auth_password_history: 2 });
    const user = await signUp({ project });
    const session = await signIn(user);
    const change = (password, oldPassword) =>
      api('PATCH', '/account/password', { project, auth: session, json: { password, oldPassword } });
    const a = user.password;
    const b = strongPassword();
    const c = strongPassword();
    assertError(await change(a, a), 400, 'password_recently_used');
    assert.equal((await change(b, a)).status, 200);
    assertError(await change(a, b), 400, 'password_recently_used');
    assert.equal((await change(c, b)).status, 200);
    assertError(await change(b, c), 400, 'password_recently_used');
    const res = await change(a, c);
    assert.equal(res.status, 200, `only the last 2 are remembered: ${res.text}`);
  });

  it('auth_duration=1: the session and its cookie expire after a second', async () => {
    const project = createProject({ auth_duration: 1 });
    const user = await signUp({ project });
    const before = Date.now();
    const session = await signIn(user);
    assertTimeNear(session.res.body.expire, before + 1000, 5000, 'expire = now + 1 s');
    const cookie = session.res.cookies.find((c) => c.name === cookieName(project));
    const expiry = cookie.attrs['max-age'] !== undefined ? before + Number(cookie.attrs['max-age']) * 1000
      : Date.parse(cookie.attrs.expires);
    assert.ok(expiry - before < 10000, `cookie expiry follows the session (${cookie.line})`);
    assert.equal((await whoami({ project, auth: session })).status, 200);
    await sleep(2100);
    assertError(await whoami({ project, auth: session }), 401, 'general_unauthorized_scope');
    assertError(await whoami({ project, headers: { 'X-Appwrite-Session': session.token } }), 401,
      'general_unauthorized_scope');
  });

  it('service_account=0: 403 general_service_disabled', async () => {
    const project = createProject({ service_account: 0 });
    assertError(await whoami({ project }), 403, 'general_service_disabled');
    assertError(await api('POST', '/account', { project, json: account() }), 403, 'general_service_disabled');
    assertError(await api('POST', '/account/sessions/anonymous', { project }), 403, 'general_service_disabled');
  });

  it('api_rest=0: 403 general_api_disabled', async () => {
    const project = createProject({ api_rest: 0 });
    assertError(await api('POST', '/account', { project, json: account() }), 403, 'general_api_disabled');
    assertError(await api('POST', '/account/sessions/anonymous', { project }), 403, 'general_api_disabled');
  });

  it('projects are isolated: a session of one project means nothing in another', async () => {
    const p1 = createProject();
    const p2 = createProject();
    const user = await signUp({ project: p1 });
    const session = await signIn(user);
    assert.equal((await whoami({ project: p1, auth: session })).status, 200);
    const token = session.token;
    assertError(await whoami({ project: p2, headers: { Cookie: `${cookieName(p2)}=${encodeURIComponent(token)}` } }),
      401, 'general_unauthorized_scope');
    assertError(await whoami({ project: p2, headers: { 'X-Appwrite-Session': token } }), 401,
      'general_unauthorized_scope');
    // The same email can sign up in the other project.
    const again = await api('POST', '/account', { project: p2, json: account({ email: user.email }) });
    assert.equal(again.status, 201, again.text);
  });
});
