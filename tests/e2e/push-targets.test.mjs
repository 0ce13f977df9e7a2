// push-targets.test.mjs: POST /account/targets/push and PUT/DELETE /account/targets/{targetId}/push
// (spec/ACCOUNT_ENDPOINTS.md E48-E50) by raw HTTP and through both SDK majors: the Target model, the
// name from the device in the User-Agent, the Account's `targets`, ownership, scopes and validation, and
// the push targets a session registered going with that session (E16, E19).

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, newSignedIn, signIn, whoami, assertAccount, assertError, assertTarget, hex, loadSdk, sdkClient, sdkError,
  uniqueEmail, strongPassword, plain, sql, haveSql, NO_SQL, createProject, dropProjects, DATETIME, SERVER_ID,
  TARGET_KEYS,
} from './lib.mjs';

const IPHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
  'Version/17.0 Mobile/15E148 Safari/604.1';
const PIXEL_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) ' +
  'Chrome/123.0.6312.99 Mobile Safari/537.36';
const SAMSUNG_UA = 'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) ' +
  'SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36';
const CURL_UA = 'curl/8.5.0';

const token = () => `fcm-${hex(24)}`;
const newId = () => `t${hex(8)}`;

/** POST /account/targets/push as `auth` (a session or { jwt }), with an optional User-Agent. */
function createTarget(auth, json, ua) {
  const opts = { json, headers: ua ? { 'User-Agent': ua } : {} };
  if (auth?.jwt) opts.jwt = auth.jwt;
  else if (auth) opts.auth = auth;
  return api('POST', '/account/targets/push', opts);
}

function updateTarget(auth, id, json, ua) {
  const opts = { json, headers: ua ? { 'User-Agent': ua } : {} };
  if (auth?.jwt) opts.jwt = auth.jwt;
  else if (auth) opts.auth = auth;
  return api('PUT', `/account/targets/${encodeURIComponent(id)}/push`, opts);
}

function deleteTarget(auth, id) {
  const opts = { json: {} };
  if (auth?.jwt) opts.jwt = auth.jwt;
  else if (auth) opts.auth = auth;
  return api('DELETE', `/account/targets/${encodeURIComponent(id)}/push`, opts);
}

/** The caller's targets as GET /account shows them. */
async function accountTargets(session) {
  const res = await whoami({ auth: session });
  assert.equal(res.status, 200, res.text);
  return assertAccount(res.body).targets;
}

/** A signed-in user with one push target made from an iPhone: { user, session, target }. */
async function withTarget(over = {}) {
  const { user, session } = await newSignedIn();
  const res = await createTarget(session, { targetId: newId(), identifier: token(), ...over }, IPHONE_UA);
  assert.equal(res.status, 201, res.text);
  return { user, session, target: res.body };
}

/** The database row of a target (needs SQL): { userId, sessionId, type, identifier, expired }. */
function targetRow(id, project = 'demo') {
  const out = sql(`SELECT user_id, IFNULL(session_id, 'NULL'), provider_type, identifier, expired FROM targets ` +
    `WHERE project_id = '${project}' AND id = '${id}'`).trim();
  if (out === '') return null;
  const [userId, sessionId, type, identifier, expired] = out.split('\t');
  return { userId, sessionId: sessionId === 'NULL' ? null : sessionId, type, identifier, expired };
}

after(() => dropProjects());

