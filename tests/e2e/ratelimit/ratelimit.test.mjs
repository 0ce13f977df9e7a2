// ratelimit/ratelimit.test.mjs: per-route rate limits and the X-RateLimit-* headers (spec/CONTRACT.md
// 1.10, SECURITY.md 2). Run only against a server started with rate limits on (LATCHKEY_ABUSE unset or
// 1): `npm run test:ratelimit`. The main suite runs with LATCHKEY_ABUSE=0. A fresh project per test keeps
// the counters (keyed by route, project and parameter) from earlier runs out of the way; without
// LATCHKEY_MYSQL_DEFAULTS the demo project is used with fresh emails.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, signUp, signIn, assertError, createProject, dropProjects, haveSql, uniqueEmail, strongPassword, PROJECT,
} from '../lib.mjs';

after(dropProjects);

const freshProject = () => (haveSql ? createProject() : PROJECT);

function rateHeaders(res) {
  return {
    limit: Number(res.headers.get('x-ratelimit-limit')),
    remaining: Number(res.headers.get('x-ratelimit-remaining')),
    reset: Number(res.headers.get('x-ratelimit-reset')),
  };
}

let enabled = true;
before(async () => {
  const res = await api('POST', '/account/sessions/email', { json: { email: uniqueEmail('probe'), password: strongPassword() } });
  enabled = res.headers.get('x-ratelimit-limit') !== null;
});

describe('rate limits', () => {
  it('POST /account/sessions/email: 10 per email per hour, then 429 general_rate_limit_exceeded', async (t) => {
    if (!enabled) return t.skip('the server runs without rate limits (LATCHKEY_ABUSE=0)');
    const project = freshProject();
    const email = uniqueEmail('limited');
    const now = Math.floor(Date.now() / 1000);
    const remaining = [];
    for (let i = 1; i <= 10; i++) {
      const res = await api('POST', '/account/sessions/email', { project, json: { email, password: strongPassword() } });
      assertError(res, 401, 'user_invalid_credentials');
      const h = rateHeaders(res);
      assert.equal(h.limit, 10, 'X-RateLimit-Limit');
      assert.ok(h.reset > now && h.reset <= now + 3600 + 5, `X-RateLimit-Reset within the hour (${h.reset})`);
      assert.equal(h.reset % 3600, 0, 'fixed hourly windows');
      remaining.push(h.remaining);
    }
    assert.deepEqual(remaining, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], 'X-RateLimit-Remaining counts down');
    const res = await api('POST', '/account/sessions/email', { project, json: { email, password: strongPassword() } });
    assertError(res, 429, 'general_rate_limit_exceeded');
    assert.equal(rateHeaders(res).remaining, 0);
    assert.equal(rateHeaders(res).limit, 10);
    // Another email has its own counter.
    const other = await api('POST', '/account/sessions/email', { project, json: { email: uniqueEmail(), password: strongPassword() } });
    assertError(other, 401, 'user_invalid_credentials');
    assert.equal(rateHeaders(other).remaining, 9);
  });

  it('the correct password does not get through a spent limit', async (t) => {
    if (!enabled) return t.skip('the server runs without rate limits (LATCHKEY_ABUSE=0)');
    const project = freshProject();
    const user = await signUp({ project });
    for (let i = 0; i < 10; i++) {
      await api('POST', '/account/sessions/email', { project, json: { email: user.email, password: strongPassword() } });
    }
    assertError(await api('POST', '/account/sessions/email', { project, json: { email: user.email, password: user.password } }),
      429, 'general_rate_limit_exceeded');
  });

  it('POST /account/jwts: limit 100, X-RateLimit-Remaining 99 after the first call', async (t) => {
    if (!enabled) return t.skip('the server runs without rate limits (LATCHKEY_ABUSE=0)');
    const project = freshProject();
    const session = await signIn(await signUp({ project }));
    const res = await api('POST', '/account/jwts', { project, auth: session, json: {} });
    assert.equal(res.status, 201, res.text);
    assert.equal(rateHeaders(res).limit, 100);
    assert.equal(rateHeaders(res).remaining, 99);
    const again = await api('POST', '/account/jwts', { project, auth: session, json: {} });
    assert.equal(rateHeaders(again).remaining, 98);
  });

  it('unlimited routes send no X-RateLimit headers', async (t) => {
    if (!enabled) return t.skip('the server runs without rate limits (LATCHKEY_ABUSE=0)');
    const res = await api('GET', '/account');
    assert.equal(res.headers.get('x-ratelimit-limit'), null);
  });
});
