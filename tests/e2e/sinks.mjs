// sinks.mjs: local receivers for what the server's delivery process sends.
//
// - MailSink: a real SMTP server (npm smtp-server) on 127.0.0.1:LATCHKEY_SMTP_PORT (default 2526), no
//   AUTH, no TLS (STARTTLS is not offered), that parses every message with mailparser and keeps it.
// - SmsSink: an HTTP server (node:http) on the host and port of LATCHKEY_SMS_WEBHOOK (default
//   http://127.0.0.1:2527/sms) that keeps the JSON bodies of the generic SMS webhook
//   (POST {"from","to","message"}).
//
// The stack must have been started with the same LATCHKEY_SMTP_HOST/PORT and LATCHKEY_SMS_WEBHOOK
// (scripts/test exports them; see README.md). Each sink can be stopped and started again inside one
// test file (delivery fault tests); messages are kept across restarts until clear().
//
// Helpers: waitForMail/waitForSms (first message to a recipient, with a timeout), otpFrom (the 6-digit
// code of a message), linkFrom (the link carrying `secret`, with its query parameters), countById
// (copies of one Message-ID), and a "barrier" (sendBarrier in the tests) to prove that nothing was
// sent for a request: see expectNoMail / expectNoSms.

import { EventEmitter } from 'node:events';
import http from 'node:http';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { api, sql, haveSql, uniqueEmail, uniquePhone, PROJECT } from './lib.mjs';

export const SMTP_HOST = '127.0.0.1';
export const SMTP_PORT = Number(process.env.LATCHKEY_SMTP_PORT || 2526);
export const SMS_WEBHOOK = new URL(process.env.LATCHKEY_SMS_WEBHOOK || 'http://127.0.0.1:2527/sms');

const DEFAULT_WAIT_MS = 20000;

/** Resolves with check()'s first non-undefined value, re-checked on every new item; rejects after timeoutMs. */
function waitIn(emitter, check, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const hit = check();
    if (hit !== undefined) return resolve(hit);
    const onItem = () => {
      const m = check();
      if (m !== undefined) { cleanup(); resolve(m); }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    function cleanup() {
      clearTimeout(timer);
      emitter.off('item', onItem);
    }
    emitter.on('item', onItem);
  });
}

const lc = (s) => String(s).toLowerCase();

// ---------------------------------------------------------------------------------------------------
// SMTP
// ---------------------------------------------------------------------------------------------------

/**
 * A received email: { seq, messageId ('<id@latchkey>'), outboxId (the part before '@'), rcptTo
 * (envelope recipients, lower-cased), mailFrom, to (header addresses), from, replyTo, subject, text,
 * html, headers (Map from mailparser), raw (string), dataStartedAt, receivedAt (ms, DATA ended),
 * acceptedAt (ms, the 250 reply was about to be sent), connectionLost (the client's connection had
 * already closed when the sink accepted it: the client cannot have seen the 250) }.
 */
export class MailSink extends EventEmitter {
  constructor({ port = SMTP_PORT, host = SMTP_HOST } = {}) {
    super();
    this.setMaxListeners(200);
    this.port = port;
    this.host = host;
    this.messages = [];
    /** ms to hold each message before the 250 reply to DATA (slows the delivery process down). */
    this.dataDelayMs = 0;
    /** Every DATA begun, in order: { seq, rcptTo, at } (also emitted as 'data-start'; 'data-end' when
     *  the whole message is in, before dataDelayMs and the reply). */
    this.dataStarts = [];
    /** DATA transfers the client abandoned before the end of the message (entries of dataStarts). */
    this.aborted = [];
    /** Answer this many next RCPT TO commands with 451 (a temporary failure, e.g. greylisting). */
    this.tempFailures = 0;
    /** Answer this many next RCPT TO commands with 550 (a permanent failure). */
    this.permFailures = 0;
    /** The RCPT TO commands refused either way: { rcptTo, at, code }. */
    this.refused = [];
    this.server = null;
    this.seq = 0;
  }

  get running() { return this.server !== null; }

