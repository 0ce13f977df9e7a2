// hostile.test.mjs: malformed, oversized and malicious input. Every case must give a 4xx Appwrite JSON
// error (never a 5xx, a hang or a leak of SQL/paths), and the server must keep serving afterwards
// (SECURITY.md 13, 14).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, signUp, signIn, newSignedIn, whoami, assertError, assertClientError, assertAlive, assertAccount,
  uniqueEmail, strongPassword, cookieName,
} from './lib.mjs';

/** A refused request: 4xx Appwrite error of an allowed status, and nothing internal in the message. */
function refused(res, allowed = [400]) {
  const body = assertClientError(res, allowed);
  assert.doesNotMatch(body.message, /\b(select|insert|update|delete)\b.*\b(from|into|set|where)\b/i, 'no SQL text');
  assert.doesNotMatch(body.message, /mysql|mariadb|\.c:\d+|\/src\/|\/usr\/|stack/i, 'no internals');
  return body;
}

const jsonBody = (text) => ({ body: text, headers: { 'Content-Type': 'application/json' } });
const bytesBody = (buf) => ({ body: buf, headers: { 'Content-Type': 'application/json' } });
const signUpBody = (over = {}) => ({ userId: 'unique()', email: uniqueEmail('hostile'), password: strongPassword(), ...over });

describe('malformed JSON', () => {
  const broken = [
    '{"userId": "unique()", "email": ', '{', '}', '[1,2', '{"a":1}xyz', "{'userId':'unique()'}", '{"a":"unterminated}',
    'nul', '"just a string"', '[]', '42', '{"a":1,}', '{"a" 1}', '\u0000', '{"a":"\\x41"}', '{"a":"\\u12"}',
    '{"a":01}', '{"a":1e999999}', '{"a":-}', '{"a":tru}',
  ];
  for (const text of broken) {
    it(`POST /account with ${JSON.stringify(text).slice(0, 40)} is 400`, async () => {
      refused(await api('POST', '/account', jsonBody(text)));
    });
  }

  it('malformed JSON on a signed-in PATCH is 400 and changes nothing', async () => {
    const { session } = await newSignedIn({ name: 'Before' });
    for (const text of ['{"name": "After"', '{"name": "After"}}', '{"name": "After",}']) {
      refused(await api('PATCH', '/account/name', { auth: session, ...jsonBody(text) }));
    }
    assert.equal((await whoami({ auth: session })).body.name, 'Before');
    await assertAlive();
  });

  it('a non-JSON content type with a JSON-ish body is refused, not crashed on', async () => {
    for (const type of ['text/plain', 'application/octet-stream', 'multipart/form-data; boundary=x', 'application/json; charset=latin1x']) {
      const res = await api('POST', '/account/sessions/email', { body: '{"email":"a@b.c","password":"12345678"}',
        headers: { 'Content-Type': type } });
      assert.ok(res.status >= 400 && res.status < 500, `${type}: ${res.status} ${res.text.slice(0, 200)}`);
      refused(res, [res.status]);
    }
    await assertAlive();
  });
});

describe('oversized and deeply nested bodies', () => {
  it('a 1 MB body is 400 or 413', async () => {
    refused(await api('POST', '/account', { json: signUpBody({ name: 'n'.repeat(1024 * 1024) }) }), [400, 413]);
    const { session } = await newSignedIn();
    refused(await api('PATCH', '/account/prefs', { auth: session, json: { prefs: { blob: 'x'.repeat(1024 * 1024) } } }),
      [400, 413]);
    await assertAlive();
  });

  it('an 8 MB body is refused too', async () => {
    let res;
    try {
      res = await api('POST', '/account', jsonBody(`{"name":"${'n'.repeat(8 * 1024 * 1024)}"}`));
    } catch (e) {
      // Closing the connection before reading the whole body is a legitimate refusal.
      assert.match(String(e.cause?.code ?? e.message), /EPIPE|ECONNRESET|UND_ERR_SOCKET|other side closed|fetch failed/);
    }
    if (res) assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    await assertAlive();
  });

  it('1000 levels of nesting are 400', async () => {
    const deepObject = `${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`;
    const deepArray = `${'['.repeat(1000)}${']'.repeat(1000)}`;
    refused(await api('POST', '/account', jsonBody(`{"userId":"unique()","name":${deepArray}}`)), [400, 413]);
    refused(await api('POST', '/account', jsonBody(deepObject)), [400, 413]);
    const { session } = await newSignedIn();
    refused(await api('PATCH', '/account/prefs', { auth: session, ...jsonBody(`{"prefs":${deepObject}}`) }), [400, 413]);
    refused(await api('PATCH', '/account/prefs', { auth: session, ...jsonBody(`{"prefs":{"x":${deepArray}}}`) }), [400, 413]);
    // 100000 levels: a recursive parser would blow its stack here.
    refused(await api('PATCH', '/account/prefs', { auth: session,
      ...jsonBody(`{"prefs":${'['.repeat(100000)}${']'.repeat(100000)}}`) }), [400, 413]);
    await assertAlive();
  });

  it('a body of 50 000 tiny keys is refused', async () => {
    const { session } = await newSignedIn();
    const keys = Array.from({ length: 50000 }, (_, i) => `"k${i}":1`).join(',');
    refused(await api('PATCH', '/account/prefs', { auth: session, ...jsonBody(`{"prefs":{${keys}}}`) }), [400, 413]);
    await assertAlive();
  });
});

