// lib.mjs: the shared harness of the end-to-end suite.
//
// - Environment: LATCHKEY_ENDPOINT (default http://127.0.0.1:8080/v1), LATCHKEY_PROJECT (default demo),
//   LATCHKEY_MYSQL_DEFAULTS (a mariadb client defaults file; tests that need their own project with
//   particular auth settings are skipped without it), LATCHKEY_MYSQL_DB (default latchkey).
// - A browser-like `window` shim for the web SDK (see "localStorage shim" below). It is installed when
//   this module is evaluated, so import the SDKs only through loadSdk(), never statically.
// - Raw HTTP helpers (fetch) for what the SDK hides: status, headers, Set-Cookie, CORS, error bodies.
// - Admin SQL helpers that create throw-away projects (`e2e-<hex>`) with given settings.
// - Model field lists and assertion helpers.

import { AsyncLocalStorage } from 'node:async_hooks';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';

export const ENDPOINT = (process.env.LATCHKEY_ENDPOINT || 'http://127.0.0.1:8080/v1').replace(/\/+$/, '');
export const PROJECT = process.env.LATCHKEY_PROJECT || 'demo';
export const MYSQL_DEFAULTS = process.env.LATCHKEY_MYSQL_DEFAULTS || '';
export const MYSQL_DB = process.env.LATCHKEY_MYSQL_DB || 'latchkey';
export const ENDPOINT_URL = new URL(ENDPOINT);

// ---------------------------------------------------------------------------------------------------
// localStorage shim
//
// Both SDK majors (16.x and 28.x, checked in dist/esm/sdk.js) touch the browser only through
// `window.localStorage.getItem('cookieFallback')` in Client.prepareRequest (copied into the
// X-Fallback-Cookies request header), `window.localStorage.setItem('cookieFallback', header)` after
// a successful response that carried X-Fallback-Cookies, and `window.console.warn(...)` next to it.
// Every access is guarded by `typeof window !== 'undefined' && window.localStorage`, evaluated at
// call time, never at import time.
//
// One global `window` serves every client in the process; the per-client storage comes from an
// AsyncLocalStorage context: sdkClient() wraps the client's `call` so that the whole request, including
// the continuation after `await fetch(...)` that stores the fallback header, runs with that client's
// own MemoryStorage as `window.localStorage`. Clients may therefore even run concurrently without
// seeing each other's sessions. Code that reads localStorage outside a wrapped call gets `stray`,
// which nothing writes.
// ---------------------------------------------------------------------------------------------------

