// headers.test.mjs: what the SDK hides: Set-Cookie, X-Fallback-Cookies, the ways a session can be
// presented, CORS, content type and caching headers (spec/CONTRACT.md 1-3, SECURITY.md 11, 16, 18).

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, signUp, newSignedIn, sessionFrom, whoami, assertError, cookieName, uniqueEmail, strongPassword,
  createProject, dropProjects, NO_SQL, PROJECT, ENDPOINT_URL,
} from './lib.mjs';

after(dropProjects);

const isIpOrLocalhost = /^(localhost|\d+\.\d+\.\d+\.\d+|\[.*\])$/.test(ENDPOINT_URL.hostname);

/** Expiry of a parsed Set-Cookie in ms since the epoch (Max-Age wins over Expires), or undefined. */
function cookieExpiry(c) {
  // Max-Age=0 (RFC 6265: expire now) counts as already expired
  if (c.attrs['max-age'] !== undefined) return Date.now() + Number(c.attrs['max-age']) * 1000 - (Number(c.attrs['max-age']) <= 0 ? 1 : 0);
  if (c.attrs.expires !== undefined) return Date.parse(c.attrs.expires);
  return undefined;
}

describe('session cookies', () => {
  it('sign-in sets a_session_<p> (SameSite=None) and a_session_<p>_legacy (no SameSite)', async () => {
    const user = await signUp();
    const res = await api('POST', '/account/sessions/email', { json: { email: user.email, password: user.password } });
    assert.equal(res.status, 201, res.text);
    const name = cookieName();
    const primary = res.cookies.find((c) => c.name === name);
    const legacy = res.cookies.find((c) => c.name === `${name}_legacy`);
    assert.ok(primary && legacy, `both cookies set: ${res.headers.getSetCookie().join(' | ')}`);
    assert.equal(primary.value, legacy.value, 'same value');
    const token = decodeURIComponent(primary.value);
    const decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    assert.deepEqual(Object.keys(decoded), ['id', 'secret']);
    assert.equal(decoded.id, user.id);
    assert.match(decoded.secret, /^[0-9a-f]{64,}$/);
    for (const c of [primary, legacy]) {
      assert.equal(c.attrs.path, '/', `${c.name} Path=/`);
      assert.equal(c.attrs.httponly, true, `${c.name} HttpOnly`);
      if (isIpOrLocalhost) assert.equal(c.attrs.domain, undefined, `${c.name}: no Domain for ${ENDPOINT_URL.hostname}`);
      if (ENDPOINT_URL.protocol === 'http:') assert.equal(c.attrs.secure, undefined, `${c.name}: no Secure over http`);
      const expiry = cookieExpiry(c);
      assert.ok(expiry !== undefined, `${c.name} has an expiry`);
      assert.ok(Math.abs(expiry - Date.parse(res.body.expire)) < 120000, `${c.name} expires with the session`);
    }
    assert.equal(String(primary.attrs.samesite).toLowerCase(), 'none', 'primary SameSite=None');
    assert.equal(legacy.attrs.samesite, undefined, 'legacy has no SameSite');
    const fallback = JSON.parse(res.headers.get('x-fallback-cookies'));
    assert.deepEqual(fallback, { [`a_session_${PROJECT}`]: token }, 'X-Fallback-Cookies carries the same token');
  });

  it('logout clears both cookies and sends X-Fallback-Cookies: []', async () => {
    const { session } = await newSignedIn();
    const res = await api('DELETE', '/account/sessions/current', { auth: session, json: {} });
    assert.equal(res.status, 204, res.text);
    const name = cookieName();
    for (const n of [name, `${name}_legacy`]) {
      const c = res.cookies.find((x) => x.name === n);
      assert.ok(c, `${n} cleared: ${res.headers.getSetCookie().join(' | ')}`);
      assert.ok(c.value === '' || c.value === 'deleted', `${n} value emptied (got ${c.value})`);
      assert.ok(cookieExpiry(c) < Date.now(), `${n} expiry in the past`);
      assert.equal(c.attrs.path, '/');
    }
    assert.equal(res.headers.get('x-fallback-cookies'), '[]');
  });

  it('DELETE /account/sessions and PATCH /account/status clear the cookies too', async () => {
    for (const [method, path] of [['DELETE', '/account/sessions'], ['PATCH', '/account/status']]) {
      const { session } = await newSignedIn();
      const res = await api(method, path, { auth: session, json: {} });
      assert.ok(res.status === 204 || res.status === 200, `${path}: ${res.text}`);
      const c = res.cookies.find((x) => x.name === cookieName());
      assert.ok(c && cookieExpiry(c) < Date.now(), `${path} expires the cookie`);
      assert.equal(res.headers.get('x-fallback-cookies'), '[]', `${path} sends X-Fallback-Cookies: []`);
    }
  });

  it('anonymous sessions set the same cookies', async () => {
    const res = await api('POST', '/account/sessions/anonymous');
    assert.equal(res.status, 201, res.text);
    const names = res.cookies.map((c) => c.name).sort();
    assert.deepEqual(names, [cookieName(), `${cookieName()}_legacy`]);
    assert.ok(res.headers.get('x-fallback-cookies'));
  });

  it('no X-Fallback-Cookies when the Origin is on the API\'s own registrable domain', { skip: isIpOrLocalhost &&
    'endpoint is an IP or localhost: every origin gets the fallback header' }, async () => {
    const user = await signUp();
    const res = await api('POST', '/account/sessions/email', { origin: `${ENDPOINT_URL.protocol}//${ENDPOINT_URL.hostname}`,
      json: { email: user.email, password: user.password } });
    assert.equal(res.headers.get('x-fallback-cookies'), null);
  });
});

