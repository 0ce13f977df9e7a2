// trust.test.mjs: what a client cannot make the server do by lying, by raw HTTP against the SMTP and SMS
// sinks of sinks.mjs (SECURITY.md items 3, 5, 6, 11, 19 and the project password policy):
//
//  1. links in messages come from the configured public endpoint, never from Host or X-Forwarded-*;
//  2. an email or phone change kills every outstanding recovery, verification, magic-URL and OTP token;
//  3. origins: a preflight from an unregistered origin gets no Access-Control-Allow-Origin, `Origin: null`
//     cannot write, and a cross-site form post is refused (403) before its parameters are looked at;
//  4. completing a recovery or a verification tells nothing about whether the userId exists;
//  5. common passwords (passwordDictionary) and the project password rules beyond Appwrite;
//  7. the per-account guess limits hold while the rate limits are off (abuse=0, the main e2e stage).
//
// (Item 6, the configurable lifetimes, is lifetimes/lifetimes.test.mjs: a stage of its own.)
// Needs the stack of scripts/test's main e2e stage: LATCHKEY_ABUSE=0, mail to the suite's SMTP sink and
// SMS to its webhook sink. Secrets come from delivered messages only.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROJECT, ENDPOINT_URL, api, assertError, signUp, signIn, whoami, uniqueEmail, uniquePhone, strongPassword,
  sleep, hex, sql, NO_SQL, createProject, dropProjects,
} from './lib.mjs';
import { startSinks, mailBarrier, outboxRows } from './sinks.mjs';
import {
  rawRequest, tokenFlows, setPhone, userWithPhone, redeemSignIn, redeemRecovery, redeemVerification,
  redeemPhoneVerification,
} from './token-helpers.mjs';

let sinks;
let flows;
before(async () => {
  sinks = await startSinks();
  flows = tokenFlows(sinks);
});
after(async () => {
  await sinks?.stop();
  dropProjects();
});

const EVIL = 'evil.example';
const wrongCode = (code) => (code === '000000' ? '111111' : '000000');

/** Waits, if needed, so that a test counting failures does not straddle an hourly window. */
async function awayFromHourEdge() {
  const toNextHour = 3600000 - (Date.now() % 3600000);
  if (toNextHour < 30000) await sleep(toNextHour + 200);
}

// ---------------------------------------------------------------------------------------------------
// 1. Links from the configured endpoint (SECURITY.md 19)
// ---------------------------------------------------------------------------------------------------

