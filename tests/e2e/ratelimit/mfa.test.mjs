// ratelimit/mfa.test.mjs: the route limit of POST /account/mfa/challenge (spec E46: 10 per hour on
// `url:{url},userId:{userId}`), against a server with rate limits on (scripts/test's ratelimit stage);
// skipped when the server sends no X-RateLimit-* headers. totp challenges are used: they send nothing,
// so the stage needs no mail or SMS sink. A fresh project per test when SQL is available.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, newSignedIn, signIn, assertError, createProject, dropProjects, haveSql, uniqueEmail, strongPassword, PROJECT,
} from '../lib.mjs';

after(dropProjects);

const freshProject = () => (haveSql ? createProject() : PROJECT);
const limitOf = (res) => ({
  limit: Number(res.headers.get('x-ratelimit-limit')),
  remaining: Number(res.headers.get('x-ratelimit-remaining')),
});

let enabled = true;
before(async () => {
  const res = await api('POST', '/account/sessions/email', { json: { email: uniqueEmail('probe'), password: strongPassword() } });
  enabled = res.headers.get('x-ratelimit-limit') !== null;
});

/** Waits, if needed, so that the counting does not straddle an hourly window. */
async function awayFromHourEdge() {
  const toNextHour = 3600000 - (Date.now() % 3600000);
  if (toNextHour < 60000) await new Promise((r) => setTimeout(r, toNextHour + 200));
}

describe('MFA rate limits', () => {
  it('POST /account/mfa/challenge and its 1.8 alias: 10 per user per hour together, then 429', async (t) => {
    if (!enabled) return t.skip('the server runs without rate limits (LATCHKEY_ABUSE=0)');
    await awayFromHourEdge();
    const project = freshProject();
    const { user, session } = await newSignedIn({ project });
    const remaining = [];
    for (let i = 0; i < 10; i++) {
      const path = i % 2 ? '/account/mfa/challenges' : '/account/mfa/challenge';
      const res = await api('POST', path, { project, auth: session, json: { factor: 'totp' } });
      assert.equal(res.status, 200, `${path}: ${res.text}`);
      assert.equal(limitOf(res).limit, 10, 'X-RateLimit-Limit');
      remaining.push(limitOf(res).remaining);
    }
    assert.deepEqual(remaining, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], 'one counter for both paths');
    for (const path of ['/account/mfa/challenge', '/account/mfa/challenges']) {
      assertError(await api('POST', path, { project, auth: session, json: { factor: 'totp' } }), 429,
        'general_rate_limit_exceeded');
    }
    // keyed by user: another session of the same user is limited too, another user is not
    const again = await signIn(user);
    assertError(await api('POST', '/account/mfa/challenge', { project, auth: again, json: { factor: 'totp' } }), 429,
      'general_rate_limit_exceeded');
    const other = await newSignedIn({ project });
    const res = await api('POST', '/account/mfa/challenge', { project, auth: other.session, json: { factor: 'totp' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(limitOf(res).remaining, 9);
  });
});
