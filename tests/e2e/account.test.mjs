// account.test.mjs: POST/GET/DELETE /account and the profile routes by raw HTTP: exact bodies, every
// validation error (spec/ACCOUNT_ENDPOINTS.md 1.11, 3.1), project resolution and the error body shape.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, signUp, signIn, newSignedIn, anonymous, whoami, assertAccount, assertError, uniqueEmail, strongPassword,
  hex, SERVER_ID, PROJECT, sql, NO_SQL, sleep,
} from './lib.mjs';

const createBody = (over = {}) => ({ userId: 'unique()', email: uniqueEmail('acct'), password: strongPassword(),
  name: 'Raw User', ...over });

describe('POST /account', () => {
  it('201 Account, email lower-cased, no cookie and no fallback header', async () => {
    const email = uniqueEmail('raw');
    const res = await api('POST', '/account', { json: createBody({ email: email.toUpperCase() }) });
    assert.equal(res.status, 201, res.text);
    assert.match(res.headers.get('content-type'), /^application\/json; charset=utf-8$/i);
    const acc = assertAccount(res.body, { email, name: 'Raw User', status: true, prefs: {} });
    assert.match(acc.$id, SERVER_ID);
    assert.deepEqual(res.cookies, [], 'sign-up sets no cookie');
    assert.equal(res.headers.get('x-fallback-cookies'), null);
    assert.ok(!/"(password|hash|hashOptions)"/.test(res.text), 'no password data in the body');
  });

  it('name is optional and defaults to ""', async () => {
    const { name, ...body } = createBody();
    const res = await api('POST', '/account', { json: body });
    assert.equal(res.status, 201, res.text);
    assertAccount(res.body, { name: '' });
  });

  it('accepts the boundaries: 36-char id, 8- and 256-byte passwords, 128-character names', async () => {
    const id = `a${hex(17)}x`.slice(0, 36);
    assert.equal(id.length, 36);
    for (const body of [
      createBody({ userId: id }),
      createBody({ password: 'Ab3$efgh' }),
      createBody({ password: 'p'.repeat(256) }),
      createBody({ name: 'n'.repeat(128) }),
      createBody({ name: 'é'.repeat(128) }),
      createBody({ userId: `A.b-c_${hex(4)}` }),
    ]) {
      const res = await api('POST', '/account', { json: body });
      assert.equal(res.status, 201, `${JSON.stringify(body).slice(0, 120)}: ${res.text}`);
      if (body.userId !== 'unique()') assert.equal(res.body.$id, body.userId);
      if (body.name) assert.equal(res.body.name, body.name);
    }
  });

  const invalid = {
    'malformed email': { email: 'not-an-email' },
    'email without domain': { email: 'someone@' },
    'email with a space': { email: 'some one@example.com' },
    'password of 7 bytes': { password: 'Ab3$efg' },
    'password of 257 bytes': { password: 'p'.repeat(257) },
    'userId with a leading -': { userId: '-abc' },
    'userId with a leading _': { userId: '_abc' },
    'userId with a leading .': { userId: '.abc' },
    'userId with a space': { userId: 'a b' },
    'userId with a slash': { userId: 'a/b' },
    'userId starting with $': { userId: '$abc' },
    'userId of 37 characters': { userId: 'a'.repeat(37) },
    'userId with non-ASCII': { userId: 'usér' },
    'name of 129 characters': { name: 'n'.repeat(129) },
    'name of 129 multibyte characters': { name: 'é'.repeat(129) },
  };
  for (const [what, over] of Object.entries(invalid)) {
    it(`${what} is 400 general_argument_invalid`, async () => {
      const res = await api('POST', '/account', { json: createBody(over) });
      assertError(res, 400, 'general_argument_invalid');
    });
  }

  it('a missing param is 400 `Param "email" is not optional.`', async () => {
    const { email, ...body } = createBody();
    assertError(await api('POST', '/account', { json: body }), 400, 'general_argument_invalid',
      'Param "email" is not optional.');
    const { password, ...noPassword } = createBody();
    assertError(await api('POST', '/account', { json: noPassword }), 400, 'general_argument_invalid',
      'Param "password" is not optional.');
    const { userId, ...noId } = createBody();
    assertError(await api('POST', '/account', { json: noId }), 400, 'general_argument_invalid',
      'Param "userId" is not optional.');
  });

  it('duplicate email (any case) and duplicate id are 409 user_already_exists', async () => {
    const user = await signUp();
    assertError(await api('POST', '/account', { json: createBody({ email: user.email }) }), 409,
      'user_already_exists');
    assertError(await api('POST', '/account', { json: createBody({ email: user.email.toUpperCase() }) }), 409,
      'user_already_exists');
    assertError(await api('POST', '/account', { json: createBody({ userId: user.id }) }), 409,
      'user_already_exists');
  });

  it('concurrent sign-ups with one email create exactly one account', async () => {
    const email = uniqueEmail('race');
    const results = await Promise.all(Array.from({ length: 8 }, () =>
      api('POST', '/account', { json: createBody({ email }) })));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409], results.map((r) => r.text).join('\n'));
    for (const r of results.filter((x) => x.status === 409)) assertError(r, 409, 'user_already_exists');
  });

  it('a signed-in caller may create another account and stays who it was', async () => {
    const { user, session } = await newSignedIn();
    const res = await api('POST', '/account', { auth: session, json: createBody() });
    assert.equal(res.status, 201, res.text);
    assert.notEqual(res.body.$id, user.id);
    assert.deepEqual(res.cookies, []);
    assert.equal((await whoami({ auth: session })).body.$id, user.id);
  });
});