describe('bad text', () => {
  const badUtf8 = {
    'a lone 0xFF byte': Buffer.from([0xff]),
    'a lone continuation byte': Buffer.from([0x80]),
    'an overlong "/"': Buffer.from([0xc0, 0xaf]),
    'an encoded surrogate': Buffer.from([0xed, 0xa0, 0x80]),
    'a truncated sequence': Buffer.from([0xe2, 0x82]),
    'a code point above U+10FFFF': Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  };
  for (const [what, bytes] of Object.entries(badUtf8)) {
    it(`invalid UTF-8 (${what}) in a name is 400`, async () => {
      const body = (prefix) => Buffer.concat([Buffer.from(prefix), Buffer.from('Bad'), bytes, Buffer.from('Name"}')]);
      const { session } = await newSignedIn({ name: 'Clean' });
      refused(await api('PATCH', '/account/name', { auth: session, ...bytesBody(body('{"name":"')) }));
      assert.equal((await whoami({ auth: session })).body.name, 'Clean');
      const email = uniqueEmail();
      refused(await api('POST', '/account', bytesBody(body(
        `{"userId":"unique()","email":"${email}","password":"${strongPassword()}","name":"`))));
    });
  }

  it('a lone surrogate escape (\\ud800) in a name is 400', async () => {
    const { session } = await newSignedIn();
    refused(await api('PATCH', '/account/name', { auth: session, ...jsonBody('{"name":"x\\ud800y"}') }));
    refused(await api('PATCH', '/account/name', { auth: session, ...jsonBody('{"name":"x\\udc00"}') }));
  });

  it('valid escapes and astral characters round-trip exactly', async () => {
    const { session } = await newSignedIn();
    const name = 'A\u00e9\u4e2d\ud83d\ude00"\\/ end';
    const res = await api('PATCH', '/account/name', { auth: session, json: { name } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.name, name);
    assert.equal((await whoami({ auth: session })).body.name, name);
  });

  it('a raw control byte inside a JSON string is 400', async () => {
    refused(await api('POST', '/account', bytesBody(Buffer.from(`{"userId":"unique()","email":"${uniqueEmail()}",` +
      `"password":"${strongPassword()}","name":"a\u0001b"}`))));
  });
});

describe('null bytes', () => {
  it('in a userId or an email: 400', async () => {
    refused(await api('POST', '/account', { json: signUpBody({ userId: 'abc\u0000def' }) }));
    refused(await api('POST', '/account', { json: signUpBody({ email: `a\u0000${uniqueEmail()}` }) }));
    refused(await api('POST', '/account', { json: signUpBody({ email: `${uniqueEmail()}\u0000.evil` }) }));
    refused(await api('POST', '/account/sessions/email', { json: { email: 'a\u0000@example.com', password: strongPassword() } }));
  });

  it('in a name: refused, or kept whole (never truncated)', async () => {
    const { session } = await newSignedIn({ name: 'Clean' });
    const res = await api('PATCH', '/account/name', { auth: session, json: { name: 'left\u0000right' } });
    if (res.status === 200) {
      assert.equal(res.body.name, 'left\u0000right');
      assert.equal((await whoami({ auth: session })).body.name, 'left\u0000right');
    } else {
      refused(res);
    }
  });

  it('in a password: refused, or significant (a different suffix after NUL must not sign in)', async () => {
    const email = uniqueEmail('nul');
    const res = await api('POST', '/account', { json: signUpBody({ email, password: 'abcdefgh\u0000first' }) });
    if (res.status !== 201) {
      refused(res);
      return;
    }
    assertError(await api('POST', '/account/sessions/email', { json: { email, password: 'abcdefgh\u0000other' } }), 401,
      'user_invalid_credentials');
    assertError(await api('POST', '/account/sessions/email', { json: { email, password: 'abcdefgh' } }), 401,
      'user_invalid_credentials');
    const ok = await api('POST', '/account/sessions/email', { json: { email, password: 'abcdefgh\u0000first' } });
    assert.equal(ok.status, 201, ok.text);
  });
});

describe('wrong JSON types', () => {
  const cases = {
    'userId as a number': { userId: 123 },
    'email as a number': { email: 5 },
    'password as a number': { password: 12345678 },
    'name as a number': { name: 42 },
    'name as a boolean': { name: true },
    'email as an array': { email: [uniqueEmail()] },
    'email as an object': { email: { address: uniqueEmail() } },
    'userId as null': { userId: null },
    'password as an array of strings': { password: ['aaaaaaaa', 'bbbbbbbb'] },
  };
  for (const [what, over] of Object.entries(cases)) {
    it(`POST /account with ${what} is 400 general_argument_invalid`, async () => {
      assertError(await api('POST', '/account', { json: signUpBody(over) }), 400, 'general_argument_invalid');
    });
  }

  it('sign-in with a numeric password or an object email is 400', async () => {
    assertError(await api('POST', '/account/sessions/email', { json: { email: uniqueEmail(), password: 12345678 } }), 400,
      'general_argument_invalid');
    assertError(await api('POST', '/account/sessions/email', { json: { email: {}, password: strongPassword() } }), 400,
      'general_argument_invalid');
  });
});

describe('prefs', () => {
  const bad = {
    'an array': [1, 2],
    'a string': 'x',
    'a JSON string of an object': '{}',
    'a number': 7,
    'null': null,
    'true': true,
  };
  for (const [what, prefs] of Object.entries(bad)) {
    it(`prefs that are ${what} are 400 general_argument_invalid`, async () => {
      const { session } = await newSignedIn();
      assertError(await api('PATCH', '/account/prefs', { auth: session, json: { prefs } }), 400,
        'general_argument_invalid');
      assert.deepEqual((await api('GET', '/account/prefs', { auth: session })).body, {});
    });
  }

  it('prefs over 65535 bytes are 400; just under is fine', async () => {
    const { session } = await newSignedIn();
    refused(await api('PATCH', '/account/prefs', { auth: session, json: { prefs: { big: 'x'.repeat(65536) } } }),
      [400, 413]);
    const near = { big: 'x'.repeat(60000) };
    const ok = await api('PATCH', '/account/prefs', { auth: session, json: { prefs: near } });
    assert.equal(ok.status, 200, ok.text.slice(0, 200));
    assert.deepEqual((await api('GET', '/account/prefs', { auth: session })).body, near);
  });
});

describe('SQL-looking and over-long identifiers', () => {
  const sqlish = ["' OR 1=1 --", "x' OR '1'='1", 'a;DROP TABLE users', '1 UNION SELECT 1', '%', '_', 'a%27b'];

  it('as userId on sign-up: 400', async () => {
    for (const userId of sqlish) {
      assertError(await api('POST', '/account', { json: signUpBody({ userId }) }), 400, 'general_argument_invalid');
    }
    assertError(await api('POST', '/account', { json: signUpBody({ userId: 'a'.repeat(37) }) }), 400,
      'general_argument_invalid');
  });

  it('as path ids: 400 or 404, never somebody else\'s data', async () => {
    const { session } = await newSignedIn();
    await newSignedIn(); // somebody else exists
    for (const id of sqlish) {
      const path = encodeURIComponent(id);
      for (const [method, route] of [['GET', `/account/sessions/${path}`], ['PATCH', `/account/sessions/${path}`],
        ['DELETE', `/account/sessions/${path}`], ['DELETE', `/account/identities/${path}`]]) {
        const res = await api(method, route, { auth: session, json: method === 'GET' ? undefined : {} });
        refused(res, [400, 404]);
      }
    }
    const list = await api('GET', '/account/sessions', { auth: session });
    assert.equal(list.body.total, 1, 'still exactly our one session');
    assert.equal((await api('GET', `/account/sessions/${'a'.repeat(37)}`, { auth: session })).status, 400);
  });

  it('as email on sign-in: just wrong credentials', async () => {
    for (const email of ["admin'--@example.com", "x'or'1'='1@example.com"]) {
      assertError(await api('POST', '/account/sessions/email', { json: { email, password: "' OR 1=1 --" } }), 401,
        'user_invalid_credentials');
    }
  });

  it('as a name: stored verbatim, harmlessly', async () => {
    const name = "Robert'); DROP TABLE users; --";
    const { session } = await newSignedIn({ name });
    assert.equal((await whoami({ auth: session })).body.name, name);
    await signUp(); // the users table is still there
  });
});

describe('hostile headers', () => {
  it('an 8 KB header is refused or ignored, never a 5xx', async () => {
    for (const header of ['X-Padding', 'X-Appwrite-Session', 'X-Fallback-Cookies', 'X-Appwrite-JWT', 'Cookie',
      'X-Appwrite-Project', 'User-Agent']) {
      const value = header === 'Cookie' ? `${cookieName()}=${'A'.repeat(8192)}` : 'A'.repeat(8192);
      const res = await whoami({ headers: { [header]: value } });
      // A front end may refuse the request itself (431/413/400); if latchkey answers, it is its JSON error.
      assert.ok(res.status >= 400 && res.status < 500, `${header}: ${res.status} ${res.text.slice(0, 200)}`);
      if (res.body) {
        const expected = { 'X-Appwrite-JWT': 'user_jwt_invalid', 'X-Appwrite-Project': 'project_not_found' }[header]
          ?? 'general_unauthorized_scope';
        assertError(res, res.status, expected);
      }
    }
    await assertAlive();
  });

  it('4 KB session headers are answered by latchkey itself as a guest', async () => {
    for (const header of ['X-Appwrite-Session', 'X-Fallback-Cookies', 'Cookie']) {
      const value = header === 'Cookie' ? `${cookieName()}=${'A'.repeat(4096)}` : 'A'.repeat(4096);
      assertError(await whoami({ headers: { [header]: value } }), 401, 'general_unauthorized_scope');
    }
    assertError(await whoami({ headers: { 'X-Fallback-Cookies': `${'['.repeat(2000)}${']'.repeat(2000)}` } }), 401,
      'general_unauthorized_scope');
  });

  it('many cookies and a huge user agent on sign-in do not break it', async () => {
    const user = await signUp();
    const cookies = Array.from({ length: 100 }, (_, i) => `c${i}=v${i}`).join('; ');
    const res = await api('POST', '/account/sessions/email', { headers: { Cookie: cookies, 'User-Agent': 'M'.repeat(3000) },
      json: { email: user.email, password: user.password } });
    assert.equal(res.status, 201, res.text);
  });

  it('odd project ids are 404 project_not_found, never a 5xx', async () => {
    for (const project of ["' OR 1=1 --", '../demo', 'x'.repeat(300), '%00', 'demo;']) {
      assertError(await whoami({ project }), 404, 'project_not_found');
    }
  });
});

describe('odd queries and paths', () => {
  it('junk in queries[] is 400', async () => {
    const { session } = await newSignedIn();
    for (const q of ['x'.repeat(10000), '{"method":"limit","values":[-5]}', '{"method":"limit"}',
      `{"method":"limit","values":${'['.repeat(500)}${']'.repeat(500)}}`, '{"method":null}', '{"values":[1]}',
      '{"method":"limit","values":[1],"attribute":{"x":1}}']) {
      refused(await api('GET', '/account/logs', { auth: session, query: { queries: [q] } }));
    }
    const many = Array.from({ length: 1000 }, () => '{"method":"limit","values":[1]}');
    const res = await api('GET', '/account/logs', { auth: session, query: { queries: many } });
    assert.ok(res.status < 500, `1000 queries: ${res.status}`);
    await assertAlive();
  });

  it('path tricks are 4xx', async () => {
    for (const path of ['/account/sessions/..%2F..%2Fetc%2Fpasswd', '/account/sessions/%00', '/account/%2e%2e/account',
      `/account/sessions/${'x'.repeat(3000)}`]) {
      const res = await api('GET', path);
      assert.ok(res.status >= 400 && res.status < 500, `${path.slice(0, 60)}: ${res.status}`);
    }
    await assertAlive();
  });
});

describe('after all that', () => {
  it('the server still signs people up and in', async () => {
    const { user, session } = await newSignedIn();
    assertAccount((await whoami({ auth: session })).body, { $id: user.id });
    await signIn(user);
  });
});
