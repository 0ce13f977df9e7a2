// token-helpers.mjs: helpers shared by trust.test.mjs and lifetimes/lifetimes.test.mjs.
//
// - rawRequest(): one request through node:http, so that headers fetch() refuses to send or replaces
//   (a forged `Host`) really reach the server. Returns the same shape as lib.mjs api().
// - tokenFlows(sinks): requests that send a message (recovery, email and phone verification, magic URL,
//   email and phone OTP) and return the Token answer with the secret read from the delivered message
//   (never from SQL), plus the routes that redeem them.

import http from 'node:http';
import assert from 'node:assert/strict';
import {
  PROJECT, ENDPOINT_URL, api, assertToken, signUp, signIn, uniquePhone, parseSetCookie, requestParts,
} from './lib.mjs';
import { otpFrom, otpIn, linkFrom } from './sinks.mjs';

/**
 * One request with node:http. path is relative to the endpoint (e.g. '/account'). opts: project
 * (null = no X-Appwrite-Project), json, body, headers (sent as given: a `Host` here replaces the real
 * one), auth (a session from signIn()), origin.
 * Returns { method, path, status, headers (a Headers object), body, text, cookies }.
 */
export function rawRequest(method, path, opts = {}) {
  const { headers, payload } = requestParts(opts);
  if (payload !== undefined) headers['Content-Length'] = Buffer.byteLength(payload);
  const fullPath = ENDPOINT_URL.pathname.replace(/\/+$/, '') + path;
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: ENDPOINT_URL.hostname,
      port: ENDPOINT_URL.port || 80,
      method,
      path: fullPath,
      headers,
      setHost: !Object.keys(headers).some((k) => k.toLowerCase() === 'host'),
      agent: false,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (Array.isArray(v)) v.forEach((x) => h.append(k, x));
          else if (v !== undefined) h.set(k, String(v));
        }
        let parsed;
        if ((res.headers['content-type'] || '').includes('json') && text) {
          try { parsed = JSON.parse(text); } catch { parsed = undefined; }
        }
        resolve({
          method, path, status: res.statusCode, headers: h, body: parsed, text,
          cookies: (res.headers['set-cookie'] || []).map(parseSetCookie),
        });
      });
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** The Token body of a 201 answer (asserts the status first). */
function tokenOf(res, what) {
  assert.equal(res.status, 201, `${what}: ${res.status} ${res.text}`);
  return assertToken(res.body);
}

/** send(), remembering when the answer arrived (ms) as res.at. */
async function timed(send, ...args) {
  const res = await send(...args);
  res.at = Date.now();
  return res;
}

/**
 * Token flows bound to a pair of started sinks ({ mail, sms } from startSinks()). Every flow returns
 * { token (the Token answer), res (res.at: when the answer arrived, ms), mail | sms, secret (the code or
 * the link's secret), link? }.
 * `send` (default lib.mjs api) lets a caller route the creating request through rawRequest.
 */