describe('1. links in messages come from the configured endpoint, never from Host (SECURITY.md 19)', () => {
  // scripts/run sets the daemon's public_endpoint to the endpoint it prints (LATCHKEY_ENDPOINT)
  const defaultMagicPage = `${ENDPOINT_URL.origin}/console/auth/magic-url?`;
  const forgeries = {
    'a forged Host': { Host: EVIL },
    'X-Forwarded-Host and X-Forwarded-Proto': { 'X-Forwarded-Host': EVIL, 'X-Forwarded-Proto': 'https' },
  };

  /** No trace of the forged host anywhere in a delivered message (headers, text, HTML, subject). */
  function assertClean(mail, what) {
    for (const part of ['raw', 'text', 'html', 'subject']) {
      assert.ok(!String(mail[part]).toLowerCase().includes(EVIL), `${what}: the mail's ${part} mentions ${EVIL}:\n` +
        `${String(mail[part]).slice(0, 2000)}`);
    }
  }

  it('magic URL without `url`, plain request: the link is <endpoint origin>/console/auth/magic-url?...', async () => {
    const email = uniqueEmail('magic-default');
    const { token, link } = await flows.magicLink(email, { url: null, send: rawRequest });
    assert.ok(link.url.startsWith(defaultMagicPage), `link ${link.url} starts with ${defaultMagicPage}`);
    assert.equal(link.params.userId, token.userId);
    assert.equal(link.params.project, PROJECT);
  });

  for (const [what, headers] of Object.entries(forgeries)) {
    it(`magic URL without \`url\` and ${what}: the link still starts at the configured endpoint`, async () => {
      const email = uniqueEmail('magic-forged');
      const { token, link, mail } = await flows.magicLink(email, { url: null, send: rawRequest, headers });
      assert.ok(link.url.startsWith(defaultMagicPage), `link ${link.url} starts with ${defaultMagicPage}`);
      assert.equal(link.params.userId, token.userId);
      assertClean(mail, `magic URL mail (${what})`);
    });

    it(`magic URL with url=http://${EVIL}/cb and ${what}: 400 general_argument_invalid, nothing sent`, async () => {
      const email = uniqueEmail('magic-evil');
      const res = await rawRequest('POST', '/account/tokens/magic-url', {
        headers, json: { userId: 'unique()', email, url: `http://${EVIL}/cb` },
      });
      assertError(res, 400, 'general_argument_invalid');
      await mailBarrier(sinks.mail);
      assert.deepEqual(sinks.mail.to(email), [], 'no mail to the address');
      assert.deepEqual(outboxRows(email), [], 'nothing queued');
    });

    it(`recovery with ${what}: url on ${EVIL} → 400; a registered url is used as given`, async () => {
      const user = await signUp();
      const evil = await rawRequest('POST', '/account/recovery', { headers,
        json: { email: user.email, url: `http://${EVIL}/x` } });
      assertError(evil, 400, 'general_argument_invalid');
      await mailBarrier(sinks.mail);
      assert.deepEqual(sinks.mail.to(user.email), [], 'the refused request sent nothing');
      const { link, mail } = await flows.recovery(user.email, { url: 'http://localhost/reset', send: rawRequest, headers });
      assert.ok(link.url.startsWith('http://localhost/reset?'), `link ${link.url} starts with the given url`);
      assertClean(mail, `recovery mail (${what})`);
    });

    it(`email verification with ${what}: url on ${EVIL} → 400; a registered url is used as given`, async () => {
      const user = await signUp();
      const session = await signIn(user);
      const evil = await rawRequest('POST', '/account/verification', { headers, auth: session,
        json: { url: `http://${EVIL}/x` } });
      assertError(evil, 400, 'general_argument_invalid');
      await mailBarrier(sinks.mail);
      assert.deepEqual(sinks.mail.to(user.email), [], 'the refused request sent nothing');
      const { link, mail } = await flows.verification(session, user.email, { url: 'http://localhost/verify',
        send: rawRequest, headers });
      assert.ok(link.url.startsWith('http://localhost/verify?'), `link ${link.url} starts with the given url`);
      assertClean(mail, `verification mail (${what})`);
    });

    it(`email OTP with ${what}: the mail does not mention ${EVIL}`, async () => {
      const email = uniqueEmail('otp-forged');
      const { mail } = await flows.emailOtp(email, { send: rawRequest, headers });
      assertClean(mail, `email OTP mail (${what})`);
    });
  }
});

// ---------------------------------------------------------------------------------------------------
// 2. Email or phone change kills outstanding tokens (SECURITY.md 6)
// ---------------------------------------------------------------------------------------------------