describe('presenting a session', () => {
  it('the primary cookie, the _legacy cookie alone, X-Appwrite-Session and X-Fallback-Cookies all work', async () => {
    const { user, session } = await newSignedIn();
    const name = cookieName();
    const encoded = encodeURIComponent(session.token);
    const variants = {
      'cookie as set by the server': { Cookie: session.cookie },
      'percent-encoded cookie': { Cookie: `${name}=${encoded}` },
      'legacy cookie only': { Cookie: `${name}_legacy=${encoded}` },
      'cookie among others': { Cookie: `theme=dark; ${name}=${encoded}; other=1` },
      'X-Appwrite-Session': { 'X-Appwrite-Session': session.token },
      'X-Fallback-Cookies': { 'X-Fallback-Cookies': JSON.stringify({ [`a_session_${PROJECT}`]: session.token }) },
    };
    for (const [what, headers] of Object.entries(variants)) {
      const res = await whoami({ headers });
      assert.equal(res.status, 200, `${what}: ${res.text}`);
      assert.equal(res.body.$id, user.id, what);
    }
  });

  it('lookup order: a decodable cookie is used even when stale; headers are read only without one', async () => {
    // spec/CONTRACT.md 1.5: cookie, then _legacy, then X-Appwrite-Session, then X-Fallback-Cookies; a
    // present cookie with an id/secret shadows the headers even if it no longer authenticates.
    const { user, session } = await newSignedIn();
    const name = cookieName();
    const stale = Buffer.from(JSON.stringify({ id: user.id, secret: 'b'.repeat(256) })).toString('base64');
    assertError(await whoami({ headers: { Cookie: `${name}=${encodeURIComponent(stale)}`,
      'X-Appwrite-Session': session.token } }), 401, 'general_unauthorized_scope');
    const legacyWins = await whoami({ headers: { Cookie: `${name}_legacy=${encodeURIComponent(session.token)}`,
      'X-Appwrite-Session': stale } });
    assert.equal(legacyWins.status, 200, legacyWins.text);
    const headerWins = await whoami({ headers: { 'X-Appwrite-Session': session.token,
      'X-Fallback-Cookies': JSON.stringify({ [`a_session_${PROJECT}`]: stale }) } });
    assert.equal(headerWins.status, 200, headerWins.text);
    const lower = await whoami({ headers: { Cookie: `${name}=${session.token.replace(/=/g, '%3d')}` } });
    assert.equal(lower.status, 200, `lower-case percent escapes: ${lower.text}`);
  });

  it('a valid cookie wins over a stale X-Fallback-Cookies', async () => {
    const { user, session } = await newSignedIn();
    const res = await whoami({ auth: session, headers: { 'X-Fallback-Cookies': '[]' } });
    assert.equal(res.body?.$id, user.id, res.text);
  });

  it('bogus cookies and headers make a guest: 401 general_unauthorized_scope, never 5xx', async () => {
    const name = cookieName();
    const b64 = (s) => Buffer.from(s).toString('base64');
    const bogus = [
      'garbage', '', '%', '%zz', '====', b64('not json'), b64('[]'), b64('{"id":1,"secret":2}'), b64('{"id":"x"}'),
      b64(JSON.stringify({ id: 'nosuchuser', secret: 'a'.repeat(256) })),
      b64(JSON.stringify({ id: "' OR 1=1 --", secret: "' OR '1'='1" })), 'a'.repeat(4000),
    ];
    for (const value of bogus) {
      for (const headers of [{ Cookie: `${name}=${value}` }, { Cookie: `${name}_legacy=${value}` },
        { 'X-Appwrite-Session': value || 'x' },
        { 'X-Fallback-Cookies': JSON.stringify({ [`a_session_${PROJECT}`]: value }) }]) {
        assertError(await whoami({ headers }), 401, 'general_unauthorized_scope');
      }
    }
    for (const fb of ['not json', '[]', '{}', '"str"', '{"a_session_demo":5}', '{"a_session_demo":null}', '[[[[]]]]']) {
      assertError(await whoami({ headers: { 'X-Fallback-Cookies': fb } }), 401, 'general_unauthorized_scope');
    }
  });

  it('a guest may still sign in while sending a bogus cookie', async () => {
    const user = await signUp();
    const res = await api('POST', '/account/sessions/email', { headers: { Cookie: `${cookieName()}=garbage` },
      json: { email: user.email, password: user.password } });
    assert.equal(res.status, 201, res.text);
  });

  it('X-Appwrite-JWT garbage is 401 user_jwt_invalid', async () => {
    assertError(await whoami({ jwt: 'not.a.jwt' }), 401, 'user_jwt_invalid');
  });
});