  async start() {
    if (this.server) return;
    const sink = this;
    const server = new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      banner: 'latchkey e2e sink',
      size: 8 * 1024 * 1024,
      closeTimeout: 200,
      onClose(session) { session.lkClosed = true; },
      onRcptTo(address, session, callback) {
        if (sink.permFailures > 0) {
          sink.permFailures--;
          sink.refused.push({ rcptTo: lc(address.address), at: Date.now(), code: 550 });
          const err = new Error('No such user here');
          err.responseCode = 550;
          return callback(err);
        }
        if (sink.tempFailures > 0) {
          sink.tempFailures--;
          sink.refused.push({ rcptTo: lc(address.address), at: Date.now(), code: 451 });
          const err = new Error('Greylisted, try again later');
          err.responseCode = 451;
          return callback(err);
        }
        return callback();
      },
      onData(stream, session, callback) {
        const chunks = [];
        const seq = ++sink.seq;
        const rcptTo = session.envelope.rcptTo.map((a) => lc(a.address));
        const dataStartedAt = Date.now();
        const start = { seq, rcptTo, at: dataStartedAt };
        sink.dataStarts.push(start);
        sink.emit('data-start', start);
        stream.on('data', (c) => chunks.push(c));
        // the client went away before the final "." (smtp-server destroys the stream): not received
        stream.on('error', () => sink.aborted.push(start));
        stream.on('end', async () => {
          const receivedAt = Date.now();
          sink.emit('data-end', { ...start, at: receivedAt });
          const raw = Buffer.concat(chunks);
          try {
            if (sink.dataDelayMs > 0) await new Promise((r) => setTimeout(r, sink.dataDelayMs));
            const parsed = await simpleParser(raw);
            const messageId = parsed.messageId || '';
            const msg = {
              seq,
              messageId,
              outboxId: messageId.replace(/^</, '').replace(/@.*$/, ''),
              rcptTo,
              mailFrom: session.envelope.mailFrom ? lc(session.envelope.mailFrom.address) : '',
              to: (parsed.to?.value || []).map((a) => ({ address: lc(a.address), name: a.name })),
              from: parsed.from?.value?.[0] || null,
              replyTo: parsed.replyTo?.value?.[0] || null,
              subject: parsed.subject || '',
              text: parsed.text || '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              headers: parsed.headers,
              raw: raw.toString('utf8'),
              dataStartedAt,
              receivedAt,
              acceptedAt: Date.now(),
              connectionLost: Boolean(session.lkClosed),
            };
            // "committed" before the reply, as a real MTA does: a client that dies now has
            // delivered the message without knowing it
            sink.messages.push(msg);
            sink.emit('item', msg);
            callback(null, `queued as ${seq}`);
          } catch (err) {
            callback(err);
          }
        });
      },
    });
    server.on('error', () => {}); // connection-level errors (client killed mid-session) are expected
    await new Promise((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  async stop() {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise((resolve) => server.close(resolve));
  }

  clear() {
    this.messages = [];
    this.dataStarts = [];
    this.aborted = [];
    this.refused = [];
  }

  /** Messages whose envelope recipient is `address`. */
  to(address) {
    const a = lc(address);
    return this.messages.filter((m) => m.rcptTo.includes(a));
  }

  /** The first (or the `nth`, 0-based) message to `address` matching `where`; waits up to timeoutMs. */
  waitForMail(address, { timeoutMs = DEFAULT_WAIT_MS, nth = 0, where = () => true } = {}) {
    return waitIn(this, () => this.to(address).filter(where)[nth], timeoutMs, `mail #${nth} to ${address}`);
  }

  /** Waits until at least `n` messages match pred; resolves with them. */
  waitForCount(pred, n, { timeoutMs = DEFAULT_WAIT_MS, what = `${n} messages` } = {}) {
    return waitIn(this, () => {
      const hits = this.messages.filter(pred);
      return hits.length >= n ? hits : undefined;
    }, timeoutMs, what);
  }

  /** How many copies of one Message-ID (with or without angle brackets) arrived. */
  countById(messageId) {
    const id = messageId.replace(/^</, '').replace(/>$/, '');
    return this.messages.filter((m) => m.messageId === `<${id}>`).length;
  }

  /** Map of Message-ID → number of copies, over the messages matching pred. */
  countsById(pred = () => true) {
    const counts = new Map();
    for (const m of this.messages.filter(pred)) counts.set(m.messageId, (counts.get(m.messageId) || 0) + 1);
    return counts;
  }
}

// ---------------------------------------------------------------------------------------------------
// SMS webhook
// ---------------------------------------------------------------------------------------------------

/** A received SMS: { seq, from, to, message, body (parsed JSON), headers, path, receivedAt }. */
export class SmsSink extends EventEmitter {
  constructor({ url = SMS_WEBHOOK } = {}) {
    super();
    this.setMaxListeners(200);
    this.url = url;
    this.messages = [];
    /** Requests that were not a JSON POST to the webhook path: { method, path, status, body }. */
    this.rejected = [];
    /** HTTP status the sink answers (e.g. 503 to make delivery fail). */
    this.status = 200;
    this.server = null;
    this.seq = 0;
  }

  get running() { return this.server !== null; }

  async start() {
    if (this.server) return;
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body;
        try { body = JSON.parse(text); } catch { body = undefined; }
        const ok = req.method === 'POST' && req.url === this.url.pathname && body && typeof body === 'object';
        if (!ok || this.status !== 200) {
          this.rejected.push({ method: req.method, path: req.url, status: ok ? this.status : 400, body: text });
          res.writeHead(ok ? this.status : 400, { 'Content-Type': 'application/json' });
          res.end('{"ok":false}');
          return;
        }
        const msg = {
          seq: ++this.seq, from: body.from, to: body.to, message: body.message, body,
          headers: req.headers, path: req.url, receivedAt: Date.now(),
        };
        this.messages.push(msg);
        this.emit('item', msg);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    server.keepAliveTimeout = 1000;
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(Number(this.url.port || 80), this.url.hostname, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  async stop() {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }

  clear() {
    this.messages = [];
    this.rejected = [];
  }

  to(phone) { return this.messages.filter((m) => m.to === phone); }

  /** The first (or `nth`, 0-based) SMS to `phone`; waits up to timeoutMs. */
  waitForSms(phone, { timeoutMs = DEFAULT_WAIT_MS, nth = 0 } = {}) {
    return waitIn(this, () => this.to(phone)[nth], timeoutMs, `SMS #${nth} to ${phone}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Content helpers
// ---------------------------------------------------------------------------------------------------

// a 6-digit code standing alone (not part of a longer word such as a hex project id)
const OTP = /(?<![\w-])(\d{6})(?![\w-])/g;
const OTP_LINE = /^\s*(\d{6})\s*$/gm;

/** The one 6-digit code in a text (an SMS, or any text). Throws unless exactly one. */
export function otpIn(text) {
  const codes = [...new Set([...String(text).matchAll(OTP)].map((m) => m[1]))];
  if (codes.length !== 1) throw new Error(`expected one 6-digit code, found ${JSON.stringify(codes)} in: ${text}`);
  return codes[0];
}

/** The code of an email: the text part shows it on a line of its own; the HTML part must show it too. */
export function otpFrom(mail) {
  const lines = [...new Set([...mail.text.matchAll(OTP_LINE)].map((m) => m[1]))];
  const code = lines.length === 1 ? lines[0] : otpIn(mail.text);
  if (!mail.html.includes(code)) throw new Error(`the HTML part does not show the code ${code}`);
  return code;
}

const URL_RE = /https?:\/\/[^\s"'<>]+/g;

/**
 * The link of an email that carries a `secret` query parameter, from the text part (the same link
 * must be in the HTML part, where `&` is written `&amp;`). Returns { url (string), parsed (URL),
 * params (plain object of the query) }.
 */
export function linkFrom(mail) {
  const links = [...new Set([...mail.text.matchAll(URL_RE)].map((m) => m[0]))]
    .filter((u) => new URL(u).searchParams.has('secret'));
  if (links.length !== 1) throw new Error(`expected one link with a secret, found ${JSON.stringify(links)}`);
  const url = links[0];
  const inHtml = [...mail.html.matchAll(URL_RE)].map((m) => m[0].replace(/&amp;/g, '&'));
  if (!inHtml.includes(url)) throw new Error(`the HTML part does not carry the link ${url}`);
  const parsed = new URL(url);
  return { url, parsed, params: Object.fromEntries(parsed.searchParams) };
}

// ---------------------------------------------------------------------------------------------------
// Both sinks at once
// ---------------------------------------------------------------------------------------------------

/** Starts both sinks; returns { mail, sms, stop() }. */
export async function startSinks() {
  const mail = new MailSink();
  const sms = new SmsSink();
  await mail.start();
  await sms.start();
  return {
    mail,
    sms,
    async stop() {
      await mail.stop();
      await sms.stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Proving that nothing was sent
// ---------------------------------------------------------------------------------------------------

/**
 * Queues an email OTP to a fresh address in `project` and waits for it. The delivery process sends due
 * messages oldest first, so once the barrier has arrived every message queued before it has been tried.
 */
export async function mailBarrier(mail, { project = PROJECT } = {}) {
  const email = uniqueEmail('barrier');
  const res = await api('POST', '/account/tokens/email', { project, json: { userId: 'unique()', email } });
  if (res.status !== 201) throw new Error(`barrier token: ${res.status} ${res.text}`);
  return mail.waitForMail(email);
}

/** The same with an SMS (a phone token for a fresh number that is not a mock number). */
export async function smsBarrier(sms, { project = PROJECT } = {}) {
  const phone = uniquePhone();
  const res = await api('POST', '/account/tokens/phone', { project, json: { userId: 'unique()', phone } });
  if (res.status !== 201) throw new Error(`barrier phone token: ${res.status} ${res.text}`);
  return sms.waitForSms(phone);
}

/** Outbox rows for a recipient: [{ id, status, attempts, bodyNull, channel }] ([] without SQL access). */
export function outboxRows(recipient) {
  if (!haveSql) return [];
  const q = `'${String(recipient).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return sql(`SELECT id, status, attempts, body IS NULL, channel FROM outbox WHERE recipient = ${q} ORDER BY created_at`)
    .split('\n').filter(Boolean).map((line) => {
      const [id, status, attempts, bodyNull, channel] = line.split('\t');
      return { id, status, attempts: Number(attempts), bodyNull: bodyNull === '1', channel };
    });
}