describe('POST /account/targets/push', () => {
  it('201 Target: the given id, push type, the identifier, no provider, the device as its name', async () => {
    const { user, session } = await newSignedIn();
    const targetId = newId();
    const identifier = token();
    const before = Date.now();
    const res = await createTarget(session, { targetId, identifier }, IPHONE_UA);
    assert.equal(res.status, 201, res.text);
    assert.match(res.headers.get('content-type'), /^application\/json/i);
    assertTarget(res.body);
    assert.deepEqual(Object.keys(res.body), TARGET_KEYS);
    assert.deepEqual(
      { ...res.body, $createdAt: undefined, $updatedAt: undefined },
      { $id: targetId, $createdAt: undefined, $updatedAt: undefined, name: 'Apple iPhone', userId: user.id,
        providerId: null, providerType: 'push', identifier, expired: false },
    );
    assert.match(res.body.$createdAt, DATETIME);
    assert.equal(res.body.$updatedAt, res.body.$createdAt);
    assert.ok(Math.abs(Date.parse(res.body.$createdAt) - before) < 60000, 'created now');
  });

  it('targetId unique() makes a server ID', async () => {
    const { session } = await newSignedIn();
    const res = await createTarget(session, { targetId: 'unique()', identifier: token() });
    assert.equal(res.status, 201, res.text);
    assert.match(res.body.$id, SERVER_ID);
  });

  it('the name is "<deviceBrand> <deviceModel>" of the User-Agent, "" when it names no device', async () => {
    const { session } = await newSignedIn();
    for (const [ua, name] of [[PIXEL_UA, 'Google Pixel 8'], [SAMSUNG_UA, 'Samsung SM-S918B'], [CURL_UA, '']]) {
      const res = await createTarget(session, { targetId: 'unique()', identifier: token() }, ua);
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.name, name, ua);
    }
  });

  it('providerId is echoed when given, null when absent or ""', async () => {
    const { session } = await newSignedIn();
    const given = await createTarget(session, { targetId: 'unique()', identifier: token(), providerId: 'fcm-main' });
    assert.equal(given.status, 201, given.text);
    assert.equal(given.body.providerId, 'fcm-main');
    const empty = await createTarget(session, { targetId: 'unique()', identifier: token(), providerId: '' });
    assert.equal(empty.status, 201, empty.text);
    assert.equal(empty.body.providerId, null);
  });

  it('GET /account lists the new target after the email target, as created', async () => {
    const { user, target, session } = await withTarget({ providerId: 'apns' });
    const targets = await accountTargets(session);
    assert.equal(targets.length, 2, JSON.stringify(targets));
    assert.deepEqual([targets[0].providerType, targets[0].identifier], ['email', user.email]);
    assert.deepEqual(targets[1], target);
  });

  it('bound to the session that made it (sessionId), unbound when made with a JWT', { skip: NO_SQL }, async () => {
    const { user, session, target } = await withTarget();
    assert.deepEqual(targetRow(target.$id), { userId: user.id, sessionId: session.id, type: 'push',
      identifier: target.identifier, expired: '0' });
    const { jwt } = (await api('POST', '/account/jwts', { auth: session, json: {} })).body;
    const res = await createTarget({ jwt }, { targetId: newId(), identifier: token() }, PIXEL_UA);
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.userId, user.id);
    assert.equal(res.body.name, 'Google Pixel 8');
    assert.equal(targetRow(res.body.$id).sessionId, null);
    assert.equal((await accountTargets(session)).length, 3);
  });

  it('an existing target ID is 409 user_target_already_exists, also when another user owns it', async () => {
    const a = await withTarget();
    const again = await createTarget(a.session, { targetId: a.target.$id, identifier: token() });
    assertError(again, 409, 'user_target_already_exists');
    const b = await newSignedIn();
    const theirs = await createTarget(b.session, { targetId: a.target.$id, identifier: token() });
    assertError(theirs, 409, 'user_target_already_exists');
    assert.deepEqual(await accountTargets(a.session), [a.user.account.targets[0], a.target], 'a is untouched');
    assert.equal((await accountTargets(b.session)).length, 1, 'b got no target');
  });

  it('an identifier another target holds is 409 user_target_already_exists', async () => {
    const a = await withTarget();
    const b = await newSignedIn();
    const res = await createTarget(b.session, { targetId: newId(), identifier: a.target.identifier });
    assertError(res, 409, 'user_target_already_exists');
    const mine = await createTarget(a.session, { targetId: newId(), identifier: a.user.email });
    assertError(mine, 409, 'user_target_already_exists');
  });

  it('a guest is 401 general_unauthorized_scope (targets.write)', async () => {
    const res = await createTarget(null, { targetId: newId(), identifier: token() });
    assertError(res, 401, 'general_unauthorized_scope', 'User (role: guests) missing scope (targets.write)');
  });

  describe('validation: 400 general_argument_invalid', () => {
    let session;
    const valid = () => ({ targetId: newId(), identifier: token() });
    const invalid = {
      'missing targetId': [{ targetId: undefined }, 'Param "targetId" is not optional.'],
      'missing identifier': [{ identifier: undefined }, 'Param "identifier" is not optional.'],
      'empty identifier': [{ identifier: '' }],
      'identifier of 256 characters': [{ identifier: 'x'.repeat(256) }],
      'identifier of 256 multibyte characters': [{ identifier: 'é'.repeat(256) }],
      'identifier not a string': [{ identifier: 12345 }],
      'targetId with a leading -': [{ targetId: '-abc' }],
      'targetId with a leading _': [{ targetId: '_abc' }],
      'targetId starting with $': [{ targetId: '$abc' }],
      'targetId of 37 characters': [{ targetId: 'a'.repeat(37) }],
      'targetId with a slash': [{ targetId: 'a/b' }],
      'providerId with a space': [{ providerId: 'a b' }],
      'providerId of 37 characters': [{ providerId: 'p'.repeat(37) }],
    };
    for (const [what, [over, message]] of Object.entries(invalid)) {
      it(what, async () => {
        session ??= (await newSignedIn()).session;
        const body = { ...valid(), ...over };
        for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
        const res = await createTarget(session, body);
        const err = assertError(res, 400, 'general_argument_invalid', message);
        if (what.includes('identifier of 256')) {
          assert.equal(err.message, 'Invalid `identifier` param: Value must be a valid string and at least 1 ' +
            'chars and no longer than 255 chars');
        }
      });
    }

    it('255 characters (multibyte too) and a 36-character targetId are accepted', async () => {
      session ??= (await newSignedIn()).session;
      for (const body of [{ ...valid(), identifier: `${'y'.repeat(243)}${hex(6)}` },
        { ...valid(), identifier: `${'é'.repeat(243)}${hex(6)}` },
        { ...valid(), targetId: `T${hex(17)}x`.slice(0, 36) }]) {
        const res = await createTarget(session, body);
        assert.equal(res.status, 201, res.text);
        assert.equal(res.body.identifier, body.identifier);
        assert.equal(res.body.$id, body.targetId);
      }
    });
  });
});