describe('2. an email or phone change kills the outstanding tokens (SECURITY.md 6)', () => {
  async function changeEmail(user, session) {
    const email = uniqueEmail('moved');
    const res = await api('PATCH', '/account/email', { auth: session, json: { email, password: user.password } });
    assert.equal(res.status, 200, `PATCH /account/email: ${res.text}`);
    return email;
  }

  async function changePhone(user, session) {
    return setPhone(user, session, uniquePhone());
  }

  /** Status and type of a redemption, for comparing several at once. */
  const outcome = (res) => `${res.status} ${res.body?.type ?? ''}`.trim();
  const DEAD = '401 user_invalid_token';

  // Every test below makes one token kind, changes the address, redeems the old secret (401), then
  // shows that a token of the same kind made after the change works. One kind per user: redeeming a
  // token that wrongly survived would delete the user's other tokens and hide further failures.

  it('email change: the old recovery link is dead; a recovery sent afterwards works', async () => {
    const user = await signUp();
    const session = await signIn(user);
    const old = await flows.recovery(user.email);
    const moved = await changeEmail(user, session);
    assertError(await redeemRecovery(user.id, old.secret, strongPassword()), 401, 'user_invalid_token');
    const fresh = await flows.recovery(moved);
    const res = await redeemRecovery(user.id, fresh.secret, strongPassword());
    assert.equal(res.status, 200, `the new recovery works: ${res.text}`);
  });

  it('email change: the old magic URL is dead; one sent afterwards signs in', async () => {
    const user = await signUp();
    const session = await signIn(user);
    const old = await flows.magicLink(user.email);
    assert.equal(old.token.userId, user.id);
    const moved = await changeEmail(user, session);
    assertError(await redeemSignIn(user.id, old.secret), 401, 'user_invalid_token');
    const fresh = await flows.magicLink(moved);
    assert.equal(fresh.token.userId, user.id);
    const res = await redeemSignIn(user.id, fresh.secret);
    assert.equal(res.status, 201, `the new magic URL works: ${res.text}`);
  });

  it('email change: the old email OTP is dead; one sent afterwards signs in', async () => {
    const user = await signUp();
    const session = await signIn(user);
    const old = await flows.emailOtp(user.email);
    assert.equal(old.token.userId, user.id);
    const moved = await changeEmail(user, session);
    assertError(await redeemSignIn(user.id, old.secret), 401, 'user_invalid_token');
    const fresh = await flows.emailOtp(moved);
    assert.equal(fresh.token.userId, user.id);
    const res = await redeemSignIn(user.id, fresh.secret);
    assert.equal(res.status, 201, `the new email OTP works: ${res.text}`);
  });

  it('email change: the old verification link is dead (the new address stays unverified); a new one works', async () => {
    const user = await signUp();
    const session = await signIn(user);
    const old = await flows.verification(session, user.email);
    const moved = await changeEmail(user, session);
    assertError(await redeemVerification(user.id, old.secret, { auth: session }), 401, 'user_invalid_token');
    const me = await whoami({ auth: session });
    assert.equal(me.body?.emailVerification, false, 'the new address was not verified by the old link');
    const fresh = await flows.verification(session, moved);
    const res = await redeemVerification(user.id, fresh.secret, { auth: session });
    assert.equal(res.status, 200, `the new verification works: ${res.text}`);
  });

  it('phone change: the old phone sign-in code is dead; one sent afterwards signs in', async () => {
    const { user, session, phone } = await userWithPhone();
    const old = await flows.phoneOtp(phone);
    assert.equal(old.token.userId, user.id);
    const moved = await changePhone(user, session);
    assertError(await redeemSignIn(user.id, old.secret), 401, 'user_invalid_token');
    const fresh = await flows.phoneOtp(moved);
    assert.equal(fresh.token.userId, user.id);
    const res = await redeemSignIn(user.id, fresh.secret);
    assert.equal(res.status, 201, `the new phone code works: ${res.text}`);
  });

  it('phone change: the old phone verification code is dead; one sent afterwards works', async () => {
    const { user, session, phone } = await userWithPhone();
    const old = await flows.phoneVerification(session, phone);
    const moved = await changePhone(user, session);
    assertError(await redeemPhoneVerification(user.id, old.secret, { auth: session }), 401, 'user_invalid_token');
    const fresh = await flows.phoneVerification(session, moved);
    const res = await redeemPhoneVerification(user.id, fresh.secret, { auth: session });
    assert.equal(res.status, 200, `the new phone verification works: ${res.text}`);
  });

  // SECURITY.md 6 says "every outstanding ... token of the user", not only those of the changed channel.
  // The redemptions are ordered so that one that wrongly succeeds does not delete the next one's token
  // (verifications delete only themselves; a magic-URL sign-in deletes sign-in tokens, not recovery).

  it('email change: the outstanding phone tokens die too', async () => {
    const { user, session, phone } = await userWithPhone();
    const pv = await flows.phoneVerification(session, phone);
    const otp = await flows.phoneOtp(phone);
    await changeEmail(user, session);
    const got = {
      phoneVerification: outcome(await redeemPhoneVerification(user.id, pv.secret, { auth: session })),
      phoneSignIn: outcome(await redeemSignIn(user.id, otp.secret)),
    };
    assert.deepEqual(got, { phoneVerification: DEAD, phoneSignIn: DEAD });
  });

  it('phone change: the outstanding email tokens die too', async () => {
    const { user, session } = await userWithPhone();
    const ver = await flows.verification(session, user.email);
    const magic = await flows.magicLink(user.email);
    const rec = await flows.recovery(user.email);
    await changePhone(user, session);
    const got = {
      verification: outcome(await redeemVerification(user.id, ver.secret, { auth: session })),
      magicUrl: outcome(await redeemSignIn(user.id, magic.secret)),
      recovery: outcome(await redeemRecovery(user.id, rec.secret, strongPassword())),
    };
    assert.deepEqual(got, { verification: DEAD, magicUrl: DEAD, recovery: DEAD });
  });

  // An anonymous user converted by PATCH /account/email has no address before the conversion, so no
  // recovery, verification, magic-URL or OTP token can be outstanding for it: nothing to test there.
});