describe('GET /account', () => {
  it('signed out: 401 general_unauthorized_scope', async () => {
    assertError(await whoami(), 401, 'general_unauthorized_scope');
  });

  it('signed in: 200 Account of the caller', async () => {
    const { user, session } = await newSignedIn({ name: 'Getter' });
    const res = await whoami({ auth: session });
    assert.equal(res.status, 200, res.text);
    assertAccount(res.body, { $id: user.id, email: user.email, name: 'Getter' });
  });

  // users.targets (schema/003) carries the Target models so that reading an account is one statement
  const storedTargets = (uid) => sql(`SELECT IFNULL(targets,'NULL') FROM users WHERE project_id='${PROJECT}' `
    + `AND id='${uid}'`).trim();

  it('users.targets is the targets table as answered, rewritten with the email change', { skip: NO_SQL },
    async () => {
      const { user, session } = await newSignedIn();
      const me = await whoami({ auth: session });
      assert.equal(me.body.targets.length, 1);
      assert.deepEqual(JSON.parse(storedTargets(user.id)), me.body.targets, 'stored at sign-up as answered');
      const email = uniqueEmail('retarget');
      const res = await api('PATCH', '/account/email', { auth: session, json: { email, password: user.password } });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.targets.map((t) => t.identifier), [email]);
      assert.deepEqual(JSON.parse(storedTargets(user.id)), res.body.targets, 'rewritten in the change');
      assert.deepEqual((await whoami({ auth: session })).body.targets, res.body.targets);
    });

  it('a NULL users.targets (hand edit, rows older than 003) is read from the targets table', { skip: NO_SQL },
    async () => {
      const { user, session } = await newSignedIn();
      sql(`UPDATE targets SET name='by hand' WHERE project_id='${PROJECT}' AND user_id='${user.id}'`);
      assert.equal((await whoami({ auth: session })).body.targets[0].name, '', 'the stored column answers');
      sql(`UPDATE users SET targets=NULL WHERE project_id='${PROJECT}' AND id='${user.id}'`);
      const me = await whoami({ auth: session });
      assert.equal(me.status, 200, me.text);
      assertAccount(me.body, { $id: user.id, email: user.email });
      assert.deepEqual(me.body.targets.map((t) => [t.name, t.identifier, t.userId]),
        [['by hand', user.email, user.id]]);
      assert.equal(storedTargets(user.id), 'NULL', 'a read never writes');
    });

  it('sign-up whose address is already another user\'s target: no target, users.targets []', { skip: NO_SQL },
    async () => {
      const owner = await signUp();
      const email = uniqueEmail('taken-target');
      sql(`INSERT INTO targets (project_id,id,user_id,provider_type,identifier,created_at,updated_at) VALUES `
        + `('${PROJECT}','${hex(10)}','${owner.id}','email','${email}',UTC_TIMESTAMP(3),UTC_TIMESTAMP(3))`);
      const { user, session } = await newSignedIn({ email });
      const me = await whoami({ auth: session });
      assert.equal(me.status, 200, me.text);
      assert.deepEqual(me.body.targets, []);
      assert.equal(storedTargets(user.id), '[]');
    });
});