describe('PUT /account/targets/{targetId}/push', () => {
  it('200 Target: new identifier, expired false, name from the new User-Agent, $updatedAt moves', async () => {
    const { session, target } = await withTarget({ providerId: 'fcm' });
    if (haveSql) sql(`UPDATE targets SET expired = 1 WHERE project_id = 'demo' AND id = '${target.$id}'`);
    const identifier = token();
    const res = await updateTarget(session, target.$id, { identifier }, PIXEL_UA);
    assert.equal(res.status, 200, res.text);
    assertTarget(res.body);
    assert.deepEqual({ ...res.body, $updatedAt: undefined },
      { ...target, $updatedAt: undefined, identifier, name: 'Google Pixel 8', expired: false });
    assert.match(res.body.$updatedAt, DATETIME);
    assert.ok(res.body.$updatedAt >= target.$updatedAt);
    const targets = await accountTargets(session);
    assert.deepEqual(targets[1], res.body, 'GET /account shows the change');
  });

  it('the same identifier again is fine; another target\'s is 409 document_already_exists', async () => {
    const a = await withTarget();
    const same = await updateTarget(a.session, a.target.$id, { identifier: a.target.identifier }, IPHONE_UA);
    assert.equal(same.status, 200, same.text);
    const b = await withTarget();
    const taken = await updateTarget(a.session, a.target.$id, { identifier: b.target.identifier });
    assertError(taken, 409, 'document_already_exists');
    assert.equal((await accountTargets(a.session))[1].identifier, a.target.identifier);
  });

  it('works with a JWT', async () => {
    const { session, target } = await withTarget();
    const { jwt } = (await api('POST', '/account/jwts', { auth: session, json: {} })).body;
    const res = await updateTarget({ jwt }, target.$id, { identifier: token() }, IPHONE_UA);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.$id, target.$id);
  });

  it('a missing target is 404 user_target_not_found', async () => {
    const { session } = await newSignedIn();
    assertError(await updateTarget(session, newId(), { identifier: token() }), 404, 'user_target_not_found',
      'The target could not be found.');
  });

  it('another user\'s target is 404 user_target_not_found and stays as it was', async () => {
    const a = await withTarget();
    const b = await newSignedIn();
    assertError(await updateTarget(b.session, a.target.$id, { identifier: token() }, PIXEL_UA), 404,
      'user_target_not_found');
    assert.deepEqual((await accountTargets(a.session))[1], a.target);
    if (haveSql) assert.equal(targetRow(a.target.$id).identifier, a.target.identifier);
  });

  it('the email target is not a push target: 404, and its address stays', async () => {
    const { user, session } = await newSignedIn();
    const email = user.account.targets[0];
    assertError(await updateTarget(session, email.$id, { identifier: 'someone@else.example' }), 404,
      'user_target_not_found');
    assert.deepEqual((await accountTargets(session))[0], email);
  });

  it('a guest is 401; a bad targetId or identifier is 400', async () => {
    const { session, target } = await withTarget();
    assertError(await updateTarget(null, target.$id, { identifier: token() }), 401, 'general_unauthorized_scope',
      'User (role: guests) missing scope (targets.write)');
    assertError(await updateTarget(session, target.$id, {}), 400, 'general_argument_invalid',
      'Param "identifier" is not optional.');
    assertError(await updateTarget(session, target.$id, { identifier: 'z'.repeat(256) }), 400,
      'general_argument_invalid');
    assertError(await updateTarget(session, '-bad', { identifier: token() }), 400, 'general_argument_invalid');
    assertError(await updateTarget(session, 'a'.repeat(37), { identifier: token() }), 400,
      'general_argument_invalid');
    assert.deepEqual((await accountTargets(session))[1], target);
  });
});