// ---------------------------------------------------------------------------------------------------
// 3. Origins (SECURITY.md 11)
// ---------------------------------------------------------------------------------------------------

describe('3. origins (SECURITY.md 11)', () => {
  const preflight = (origin) => api('OPTIONS', '/account', { project: null, origin, headers: {
    'Access-Control-Request-Method': 'POST',
    'Access-Control-Request-Headers': 'content-type,x-appwrite-project',
  } });

  it('a preflight from an unregistered origin: 204 without Access-Control-Allow-Origin', async () => {
    for (const origin of [`https://${EVIL}`, 'null']) {
      const res = await preflight(origin);
      assert.equal(res.status, 204, `${origin}: ${res.text}`);
      assert.equal(res.headers.get('access-control-allow-origin'), null,
        `Origin ${origin}: no Access-Control-Allow-Origin (got ${res.headers.get('access-control-allow-origin')})`);
    }
  });

  it('a preflight from a platform origin: 204 echoing exactly that origin, never *', async () => {
    for (const origin of ['http://localhost', 'http://127.0.0.1:5173']) {
      const res = await preflight(origin);
      assert.equal(res.status, 204, res.text);
      assert.equal(res.headers.get('access-control-allow-origin'), origin);
      assert.notEqual(res.headers.get('access-control-allow-origin'), '*');
    }
  });

  it('`Origin: null` cannot write: 403 general_unknown_origin, no session, no account', async () => {
    const user = await signUp();
    const login = await api('POST', '/account/sessions/email', { origin: 'null',
      json: { email: user.email, password: user.password } });
    assertError(login, 403, 'general_unknown_origin');
    assert.deepEqual(login.cookies, [], 'no session cookie');
    const alias = await api('POST', '/account/sessions', { origin: 'null',
      json: { email: user.email, password: user.password } });
    assertError(alias, 403, 'general_unknown_origin');

    const email = uniqueEmail('null-origin');
    const password = strongPassword();
    assertError(await api('POST', '/account', { origin: 'null', json: { userId: 'unique()', email, password } }),
      403, 'general_unknown_origin');
    assertError(await api('POST', '/account/sessions/email', { json: { email, password } }), 401,
      'user_invalid_credentials');

    // a signed-in write too; a read is served (GET is not state-changing)
    const session = await signIn(user);
    assertError(await api('PATCH', '/account/name', { origin: 'null', auth: session, json: { name: 'Changed' } }),
      403, 'general_unknown_origin');
    const me = await whoami({ origin: 'null', auth: session });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.name, user.name, 'the name was not changed');
  });

  // What a cross-site <form> can send without a preflight: text/plain, urlencoded, multipart.
  const evilForm = (contentType, body, path = '/account') =>
    api('POST', path, { origin: `https://${EVIL}`, body, headers: { 'Content-Type': contentType } });

  it('a cross-site form post (text/plain) is 403 general_unknown_origin, whatever the body', async () => {
    const email = uniqueEmail('form');
    const json = JSON.stringify({ userId: 'unique()', email, password: 'aaaaaaaa' });
    assertError(await evilForm('text/plain', json), 403, 'general_unknown_origin');
    assertError(await evilForm('text/plain', 'a=b'), 403, 'general_unknown_origin');
    assertError(await evilForm('text/plain;charset=UTF-8', json, '/account/sessions/email'), 403,
      'general_unknown_origin');
    // no account was made from the JSON-looking body
    assertError(await api('POST', '/account/sessions/email', { json: { email, password: 'aaaaaaaa' } }), 401,
      'user_invalid_credentials');
  });

  it('a cross-site urlencoded or multipart post lacking the required params is 403, not 400', async () => {
    assertError(await evilForm('application/x-www-form-urlencoded', 'a=b'), 403, 'general_unknown_origin');
    assertError(await evilForm('application/x-www-form-urlencoded', ''), 403, 'general_unknown_origin');
    assertError(await evilForm('application/x-www-form-urlencoded', `email=${encodeURIComponent(uniqueEmail())}`,
      '/account/sessions/email'), 403, 'general_unknown_origin');
    assertError(await evilForm('multipart/form-data; boundary=xyz', '--xyz\r\nContent-Disposition: form-data; ' +
      'name="a"\r\n\r\nb\r\n--xyz--\r\n'), 403, 'general_unknown_origin');
  });

  it('a cross-site urlencoded post with more fields than the server takes is 403, not 400', async () => {
    // the body is over the parameter cap (lk_limits.h LK_MAX_PARAMS), which is a 400 for a same-site
    // caller; the origin check comes first (SECURITY.md 11)
    const body = Array.from({ length: 100 }, (_, i) => `f${i}=x`).join('&');
    assertError(await evilForm('application/x-www-form-urlencoded', body), 403, 'general_unknown_origin');
    // the same body from no origin at all is a parameter error
    const plainRes = await api('POST', '/account', { body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assertError(plainRes, 400, 'general_argument_invalid');
  });
});

// ---------------------------------------------------------------------------------------------------
// 4. No account oracle when completing a recovery or a verification (SECURITY.md 5)
// ---------------------------------------------------------------------------------------------------

describe('4. completing a recovery or verification: an unknown userId answers like a wrong secret (SECURITY.md 5)', () => {
  let real; // { user, session, phone, rec, ver, pv }: a real user with outstanding tokens of every kind

  before(async () => {
    const { user, session, phone } = await userWithPhone();
    const rec = await flows.recovery(user.email);
    const ver = await flows.verification(session, user.email);
    const pv = await flows.phoneVerification(session, phone);
    real = { user, session, phone, rec, ver, pv };
  });

  const unknownId = () => hex(10); // the shape of a server-made id, never issued

  /** Asserts both answers are 401 user_invalid_token with byte-identical bodies. */
  function assertSame(unknown, wrong, what) {
    assertError(unknown, 401, 'user_invalid_token');
    assertError(wrong, 401, 'user_invalid_token');
    assert.equal(unknown.text, wrong.text, `${what}: identical bodies`);
    assert.equal(unknown.headers.get('content-type'), wrong.headers.get('content-type'));
  }

  it('PUT /account/recovery', async () => {
    const secret = hex(128); // 256 hex characters, as a real one
    const unknown = await redeemRecovery(unknownId(), secret, strongPassword());
    const wrong = await redeemRecovery(real.user.id, secret, strongPassword());
    assert.notEqual(secret, real.rec.secret);
    assertSame(unknown, wrong, 'PUT /account/recovery');
  });

  for (const path of ['/account/verification', '/account/verifications/email']) {
    it(`PUT ${path} (with the real user's session)`, async () => {
      const secret = hex(128);
      const unknown = await redeemVerification(unknownId(), secret, { auth: real.session, path });
      const wrong = await redeemVerification(real.user.id, secret, { auth: real.session, path });
      assertSame(unknown, wrong, `PUT ${path}`);
    });
  }

  for (const path of ['/account/verification/phone', '/account/verifications/phone']) {
    it(`PUT ${path} (with the real user's session)`, async () => {
      const secret = wrongCode(real.pv.secret);
      const unknown = await redeemPhoneVerification(unknownId(), secret, { auth: real.session, path });
      const wrong = await redeemPhoneVerification(real.user.id, secret, { auth: real.session, path });
      assertSame(unknown, wrong, `PUT ${path}`);
    });
  }

  it('the real tokens were not burnt by the wrong guesses', async () => {
    let res = await redeemVerification(real.user.id, real.ver.secret, { auth: real.session });
    assert.equal(res.status, 200, res.text);
    res = await redeemPhoneVerification(real.user.id, real.pv.secret, { auth: real.session });
    assert.equal(res.status, 200, res.text);
    res = await redeemRecovery(real.user.id, real.rec.secret, strongPassword());
    assert.equal(res.status, 200, res.text);
  });
});

// ---------------------------------------------------------------------------------------------------
// 5. Common passwords and the project password rules
// ---------------------------------------------------------------------------------------------------

// Each setting is tried on a project of its own (lib.mjs createProject: created with the setting in
// place, so no per-worker project cache has an older copy, and the demo project is never touched).
describe('5. passwords: the dictionary and the project password rules', { skip: NO_SQL }, () => {
  const DICT_MESSAGE = 'Invalid `password` param: Password must be between 8 and 265 characters long, and should ' +
    'not be one of the commonly used password.';
  // the 20 most common passwords of at least 8 characters
  const COMMON = ['password', '12345678', '123456789', '1234567890', 'qwertyuiop', '11111111', 'baseball',
    'football', 'iloveyou', 'sunshine', 'trustno1', 'princess', 'password1', 'qwerty123', 'password123',
    '1q2w3e4r', 'superman', 'starwars', 'computer', 'michelle'];
  const PASSPHRASE = 'violet-harbour-71-quill';
  const NEW_COLUMNS = ['auth_password_min_length', 'auth_password_upper', 'auth_password_lower',
    'auth_password_number', 'auth_password_symbol', 'auth_password_min_score'];

  /** createProject(), with a short message when the schema lacks a column (before its migration). */
  function policyProject(settings) {
    try {
      return createProject(settings);
    } catch (err) {
      const missing = /Unknown column '([^']+)'/.exec(String(err.stderr || err.message));
      if (missing) throw new Error(`projects.${missing[1]} does not exist (the migration adding it has not run)`);
      throw err;
    }
  }

  const create = (project, password) => api('POST', '/account', { project,
    json: { userId: 'unique()', email: uniqueEmail('pw'), password } });

  function refused(res, pattern, what) {
    const body = assertError(res, 400, 'general_argument_invalid');
    assert.match(body.message, pattern, `${what}: message`);
  }

  async function accepted(project, password) {
    const res = await create(project, password);
    assert.equal(res.status, 201, `${password} is accepted: ${res.text}`);
  }

  it('passwordDictionary: each of the 20 most common passwords → 400 with Appwrite\'s message', async () => {
    const project = createProject({ auth_password_dictionary: 1 });
    const wrong = [];
    for (const password of COMMON) {
      const res = await create(project, password);
      if (res.status !== 400 || res.body?.type !== 'general_argument_invalid' || res.body?.message !== DICT_MESSAGE) {
        wrong.push(`${password}: ${res.status} ${res.text.slice(0, 160)}`);
      }
    }
    assert.deepEqual(wrong, [], 'every common password is refused with the dictionary message');
    await accepted(project, PASSPHRASE);
  });

  it('passwordDictionary: PATCH /account/password and PUT /account/recovery refuse them too', async () => {
    const project = createProject({ auth_password_dictionary: 1 });
    const user = await signUp({ project });
    const session = await signIn(user);
    assertError(await api('PATCH', '/account/password', { project, auth: session,
      json: { password: 'qwerty123', oldPassword: user.password } }), 400, 'general_argument_invalid', DICT_MESSAGE);
    const rec = await flows.recovery(user.email, { project });
    assertError(await redeemRecovery(user.id, rec.secret, 'password123', { project }), 400,
      'general_argument_invalid', DICT_MESSAGE);
    const ok = await redeemRecovery(user.id, rec.secret, PASSPHRASE, { project });
    assert.equal(ok.status, 200, `the token survived the refused password: ${ok.text}`);
  });

  it('the new projects columns exist with their defaults (min length 8, every rule off)', async () => {
    let got;
    try {
      got = sql(`SELECT ${NEW_COLUMNS.join(', ')} FROM projects WHERE id = '${PROJECT}'`).trim();
    } catch (err) {
      assert.fail(`projects lacks the password-rule columns: ${/ERROR.*$/m.exec(String(err.stderr))?.[0] ?? err.message}`);
    }
    assert.equal(got, '8\t0\t0\t0\t0\t0');
  });

  it('auth_password_min_length=12: 10 and 11 characters → 400 "at least 12 characters"; 12 pass', async () => {
    const project = policyProject({ auth_password_min_length: 12 });
    refused(await create(project, 'Abc-def-12'), /at least 12 characters/, '10 characters');
    refused(await create(project, 'abcd-efgh-1'), /at least 12 characters/, '11 characters');
    await accepted(project, 'abcd-efgh-12');
    await accepted(project, PASSPHRASE);
    const user = await signUp({ project, password: PASSPHRASE });
    const session = await signIn(user);
    refused(await api('PATCH', '/account/password', { project, auth: session,
      json: { password: 'Abc-def-12', oldPassword: user.password } }), /at least 12 characters/, 'PATCH /account/password');
  });

  const RULES = [
    ['auth_password_upper', 'alllowercase-pass-77', /uppercase/i, 'Alllowercase-pass-77'],
    ['auth_password_lower', 'ALLUPPER-PASS-77', /lowercase/i, 'ALLUPPER-PASs-77'],
    ['auth_password_number', 'no-digits-here-at-all', /number/i, 'no-digits-here-at-all-1'],
    ['auth_password_symbol', 'NoSymbolsHere77x', /symbol/i, 'NoSymbolsHere77x!'],
  ];
  for (const [column, bad, pattern, good] of RULES) {
    it(`${column}=1: '${bad}' → 400 (${pattern}); '${good}' passes`, async () => {
      const project = policyProject({ [column]: 1 });
      refused(await create(project, bad), pattern, bad);
      await accepted(project, good);
    });
  }

  it('auth_password_min_score=3: guessable passwords → 400 "too weak"; a long passphrase passes', async () => {
    const project = policyProject({ auth_password_min_score: 3 });
    for (const weak of ['Password2', 'Password123', 'iloveyou12', 'aaaaaaaaaa']) {
      refused(await create(project, weak), /too weak/i, weak);
    }
    await accepted(project, PASSPHRASE);
  });

  it('with every rule off (the demo project) the same passwords are accepted', async () => {
    for (const password of ['alllowercase-pass-77', 'ALLUPPER-PASS-77', 'NoSymbolsHere77x', 'Abc-def-12', 'qwerty123']) {
      const res = await create(PROJECT, password);
      assert.equal(res.status, 201, `${password}: ${res.text}`);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// 7. Guess limits stay on when the rate limits are off (SECURITY.md 3)
// ---------------------------------------------------------------------------------------------------

// The password case (10 failed POST /account/sessions/email for one address, then the right password →
// 429) is account.test.mjs "10 failed passwords an hour per address, whatever the IP"; delivery.test.mjs
// "3: the 11th wrong secret for one user" mixes five redeeming routes. These are the plain one-route cases.
describe('7. per-account guess limits hold with abuse=0 (SECURITY.md 3)', () => {
  it('email OTP: 10 wrong codes at POST /account/sessions/token, then the right one → 429', async (t) => {
    await awayFromHourEdge();
    const user = await signUp();
    const otp = await flows.emailOtp(user.email);
    const wrong = wrongCode(otp.secret);
    for (let i = 0; i < 10; i++) {
      const res = await redeemSignIn(user.id, wrong, { headers: { 'X-Forwarded-For': `203.0.113.${i + 1}` } });
      if (i === 0 && res.headers.get('x-ratelimit-limit') !== null) t.diagnostic('the route rate limits are on here');
      assertError(res, 401, 'user_invalid_token');
    }
    assertError(await redeemSignIn(user.id, otp.secret), 429, 'general_rate_limit_exceeded');
  });

  it('phone OTP: 10 wrong codes at POST /account/sessions/token, then the right one → 429', async () => {
    await awayFromHourEdge();
    const phone = uniquePhone();
    const otp = await flows.phoneOtp(phone);
    const wrong = wrongCode(otp.secret);
    for (let i = 0; i < 10; i++) {
      assertError(await redeemSignIn(otp.token.userId, wrong), 401, 'user_invalid_token');
    }
    assertError(await redeemSignIn(otp.token.userId, otp.secret), 429, 'general_rate_limit_exceeded');
  });
});