describe('CORS', () => {
  const registered = 'http://localhost:3000';
  const unknown = 'http://evil.example';

  it('OPTIONS preflight: 204, echoes the Origin, allows the SDK headers and methods', async () => {
    // Browsers send no X-Appwrite-Project on a preflight, so the server must answer without it.
    const res = await api('OPTIONS', '/account/sessions/email', { project: null, origin: registered, headers: {
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type,x-appwrite-project,x-fallback-cookies',
    } });
    assert.equal(res.status, 204, res.text);
    assert.equal(res.text, '');
    assert.equal(res.headers.get('access-control-allow-origin'), registered);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    const methods = (res.headers.get('access-control-allow-methods') || '').split(',').map((s) => s.trim());
    for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) assert.ok(methods.includes(m), `allows ${m}`);
    const allowed = (res.headers.get('access-control-allow-headers') || '').toLowerCase().split(',').map((s) => s.trim());
    for (const h of ['origin', 'cookie', 'content-type', 'x-appwrite-project', 'x-appwrite-key', 'x-appwrite-locale',
      'x-appwrite-mode', 'x-appwrite-jwt', 'x-appwrite-response-format', 'x-sdk-version', 'x-sdk-name',
      'x-sdk-language', 'x-sdk-platform', 'x-appwrite-id', 'x-appwrite-timestamp', 'content-range', 'range',
      'x-appwrite-session', 'x-fallback-cookies', 'x-forwarded-user-agent']) {
      assert.ok(allowed.includes(h), `Access-Control-Allow-Headers lists ${h}`);
    }
    const exposed = (res.headers.get('access-control-expose-headers') || '').toLowerCase();
    assert.match(exposed, /x-fallback-cookies/);
    assert.match(exposed, /x-appwrite-session/);
  });

  it('actual responses: a registered origin is echoed with credentials allowed', async () => {
    const res = await whoami({ origin: registered });
    assertError(res, 401, 'general_unauthorized_scope');
    assert.equal(res.headers.get('access-control-allow-origin'), registered);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    assert.match(res.headers.get('access-control-expose-headers') || '', /X-Fallback-Cookies/i);
  });

  it('actual responses: an unknown or missing origin gets http://localhost', async () => {
    assert.equal((await whoami({ origin: unknown })).headers.get('access-control-allow-origin'), 'http://localhost');
    assert.equal((await whoami()).headers.get('access-control-allow-origin'), 'http://localhost');
  });

  it('a write from an unregistered Origin is 403 general_unknown_origin; a GET is served', async () => {
    const user = await signUp();
    const res = await api('POST', '/account/sessions/email', { origin: unknown,
      json: { email: user.email, password: user.password } });
    assertError(res, 403, 'general_unknown_origin');
    assert.deepEqual(res.cookies, [], 'no session was created');
    assertError(await api('POST', '/account', { origin: unknown, json: { userId: 'unique()', email: uniqueEmail(),
      password: strongPassword() } }), 403, 'general_unknown_origin');
    // The Referer stands in for a missing Origin.
    assertError(await api('POST', '/account/sessions/anonymous', { headers: { Referer: `${unknown}/page` } }), 403,
      'general_unknown_origin');
    const { session } = await newSignedIn();
    const get = await whoami({ auth: session, origin: unknown });
    assert.equal(get.status, 200, get.text);
    assert.equal(get.headers.get('access-control-allow-origin'), 'http://localhost');
  });

  it('a write from a registered Origin is served', async () => {
    const user = await signUp();
    const res = await api('POST', '/account/sessions/email', { origin: registered,
      json: { email: user.email, password: user.password } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('access-control-allow-origin'), registered);
  });

  it('localhost is not implicitly allowed: only the project\'s platforms are (SECURITY.md 11)', { skip: NO_SQL },
    async () => {
      const project = createProject({}, { platforms: [] });
      const res = await api('POST', '/account', { project, origin: 'http://localhost',
        json: { userId: 'unique()', email: uniqueEmail(), password: strongPassword() } });
      assertError(res, 403, 'general_unknown_origin');
      const noOrigin = await api('POST', '/account', { project,
        json: { userId: 'unique()', email: uniqueEmail(), password: strongPassword() } });
      assert.equal(noOrigin.status, 201, `requests without Origin pass: ${noOrigin.text}`);
    });
});