describe('DELETE /account/targets/{targetId}/push', () => {
  it('204 with an empty body; gone from GET /account; a second delete is 404', async () => {
    const { user, session, target } = await withTarget();
    const res = await deleteTarget(session, target.$id);
    assert.equal(res.status, 204, res.text);
    assert.equal(res.text, '');
    assert.deepEqual(await accountTargets(session), [user.account.targets[0]]);
    if (haveSql) assert.equal(targetRow(target.$id), null);
    assertError(await deleteTarget(session, target.$id), 404, 'user_target_not_found');
    assertError(await updateTarget(session, target.$id, { identifier: token() }), 404, 'user_target_not_found');
  });

  it('the ID can be used again once deleted', async () => {
    const { session, target } = await withTarget();
    assert.equal((await deleteTarget(session, target.$id)).status, 204);
    const res = await createTarget(session, { targetId: target.$id, identifier: target.identifier });
    assert.equal(res.status, 201, res.text);
  });

  it('another user\'s target is 404 user_target_not_found and is kept', async () => {
    const a = await withTarget();
    const b = await newSignedIn();
    assertError(await deleteTarget(b.session, a.target.$id), 404, 'user_target_not_found');
    assert.deepEqual((await accountTargets(a.session))[1], a.target);
    if (haveSql) assert.equal(targetRow(a.target.$id).userId, a.user.id);
  });

  it('the email target cannot be deleted through the push route', async () => {
    const { user, session } = await newSignedIn();
    assertError(await deleteTarget(session, user.account.targets[0].$id), 404, 'user_target_not_found');
    assert.equal((await accountTargets(session)).length, 1);
  });

  it('works with a JWT; a guest is 401; a bad targetId is 400', async () => {
    const { session, target } = await withTarget();
    assertError(await deleteTarget(null, target.$id), 401, 'general_unauthorized_scope');
    assertError(await deleteTarget(session, '$bad'), 400, 'general_argument_invalid');
    const { jwt } = (await api('POST', '/account/jwts', { auth: session, json: {} })).body;
    assert.equal((await deleteTarget({ jwt }, target.$id)).status, 204);
    assert.equal((await accountTargets(session)).length, 1);
  });
});

describe('a deleted session takes the push targets it registered', () => {
  /** Two sessions of one user, each with a push target, and one target made with a JWT. */
  async function twoDevices() {
    const { user, session: a, target: ta } = await withTarget();
    const b = await signIn(user);
    const tb = (await createTarget(b, { targetId: newId(), identifier: token() }, PIXEL_UA)).body;
    const { jwt } = (await api('POST', '/account/jwts', { auth: b, json: {} })).body;
    const tj = (await createTarget({ jwt }, { targetId: newId(), identifier: token() })).body;
    assert.deepEqual((await accountTargets(a)).map((t) => t.$id), [user.account.targets[0].$id, ta.$id, tb.$id,
      tj.$id]);
    return { user, a, b, ta, tb, tj };
  }

  it('DELETE /account/sessions/{id}: that session\'s targets go, the others stay', async () => {
    const { user, a, b, tb, tj } = await twoDevices();
    assert.equal((await api('DELETE', `/account/sessions/${a.id}`, { auth: b, json: {} })).status, 204);
    assert.deepEqual(await accountTargets(b), [user.account.targets[0], tb, tj]);
  });

  it('DELETE /account/sessions/current: the caller\'s own targets go', async () => {
    const { user, a, b, ta, tj } = await twoDevices();
    assert.equal((await api('DELETE', '/account/sessions/current', { auth: b, json: {} })).status, 204);
    assert.deepEqual(await accountTargets(a), [user.account.targets[0], ta, tj]);
  });

  it('DELETE /account/sessions: the current session\'s targets go; the other sessions\' and the JWT\'s stay',
    async () => {
      const { user, a, tb, tj } = await twoDevices();
      assert.equal((await api('DELETE', '/account/sessions', { auth: a, json: {} })).status, 204);
      assert.deepEqual(await accountTargets(await signIn(user)), [user.account.targets[0], tb, tj]);
    });
});