describe('sign-in errors', () => {
  it('wrong password and unknown email are both 401 user_invalid_credentials', async () => {
    const user = await signUp();
    assertError(await api('POST', '/account/sessions/email', { json: { email: user.email, password: strongPassword() } }),
      401, 'user_invalid_credentials');
    assertError(await api('POST', '/account/sessions/email',
      { json: { email: uniqueEmail('ghost'), password: strongPassword() } }), 401, 'user_invalid_credentials');
  });

  it('10 failed passwords an hour per address, whatever the IP (SECURITY.md 3): then 429, right password too',
    async () => {
      // the counter lives in fixed hourly windows: do not start just before a window ends
      const toNextHour = 3600000 - (Date.now() % 3600000);
      if (toNextHour < 20000) await sleep(toNextHour + 200);
      const user = await signUp();
      const ghost = uniqueEmail('ghost-guess');
      for (let i = 0; i < 10; i++) {
        const headers = { 'X-Forwarded-For': `203.0.113.${i + 1}` };
        assertError(await api('POST', '/account/sessions/email',
          { json: { email: user.email, password: strongPassword() }, headers }), 401, 'user_invalid_credentials');
        assertError(await api('POST', '/account/sessions/email',
          { json: { email: ghost, password: strongPassword() }, headers }), 401, 'user_invalid_credentials');
      }
      assertError(await api('POST', '/account/sessions/email',
        { json: { email: user.email.toUpperCase(), password: user.password } }), 429, 'general_rate_limit_exceeded');
      // an unknown address is counted the same way
      assertError(await api('POST', '/account/sessions/email', { json: { email: ghost, password: strongPassword() } }),
        429, 'general_rate_limit_exceeded', 'Too many failed attempts for this account. Please try again after some time.');
      const other = await signUp();
      const s = await signIn(other);
      assert.equal(s.userId, other.id, 'another address is not affected');
    });

  it('the email is matched case-insensitively', async () => {
    const user = await signUp();
    const s = await signIn({ email: user.email.toUpperCase(), password: user.password });
    assert.equal(s.userId, user.id);
  });

  it('invalid email or password format is 400 general_argument_invalid', async () => {
    assertError(await api('POST', '/account/sessions/email', { json: { email: 'nope', password: strongPassword() } }),
      400, 'general_argument_invalid');
    assertError(await api('POST', '/account/sessions/email', { json: { email: uniqueEmail(), password: 'short' } }),
      400, 'general_argument_invalid');
    assertError(await api('POST', '/account/sessions/email', { json: { email: uniqueEmail() } }),
      400, 'general_argument_invalid', 'Param "password" is not optional.');
  });

  it('session routes refuse a signed-in caller with 401 user_session_already_exists', async () => {
    const { user, session } = await newSignedIn();
    const creds = { email: user.email, password: user.password };
    assertError(await api('POST', '/account/sessions/email', { auth: session, json: creds }), 401,
      'user_session_already_exists');
    assertError(await api('POST', '/account/sessions', { auth: session, json: creds }), 401,
      'user_session_already_exists');
    assertError(await api('POST', '/account/sessions/anonymous', { auth: session }), 401,
      'user_session_already_exists');
    const jwt = (await api('POST', '/account/jwts', { auth: session })).body.jwt;
    assertError(await api('POST', '/account/sessions/email', { jwt, json: creds }), 401,
      'user_session_already_exists');
  });
});