export class MemoryStorage {
  #items = new Map();
  get length() { return this.#items.size; }
  key(i) { return [...this.#items.keys()][i] ?? null; }
  getItem(k) { k = String(k); return this.#items.has(k) ? this.#items.get(k) : null; }
  setItem(k, v) { this.#items.set(String(k), String(v)); }
  removeItem(k) { this.#items.delete(String(k)); }
  clear() { this.#items.clear(); }
}

const storageContext = new AsyncLocalStorage();
const strayStorage = new MemoryStorage();

// The SDK warns on every stored fallback header and on every X-Appwrite-Warning; print each text once.
const seenWarnings = new Set();
function warnOnce(...args) {
  const text = args.map(String).join(' ');
  if (text.startsWith('Appwrite is using localStorage')) return;
  if (seenWarnings.has(text)) return;
  seenWarnings.add(text);
  process.stderr.write(`[sdk] ${text}\n`);
}

if (typeof globalThis.window === 'undefined') {
  const win = { console: { ...console, warn: warnOnce } };
  Object.defineProperty(win, 'localStorage', {
    get: () => storageContext.getStore() ?? strayStorage,
    enumerable: true,
  });
  globalThis.window = win;
  const plainWarn = console.warn.bind(console);
  console.warn = (...args) => (String(args[0]).startsWith('Warning: ') ? warnOnce(...args) : plainWarn(...args));
}

/** Imports an SDK package ('appwrite16' or 'appwrite') after the shim is in place. */
export async function loadSdk(name) {
  return import(name);
}

/**
 * A fresh SDK client with its own localStorage. Returns { client, account, storage }.
 * options: project, jwt (setJWT), endpoint.
 */
export function sdkClient(sdk, { project = PROJECT, jwt, endpoint = ENDPOINT } = {}) {
  const client = new sdk.Client().setEndpoint(endpoint).setProject(project);
  if (jwt) client.setJWT(jwt);
  const storage = new MemoryStorage();
  const call = client.call.bind(client);
  client.call = (...args) => storageContext.run(storage, () => call(...args));
  return { client, account: new sdk.Account(client), storage };
}

// ---------------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------------

export const hex = (bytes) => randomBytes(bytes).toString('hex');
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const uniqueEmail = (tag = 'u') => `e2e.${tag}.${hex(6)}@example.com`;
export const strongPassword = () => `Pw-${hex(6)}-zQ9!`;
/** JSON round trip: turns SDK results (null-prototype objects from json-bigint in SDK 28) into plain data. */
export const plain = (value) => JSON.parse(JSON.stringify(value));

export const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/;
export const SERVER_ID = /^[0-9a-f]{20}$/;

/** Asserts an ISO datetime of the response format within `slackMs` of `expectedMs`. */
export function assertTimeNear(value, expectedMs, slackMs, what = 'datetime') {
  assert.match(value, DATETIME, `${what} format`);
  const delta = Math.abs(Date.parse(value) - expectedMs);
  assert.ok(delta <= slackMs, `${what} ${value} is ${delta} ms away from ${new Date(expectedMs).toISOString()}`);
}

// ---------------------------------------------------------------------------------------------------
// Models (spec/appwrite-1.6-client-account.json, components.schemas; Account = user minus
// password, hash, hashOptions). Keys are compared in order (spec/CONTRACT.md 4.1).
// ---------------------------------------------------------------------------------------------------

export const ACCOUNT_KEYS = ['$id', '$createdAt', '$updatedAt', 'name', 'registration', 'status', 'labels',
  'passwordUpdate', 'email', 'phone', 'emailVerification', 'phoneVerification', 'mfa', 'prefs', 'targets',
  'accessedAt'];
export const SESSION_KEYS = ['$id', '$createdAt', '$updatedAt', 'userId', 'expire', 'provider', 'providerUid',
  'providerAccessToken', 'providerAccessTokenExpiry', 'providerRefreshToken', 'ip', 'osCode', 'osName',
  'osVersion', 'clientType', 'clientCode', 'clientName', 'clientVersion', 'clientEngine',
  'clientEngineVersion', 'deviceName', 'deviceBrand', 'deviceModel', 'countryCode', 'countryName', 'current',
  'factors', 'secret', 'mfaUpdatedAt'];
export const LOG_KEYS = ['event', 'userId', 'userEmail', 'userName', 'mode', 'ip', 'time', 'osCode', 'osName',
  'osVersion', 'clientType', 'clientCode', 'clientName', 'clientVersion', 'clientEngine', 'clientEngineVersion',
  'deviceName', 'deviceBrand', 'deviceModel', 'countryCode', 'countryName'];
export const TARGET_KEYS = ['$id', '$createdAt', '$updatedAt', 'name', 'userId', 'providerId', 'providerType',
  'identifier', 'expired'];
export const IDENTITY_KEYS = ['$id', '$createdAt', '$updatedAt', 'userId', 'provider', 'providerUid',
  'providerEmail', 'providerAccessToken', 'providerAccessTokenExpiry', 'providerRefreshToken'];
export const ERROR_KEYS = ['message', 'code', 'type', 'version'];
export const TOKEN_KEYS = ['$id', '$createdAt', 'userId', 'secret', 'expire', 'phrase'];
/** The database form of a datetime that recovery and verification links carry (CONTRACT 6.1 quirk). */
export const DB_DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/;

const DEVICE_KEYS = ['osCode', 'osName', 'osVersion', 'clientType', 'clientCode', 'clientName', 'clientVersion',
  'clientEngine', 'clientEngineVersion', 'deviceName', 'deviceBrand', 'deviceModel'];

/** Checks an Account body: exact keys in order, field types, no secrets. */
export function assertAccount(body, expect = {}) {
  body = plain(body);
  assert.deepEqual(Object.keys(body), ACCOUNT_KEYS, 'Account keys (in order)');
  for (const k of ['$id', 'name', 'email', 'phone']) assert.equal(typeof body[k], 'string', `Account.${k} is a string`);
  for (const k of ['$createdAt', '$updatedAt', 'registration']) assert.match(body[k], DATETIME, `Account.${k}`);
  for (const k of ['passwordUpdate', 'accessedAt']) {
    assert.ok(body[k] === '' || DATETIME.test(body[k]), `Account.${k} is a datetime or "" (got ${body[k]})`);
  }
  for (const k of ['status', 'emailVerification', 'phoneVerification', 'mfa']) {
    assert.equal(typeof body[k], 'boolean', `Account.${k} is a boolean`);
  }
  assert.ok(Array.isArray(body.labels), 'Account.labels is an array');
  assert.ok(Array.isArray(body.targets), 'Account.targets is an array');
  assert.ok(body.prefs !== null && typeof body.prefs === 'object' && !Array.isArray(body.prefs),
    'Account.prefs is an object ({} when empty, never [])');
  for (const t of body.targets) assertTarget(t);
  for (const [k, v] of Object.entries(expect)) assert.deepEqual(body[k], v, `Account.${k}`);
  return body;
}

export function assertTarget(t) {
  assert.deepEqual(Object.keys(t), TARGET_KEYS, 'Target keys (in order)');
  assert.ok(t.providerId === null || typeof t.providerId === 'string', 'Target.providerId nullable string');
  assert.equal(typeof t.expired, 'boolean');
}

/** Checks a Session body: exact keys in order, types, the client view of `secret`. */
export function assertSession(body, expect = {}) {
  body = plain(body);
  assert.deepEqual(Object.keys(body), SESSION_KEYS, 'Session keys (in order)');
  for (const k of ['$createdAt', '$updatedAt', 'expire']) assert.match(body[k], DATETIME, `Session.${k}`);
  for (const k of ['providerAccessTokenExpiry', 'mfaUpdatedAt']) {
    assert.ok(body[k] === '' || DATETIME.test(body[k]), `Session.${k} is a datetime or ""`);
  }
  for (const k of [...DEVICE_KEYS, 'provider', 'providerUid', 'providerAccessToken', 'providerRefreshToken', 'ip',
    'countryCode', 'countryName', 'userId', '$id']) {
    assert.equal(typeof body[k], 'string', `Session.${k} is a string`);
  }
  assert.equal(typeof body.current, 'boolean');
  assert.ok(Array.isArray(body.factors));
  assert.equal(body.secret, '', 'Session.secret is hidden from client callers');
  for (const [k, v] of Object.entries(expect)) assert.deepEqual(body[k], v, `Session.${k}`);
  return body;
}

export function assertLog(body, expect = {}) {
  body = plain(body);
  assert.deepEqual(Object.keys(body), LOG_KEYS, 'Log keys (in order)');
  assert.match(body.time, DATETIME, 'Log.time');
  for (const k of LOG_KEYS) if (k !== 'time') assert.equal(typeof body[k], 'string', `Log.${k} is a string`);
  for (const [k, v] of Object.entries(expect)) assert.deepEqual(body[k], v, `Log.${k}`);
  return body;
}

/**
 * Checks a Token body: exactly the keys $id, $createdAt, userId, secret, expire, phrase (in order), ISO
 * datetimes, and `secret` "" (clients never see it). ttlS: expected expire - $createdAt in seconds.
 */
export function assertToken(body, { ttlS, ...expect } = {}) {
  body = plain(body);
  assert.deepEqual(Object.keys(body), TOKEN_KEYS, 'Token keys (in order)');
  assert.match(body.$id, SERVER_ID, 'Token.$id');
  assert.match(body.$createdAt, DATETIME, 'Token.$createdAt');
  assert.match(body.expire, DATETIME, 'Token.expire');
  assert.equal(typeof body.userId, 'string');
  assert.ok(body.userId.length > 0, 'Token.userId is set');
  assert.equal(body.secret, '', 'Token.secret is hidden from client callers');
  assert.equal(typeof body.phrase, 'string');
  if (ttlS !== undefined) {
    assert.equal(Date.parse(body.expire) - Date.parse(body.$createdAt), ttlS * 1000, `Token lifetime ${ttlS} s`);
  }
  for (const [k, v] of Object.entries(expect)) assert.deepEqual(body[k], v, `Token.${k}`);
  return body;
}

/** A random E.164 number in the +1 555 range (fictional numbers). */
export const uniquePhone = () => `+1555${String(randomBytes(4).readUInt32BE() % 10000000).padStart(7, '0')}`;

/** The address the server sees for us, when it is predictable (loopback endpoint). */
export const EXPECTED_IP = ENDPOINT_URL.hostname === '127.0.0.1' ? '127.0.0.1' : undefined;

// ---------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------

/** Asserts a raw response is an Appwrite error body with this status and type. Returns the body. */
export function assertError(res, status, type, message) {
  const where = `${res.method} ${res.path}`;
  assert.equal(res.status, status, `${where}: status (body: ${res.text.slice(0, 300)})`);
  assert.match(res.headers.get('content-type') || '', /^application\/json/i, `${where}: JSON error body`);
  assert.ok(res.body && typeof res.body === 'object', `${where}: error body parses (${res.text.slice(0, 200)})`);
  assert.deepEqual(Object.keys(res.body), ERROR_KEYS, `${where}: error keys exactly message, code, type, version`);
  assert.equal(res.body.code, status, `${where}: body.code is the status as a number`);
  assert.equal(typeof res.body.message, 'string');
  assert.equal(typeof res.body.version, 'string');
  assert.ok(res.body.version.length > 0, 'version is not empty');
  if (type !== undefined) assert.equal(res.body.type, type, `${where}: type (message: ${res.body.message})`);
  if (message !== undefined) assert.equal(res.body.message, message, `${where}: message`);
  return res.body;
}

/** Asserts a 4xx Appwrite JSON error (any type) and never a 5xx. */
export function assertClientError(res, allowed = [400]) {
  assert.ok(res.status < 500, `${res.method} ${res.path}: no 5xx (got ${res.status}: ${res.text.slice(0, 200)})`);
  assert.ok(allowed.includes(res.status), `${res.method} ${res.path}: status ${res.status} in ${allowed}` +
    ` (body: ${res.text.slice(0, 200)})`);
  return assertError(res, res.status);
}

/** Awaits an SDK promise that must fail with this HTTP code and Appwrite type. Returns the exception. */
export async function sdkError(promise, code, type) {
  let err;
  try {
    const value = await promise;
    assert.fail(`expected ${code} ${type}, got success: ${JSON.stringify(value)?.slice(0, 200)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    err = e;
  }
  assert.equal(err.name, 'AppwriteException', `an AppwriteException (got ${err.stack})`);
  assert.equal(err.code, code, `code (type ${err.type}, message ${err.message})`);
  assert.equal(err.type, type, `type (message ${err.message})`);
  return err;
}

// ---------------------------------------------------------------------------------------------------
// Raw HTTP
// ---------------------------------------------------------------------------------------------------

/**
 * The headers and body of a request from api()'s options (project, json, body, auth, jwt, origin,
 * headers; a header given as undefined or null is left out). Shared by api() and
 * token-helpers.mjs rawRequest().
 */
export function requestParts(opts = {}) {
  const { project = PROJECT, json, body, auth, jwt, origin } = opts;
  const headers = {};
  if (project !== null) headers['X-Appwrite-Project'] = project;
  let payload = body;
  if (json !== undefined) {
    payload = JSON.stringify(json);
    headers['Content-Type'] = 'application/json';
  }
  if (auth) headers.Cookie = auth.cookie;
  if (jwt) headers['X-Appwrite-JWT'] = jwt;
  if (origin) headers.Origin = origin;
  Object.assign(headers, opts.headers || {});
  for (const [k, v] of Object.entries(headers)) if (v === undefined || v === null) delete headers[k];
  return { headers, payload };
}

/**
 * One raw request. path is relative to ENDPOINT (e.g. '/account').
 * opts: project (null = no X-Appwrite-Project header), json (object → JSON body), body (raw body),
 *       headers, query (object; array values become key[0]=..), auth (a session from signIn(): sends its
 *       cookie), jwt, origin.
 * Returns { status, headers, body (parsed JSON or undefined), text, cookies (parsed Set-Cookie list) }.
 */
export async function api(method, path, opts = {}) {
  const url = new URL(ENDPOINT + path);
  for (const [k, v] of Object.entries(opts.query || {})) {
    if (Array.isArray(v)) v.forEach((item, i) => url.searchParams.append(`${k}[${i}]`, item));
    else url.searchParams.append(k, v);
  }
  const { headers, payload } = requestParts(opts);
  const res = await fetch(url, { method, headers, body: payload, redirect: 'manual' });
  const text = await res.text();
  let parsed;
  if ((res.headers.get('content-type') || '').includes('json') && text) {
    try { parsed = JSON.parse(text); } catch { parsed = undefined; }
  }
  return {
    method, path, status: res.status, headers: res.headers, body: parsed, text,
    cookies: res.headers.getSetCookie().map(parseSetCookie),
  };
}

/** Parses one Set-Cookie line into { name, value, attrs } with lower-cased attribute names. */
export function parseSetCookie(line) {
  const [pair, ...rest] = line.split(';');
  const eq = pair.indexOf('=');
  const attrs = {};
  for (const part of rest) {
    const i = part.indexOf('=');
    const key = (i < 0 ? part : part.slice(0, i)).trim().toLowerCase();
    if (key) attrs[key] = i < 0 ? true : part.slice(i + 1).trim();
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attrs, line };
}

export const cookieName = (project = PROJECT) => `a_session_${project.toLowerCase()}`;

/** Creates an account by raw HTTP. Returns { id, email, password, name, project, account }. */
export async function signUp({ project = PROJECT, email = uniqueEmail(), password = strongPassword(),
  name = 'E2E User', userId = 'unique()' } = {}) {
  const res = await api('POST', '/account', { project, json: { userId, email, password, name } });
  assert.equal(res.status, 201, `sign-up: ${res.text}`);
  return { id: res.body.$id, email, password, name, project, account: res.body };
}

/**
 * Signs in by raw HTTP. Returns a session handle { project, id (session id), userId, token (decoded cookie
 * value), cookie (the Cookie header a browser would send back), res }.
 */
export async function signIn({ project = PROJECT, email, password }) {
  const res = await api('POST', '/account/sessions/email', { project, json: { email, password } });
  assert.equal(res.status, 201, `sign-in: ${res.text}`);
  return sessionFrom(res, project);
}

export async function anonymous({ project = PROJECT } = {}) {
  const res = await api('POST', '/account/sessions/anonymous', { project });
  assert.equal(res.status, 201, `anonymous session: ${res.text}`);
  return sessionFrom(res, project);
}

export function sessionFrom(res, project = PROJECT) {
  const primary = res.cookies.find((c) => c.name === cookieName(project));
  assert.ok(primary, `Set-Cookie ${cookieName(project)} present (got ${res.headers.getSetCookie()})`);
  return {
    project, id: res.body.$id, userId: res.body.userId, token: decodeURIComponent(primary.value),
    cookie: `${primary.name}=${primary.value}`, res,
  };
}

/** Signs up and signs in: { user, session }. */
export async function newSignedIn(opts = {}) {
  const user = await signUp(opts);
  const session = await signIn(user);
  return { user, session };
}

/** GET /account with the given request options; returns the response. */
export const whoami = (opts = {}) => api('GET', '/account', opts);

/** Asserts the server still answers a trivial request correctly (after hostile input). */
export async function assertAlive() {
  const res = await whoami();
  assertError(res, 401, 'general_unauthorized_scope');
}

// ---------------------------------------------------------------------------------------------------
// Admin SQL: throw-away projects with particular settings
// ---------------------------------------------------------------------------------------------------

export const haveSql = MYSQL_DEFAULTS !== '';
export const NO_SQL = haveSql ? false : 'LATCHKEY_MYSQL_DEFAULTS is not set';

/** Runs admin SQL through the mariadb client; returns its tab-separated output. */
export function sql(statement) {
  assert.ok(haveSql, 'LATCHKEY_MYSQL_DEFAULTS is required');
  return execFileSync('mariadb', [`--defaults-file=${MYSQL_DEFAULTS}`, '-N', '-B', MYSQL_DB, '-e', statement],
    { encoding: 'utf8' });
}

const quote = (s) => `'${String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const SETTING = /^(api_rest|service_account|auth_[a-z_]+)$/;
const createdProjects = new Set();

function settingValue(v) {
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (Number.isInteger(v)) return String(v);
  return quote(v);
}

/**
 * Creates a project `e2e-<hex>` with the given projects-table settings (e.g. { auth_max_sessions: 2 })
 * and web platforms for the given hostnames (default localhost and 127.0.0.1). Returns its id.
 */
export function createProject(settings = {}, { platforms = ['localhost', '127.0.0.1'] } = {}) {
  const id = `e2e-${hex(8)}`;
  const cols = ['id', 'name'];
  const vals = [quote(id), quote(`E2E ${id}`)];
  for (const [k, v] of Object.entries(settings)) {
    assert.match(k, SETTING, `known setting column ${k}`);
    cols.push(k);
    vals.push(settingValue(v));
  }
  let statement = `INSERT INTO projects (${cols.join(', ')}) VALUES (${vals.join(', ')});`;
  platforms.forEach((host, i) => {
    statement += ` INSERT INTO platforms (project_id, id, type, name, hostname) VALUES (${quote(id)},` +
      ` 'web-${i}', 'web', ${quote(host)}, ${quote(host)});`;
  });
  sql(statement);
  createdProjects.add(id);
  return id;
}

/** Changes settings of a project created by createProject(). */
export function updateProject(id, settings) {
  const sets = Object.entries(settings).map(([k, v]) => {
    assert.match(k, SETTING, `known setting column ${k}`);
    return `${k} = ${settingValue(v)}`;
  });
  sql(`UPDATE projects SET ${sets.join(', ')} WHERE id = ${quote(id)};`);
}

/** Deletes every project this process created (users, sessions... cascade; logs have no FK). */
export function dropProjects() {
  if (!haveSql || createdProjects.size === 0) return;
  const ids = [...createdProjects].map(quote).join(', ');
  sql(`DELETE FROM logs WHERE project_id IN (${ids}); DELETE FROM projects WHERE id IN (${ids});`);
  createdProjects.clear();
}