describe('API keys', { skip: NO_SQL }, () => {
  it('without targets.write: 401; with it: 404 user_not_found (a key has no account)', async () => {
    const project = createProject();
    const keys = {};
    for (const [name, scopes] of [['plain', '["sessions.write"]'], ['targets', '["targets.write"]']]) {
      keys[name] = `standard_${hex(64)}`;
      sql(`INSERT INTO api_keys (project_id, id, secret_hash, scopes) VALUES ('${project}', '${name}', ` +
        `SHA2('${keys[name]}', 256), '${scopes}')`);
    }
    const body = { targetId: newId(), identifier: token() };
    const plainKey = await api('POST', '/account/targets/push',
      { project, json: body, headers: { 'X-Appwrite-Key': keys.plain } });
    assertError(plainKey, 401, 'general_unauthorized_scope');
    assert.match(plainKey.body.message, /missing scope \(targets\.write\)$/);
    const withScope = await api('POST', '/account/targets/push',
      { project, json: body, headers: { 'X-Appwrite-Key': keys.targets } });
    assertError(withScope, 404, 'user_not_found');
    const del = await api('DELETE', `/account/targets/${body.targetId}/push`,
      { project, json: {}, headers: { 'X-Appwrite-Key': keys.targets } });
    assertError(del, 404, 'user_not_found');
  });
});

for (const [pkg, objectStyle] of [['appwrite16', false], ['appwrite', true]]) {
  describe(`${pkg} SDK: createPushTarget, updatePushTarget, deletePushTarget`, () => {
    it('create, see it in get(), update, delete; errors as AppwriteException', async () => {
      const sdk = await loadSdk(pkg);
      const { account } = sdkClient(sdk);
      const email = uniqueEmail('push');
      const password = strongPassword();
      if (objectStyle) {
        await account.create({ userId: sdk.ID.unique(), email, password });
        await account.createEmailPasswordSession({ email, password });
      } else {
        await account.create(sdk.ID.unique(), email, password);
        await account.createEmailPasswordSession(email, password);
      }
      const targetId = sdk.ID.unique();
      const identifier = token();
      const created = plain(objectStyle
        ? await account.createPushTarget({ targetId, identifier, providerId: 'fcm' })
        : await account.createPushTarget(targetId, identifier, 'fcm'));
      assertTarget(created);
      assert.deepEqual([created.$id, created.identifier, created.providerId, created.providerType, created.expired],
        [targetId, identifier, 'fcm', 'push', false]);
      const me = assertAccount(await account.get());
      assert.deepEqual(me.targets.map((t) => t.providerType), ['email', 'push']);
      assert.deepEqual(me.targets[1], created);

      const next = token();
      const updated = plain(objectStyle
        ? await account.updatePushTarget({ targetId, identifier: next })
        : await account.updatePushTarget(targetId, next));
      assert.deepEqual([updated.$id, updated.identifier, updated.expired], [targetId, next, false]);

      await sdkError(objectStyle
        ? account.createPushTarget({ targetId, identifier: token() })
        : account.createPushTarget(targetId, token()), 409, 'user_target_already_exists');
      await sdkError(objectStyle
        ? account.updatePushTarget({ targetId: 'nothere', identifier: next })
        : account.updatePushTarget('nothere', next), 404, 'user_target_not_found');

      if (objectStyle) await account.deletePushTarget({ targetId });
      else await account.deletePushTarget(targetId);
      assert.deepEqual(plain(await account.get()).targets.map((t) => t.providerType), ['email']);
      await sdkError(objectStyle ? account.deletePushTarget({ targetId }) : account.deletePushTarget(targetId),
        404, 'user_target_not_found');
    });
  });
}