describe('response headers', () => {
  it('JSON bodies are application/json; charset=UTF-8', async () => {
    const { session } = await newSignedIn();
    for (const res of [await whoami({ auth: session }), await whoami()]) {
      assert.match(res.headers.get('content-type') || '', /^application\/json; charset=utf-8$/i);
    }
  });

  it('204 responses have no body', async () => {
    const { session } = await newSignedIn();
    const res = await api('DELETE', '/account/sessions/current', { auth: session, json: {} });
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
  });

  it('account data, sessions and errors carry Cache-Control: no-store (SECURITY.md 16)', async () => {
    const user = await signUp();
    const login = await api('POST', '/account/sessions/email', { json: { email: user.email, password: user.password } });
    const session = sessionFrom(login);
    const responses = {
      'POST /account/sessions/email': login,
      'GET /account': await whoami({ auth: session }),
      'GET /account/prefs': await api('GET', '/account/prefs', { auth: session }),
      'GET /account/sessions': await api('GET', '/account/sessions', { auth: session }),
      'POST /account/jwts': await api('POST', '/account/jwts', { auth: session, json: {} }),
      'GET /account/logs': await api('GET', '/account/logs', { auth: session }),
      'error': await whoami(),
    };
    for (const [what, res] of Object.entries(responses)) {
      assert.ok(res.status < 300 || what === 'error', `${what}: ${res.status} ${res.text}`);
      assert.match(res.headers.get('cache-control') || '', /no-store/, `${what}: Cache-Control no-store`);
    }
  });

  it('Server shows no version (SECURITY.md 18); X-Content-Type-Options: nosniff', async () => {
    const res = await whoami();
    const server = res.headers.get('server');
    if (server !== null) assert.doesNotMatch(server, /\d/, `Server: ${server}`);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  });

  it('a response format newer than the server still works', async () => {
    const res = await whoami({ headers: { 'X-Appwrite-Response-Format': '9.9.9' } });
    assertError(res, 401, 'general_unauthorized_scope');
  });
});