export function tokenFlows(sinks) {
  /** Waits for the next message to `email` after `before` earlier ones. */
  const nextMail = (email, before) => sinks.mail.waitForMail(email, { nth: before });
  const nextSms = (phone, before) => sinks.sms.waitForSms(phone, { nth: before });

  async function emailOtp(email, { project = PROJECT, userId = 'unique()', send = api, headers } = {}) {
    const before = sinks.mail.to(email).length;
    const res = await timed(send, 'POST', '/account/tokens/email', { project, json: { userId, email }, headers });
    const token = tokenOf(res, 'POST /account/tokens/email');
    const mail = await nextMail(email, before);
    return { token, res, mail, secret: otpFrom(mail) };
  }

  /** url: null sends no `url` (the server's default page). */
  async function magicLink(email, { project = PROJECT, userId = 'unique()', url = 'http://localhost/magic', send = api,
    headers } = {}) {
    const before = sinks.mail.to(email).length;
    const json = { userId, email };
    if (url !== null) json.url = url;
    const res = await timed(send, 'POST', '/account/tokens/magic-url', { project, json, headers });
    const token = tokenOf(res, 'POST /account/tokens/magic-url');
    const mail = await nextMail(email, before);
    const link = linkFrom(mail);
    return { token, res, mail, link, secret: link.params.secret };
  }

  async function phoneOtp(phone, { project = PROJECT, userId = 'unique()' } = {}) {
    const before = sinks.sms.to(phone).length;
    const res = await timed(api, 'POST', '/account/tokens/phone', { project, json: { userId, phone } });
    const token = tokenOf(res, 'POST /account/tokens/phone');
    const sms = await nextSms(phone, before);
    return { token, res, sms, secret: otpIn(sms.message) };
  }

  async function recovery(email, { project = PROJECT, url = 'http://localhost/reset', send = api, headers } = {}) {
    const before = sinks.mail.to(email).length;
    const res = await timed(send, 'POST', '/account/recovery', { project, json: { email, url }, headers });
    const token = tokenOf(res, 'POST /account/recovery');
    const mail = await nextMail(email, before);
    const link = linkFrom(mail);
    return { token, res, mail, link, secret: link.params.secret };
  }

  async function verification(session, email, { url = 'http://localhost/verify', send = api, headers,
    path = '/account/verification' } = {}) {
    const before = sinks.mail.to(email).length;
    const res = await timed(send, 'POST', path, { project: session.project, auth: session, json: { url }, headers });
    const token = tokenOf(res, `POST ${path}`);
    const mail = await nextMail(email, before);
    const link = linkFrom(mail);
    return { token, res, mail, link, secret: link.params.secret };
  }

  async function phoneVerification(session, phone, { path = '/account/verification/phone' } = {}) {
    const before = sinks.sms.to(phone).length;
    const res = await timed(api, 'POST', path, { project: session.project, auth: session });
    const token = tokenOf(res, `POST ${path}`);
    const sms = await nextSms(phone, before);
    return { token, res, sms, secret: otpIn(sms.message) };
  }

  return { emailOtp, magicLink, phoneOtp, recovery, verification, phoneVerification };
}

/** PATCH /account/phone for a signed-in password user; asserts 200. */
export async function setPhone(user, session, phone = uniquePhone()) {
  const res = await api('PATCH', '/account/phone', { project: session.project, auth: session,
    json: { phone, password: user.password } });
  assert.equal(res.status, 200, `PATCH /account/phone: ${res.text}`);
  return phone;
}

/** A password account with a phone number and a session: { user, session, phone }. */
export async function userWithPhone({ project = PROJECT } = {}) {
  const user = await signUp({ project });
  const session = await signIn(user);
  const phone = await setPhone(user, session);
  return { user, session, phone };
}

// Redeeming routes ---------------------------------------------------------------------------------

/** POST /account/sessions/token (magic-URL, email and phone sign-in tokens), as a guest. */
export const redeemSignIn = (userId, secret, { project = PROJECT, headers } = {}) =>
  api('POST', '/account/sessions/token', { project, json: { userId, secret }, headers });

/** PUT /account/recovery. */
export const redeemRecovery = (userId, secret, password, { project = PROJECT } = {}) =>
  api('PUT', '/account/recovery', { project, json: { userId, secret, password } });

/** PUT /account/verification (or the 1.8 path), with the session if given. */
export const redeemVerification = (userId, secret, { auth, project = PROJECT, path = '/account/verification' } = {}) =>
  api('PUT', path, { project, auth, json: { userId, secret } });

/** PUT /account/verification/phone (or the 1.8 path); the caller must be signed in as the user. */
export const redeemPhoneVerification = (userId, secret, { auth, project = PROJECT,
  path = '/account/verification/phone' } = {}) => api('PUT', path, { project, auth, json: { userId, secret } });