describe('profile validation (raw)', () => {
  it('PATCH /account/name: empty, too long, wrong type are 400', async () => {
    const { session } = await newSignedIn();
    for (const name of ['', 'x'.repeat(129), 42, null, ['a']]) {
      assertError(await api('PATCH', '/account/name', { auth: session, json: { name } }), 400,
        'general_argument_invalid');
    }
    assertError(await api('PATCH', '/account/name', { auth: session, json: {} }), 400, 'general_argument_invalid',
      'Param "name" is not optional.');
  });

  it('PATCH /account/email: own current address is 409 user_target_already_exists', async () => {
    const { user, session } = await newSignedIn();
    assertError(await api('PATCH', '/account/email', { auth: session, json: { email: user.email, password: user.password } }),
      409, 'user_target_already_exists');
    assertError(await api('PATCH', '/account/email', { auth: session, json: { email: 'bad', password: user.password } }),
      400, 'general_argument_invalid');
  });

  it('PATCH /account/phone: a phone used by another account is 409 user_phone_already_exists', async () => {
    const phone = `+4930${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const a = await newSignedIn();
    const b = await newSignedIn();
    let res = await api('PATCH', '/account/phone', { auth: a.session, json: { phone, password: a.user.password } });
    assert.equal(res.status, 200, res.text);
    assertAccount(res.body, { phone });
    res = await api('PATCH', '/account/phone', { auth: b.session, json: { phone, password: b.user.password } });
    assertError(res, 409, 'user_phone_already_exists');
    for (const bad of ['+0123456789', '+12345', '+1234567890123456', '4930123456', '+49 30 1234567']) {
      assertError(await api('PATCH', '/account/phone', { auth: b.session, json: { phone: bad, password: b.user.password } }),
        400, 'general_argument_invalid');
    }
  });

  it('PATCH /account/phone on an anonymous account sets the password too (conversion, E07)', async () => {
    const s = await anonymous();
    const phone = `+4930${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const password = strongPassword();
    const res = await api('PATCH', '/account/phone', { auth: s, json: { phone, password } });
    assert.equal(res.status, 200, res.text);
    assert.notEqual(assertAccount(res.body, { phone }).passwordUpdate, '');
    assertError(await api('PATCH', '/account/email', { auth: s, json: { email: uniqueEmail(), password: strongPassword() } }),
      401, 'user_invalid_credentials');
    const email = uniqueEmail('phoneconv');
    assert.equal((await api('PATCH', '/account/email', { auth: s, json: { email, password } })).status, 200);
    await signIn({ email, password });
  });

  it('PATCH /account/password: oldPassword shorter than 8 is 400', async () => {
    const { session } = await newSignedIn();
    assertError(await api('PATCH', '/account/password', { auth: session, json: { password: strongPassword(), oldPassword: 'short' } }),
      400, 'general_argument_invalid');
  });

  it('PATCH /account/prefs: an empty list is accepted as {} (Assoc validator)', async () => {
    const { session } = await newSignedIn();
    const res = await api('PATCH', '/account/prefs', { auth: session, json: { prefs: [] } });
    assert.equal(res.status, 200, res.text);
    assertAccount(res.body, { prefs: {} });
    assert.equal((await api('GET', '/account/prefs', { auth: session })).text.trim(), '{}', 'empty prefs are {}');
  });

  it('parameters a newer SDK sends are ignored (duration on JWTs, total on lists, extra keys)', async () => {
    const { session } = await newSignedIn();
    const jwt = await api('POST', '/account/jwts', { auth: session, json: { duration: 60 } });
    assert.equal(jwt.status, 201, jwt.text);
    const claims = JSON.parse(Buffer.from(jwt.body.jwt.split('.')[1], 'base64url').toString('utf8'));
    assert.ok(Math.abs(claims.exp - (Date.now() / 1000 + 900)) < 60, 'a 1.6 server keeps the 900 s lifetime');
    const logs = await api('GET', '/account/logs', { auth: session, query: { total: 'false' } });
    assert.equal(logs.status, 200, logs.text);
    const ids = await api('GET', '/account/identities', { auth: session, query: { total: 'true' } });
    assert.equal(ids.status, 200, ids.text);
    const name = await api('PATCH', '/account/name', { auth: session, json: { name: 'Extra', unexpected: { a: 1 } } });
    assert.equal(name.status, 200, name.text);
    assertAccount(name.body, { name: 'Extra' });
  });

  it('account routes need a user: 401 general_unauthorized_scope for guests', async () => {
    for (const [method, path, json] of [
      ['PATCH', '/account/name', { name: 'x' }], ['PATCH', '/account/email', { email: uniqueEmail(), password: strongPassword() }],
      ['PATCH', '/account/password', { password: strongPassword() }], ['PATCH', '/account/phone', { phone: '+14155550100', password: strongPassword() }],
      ['GET', '/account/prefs'], ['PATCH', '/account/prefs', { prefs: {} }], ['PATCH', '/account/status', {}],
      ['GET', '/account/logs'], ['GET', '/account/identities'], ['DELETE', '/account/identities/abc'],
      ['POST', '/account/jwts', {}], ['GET', '/account/sessions'], ['DELETE', '/account/sessions'],
      ['GET', '/account/sessions/current'], ['PATCH', '/account/sessions/current'],
      ['DELETE', '/account/sessions/current'], ['DELETE', '/account'],
    ]) {
      assertError(await api(method, path, { json }), 401, 'general_unauthorized_scope');
    }
  });
});

describe('logs and identities (raw)', () => {
  it('query strings as the SDK sends them: queries[0]=...', async () => {
    const { session } = await newSignedIn();
    const res = await api('GET', '/account/logs', { auth: session, query: { queries: ['{"method":"limit","values":[1]}'] } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.total, 2);
    assert.equal(res.body.logs.length, 1);
    for (const bad of ['not json', '{"method":"select","values":["event"]}', '{"method":"offset","values":[-1]}',
      '{"method":"orderDesc","attribute":"time"}']) {
      assertError(await api('GET', '/account/logs', { auth: session, query: { queries: [bad] } }), 400);
    }
  });

  it('identities: unknown attribute query is 400; bad identity id is 400', async () => {
    const { session } = await newSignedIn();
    const ok = await api('GET', '/account/identities', { auth: session,
      query: { queries: ['{"method":"equal","attribute":"provider","values":["github"]}'] } });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.body, { total: 0, identities: [] });
    assertError(await api('GET', '/account/identities', { auth: session,
      query: { queries: ['{"method":"equal","attribute":"password","values":["x"]}'] } }), 400);
    assertError(await api('DELETE', '/account/identities/-bad-id', { auth: session }), 400, 'general_argument_invalid');
    assertError(await api('DELETE', '/account/identities/nosuchidentity', { auth: session }), 404,
      'user_identity_not_found');
  });

  it('logs record user.update for profile changes and session.delete for logout', async () => {
    const { user, session } = await newSignedIn();
    await api('PATCH', '/account/name', { auth: session, json: { name: 'Changed' } });
    await api('PATCH', '/account/prefs', { auth: session, json: { prefs: { a: 1 } } });
    const second = await signIn(user);
    await api('DELETE', '/account/sessions/current', { auth: second });
    const logs = (await api('GET', '/account/logs', { auth: session })).body;
    assert.deepEqual(logs.logs.map((l) => l.event),
      ['session.delete', 'session.create', 'user.update', 'user.update', 'session.create', 'user.create']);
    assert.equal(logs.total, 6);
    assert.equal(logs.logs[2].userName, 'Changed', 'userName at the time of the action');
  });
});

describe('DELETE /account', () => {
  it('204; the session and the credentials stop working', async () => {
    const { user, session } = await newSignedIn();
    const res = await api('DELETE', '/account', { auth: session, json: {} });
    assert.equal(res.status, 204, res.text);
    assert.equal(res.text, '');
    assertError(await whoami({ auth: session }), 401, 'general_unauthorized_scope');
    assertError(await api('POST', '/account/sessions/email', { json: { email: user.email, password: user.password } }),
      401, 'user_invalid_credentials');
  });

  it('an anonymous account can delete itself', async () => {
    const s = await anonymous();
    assert.equal((await api('DELETE', '/account', { auth: s })).status, 204);
    assertError(await whoami({ auth: s }), 401, 'general_unauthorized_scope');
  });
});

describe('project resolution and routing', () => {
  it('unknown project: 404 project_not_found', async () => {
    const project = `missing-${hex(4)}`;
    assertError(await whoami({ project }), 404, 'project_not_found');
    assertError(await api('POST', '/account', { project, json: createBody() }), 404, 'project_not_found');
  });

  it('missing project header: 404 project_not_found', async () => {
    assertError(await whoami({ project: null }), 404, 'project_not_found');
    assertError(await api('POST', '/account/sessions/email', { project: null,
      json: { email: uniqueEmail(), password: strongPassword() } }), 404, 'project_not_found');
  });

  it('the project query parameter works and wins over the header', async () => {
    assertError(await whoami({ project: null, query: { project: PROJECT } }), 401, 'general_unauthorized_scope');
    assertError(await whoami({ query: { project: `missing-${hex(4)}` } }), 404, 'project_not_found');
  });

  it('unknown routes and methods: 404 general_route_not_found', async () => {
    assertError(await api('GET', '/account/nope'), 404, 'general_route_not_found');
    assertError(await api('GET', '/nope'), 404, 'general_route_not_found');
    assertError(await api('PUT', '/account', { json: {} }), 404, 'general_route_not_found');
    assertError(await api('GET', '/account/sessions/a/b'), 404, 'general_route_not_found');
    assertError(await api('GET', '/account/nope', { project: null }), 404, 'general_route_not_found');
  });

  it('every error body is exactly {message, code, type, version}', async () => {
    const res = await whoami();
    assertError(res, 401, 'general_unauthorized_scope');
    assert.match(res.text, /^\{"message":/, 'message is the first key');
    assert.equal(typeof res.body.code, 'number');
  });
});
