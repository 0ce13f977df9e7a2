// Resilience: workers killed with SIGKILL are replaced and lose no acknowledged write; with MariaDB
// gone every request gets a clean 503 Appwrite error, and the same workers recover when it is back.
// Needs LATCHKEY_RUNDIR (the stack of scripts/run), since it signals processes and stops the database.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { api, assertError, newSignedIn, sleep } from './lib.mjs';

const RUNDIR = process.env.LATCHKEY_RUNDIR || '';
const SKIP = RUNDIR ? false : 'LATCHKEY_RUNDIR is not set';
const RUN = fileURLToPath(new URL('../../scripts/run', import.meta.url));

/** PIDs of the latchkey master's request workers (not the lk-delivery process). */
function workerPids() {
  const master = readFileSync(`${RUNDIR}/pids/latchkey.pid`, 'utf8').trim();
  const out = execFileSync('pgrep', ['-P', master], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map(Number).filter((pid) => {
    try { return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'lk-delivery'; } catch { return false; }
  });
}

/** Retries fn until it returns true or ms pass. */
async function eventually(fn, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return true;
    if (Date.now() > end) return false;
    await sleep(100);
  }
}

describe('resilience', { skip: SKIP }, () => {
  it('SIGKILLed workers are replaced and every acknowledged write is kept', async () => {
    const { session } = await newSignedIn();
    const before = workerPids();
    assert.ok(before.length >= 1, 'workers are running');
    let acknowledged = -1;
    let killedAt = 0;
    let afterKill = 0;
    // writes, with every worker killed part-way through; the request a worker was serving when it died
    // may fail (the web server answers it), and for up to its retry time the web server may refuse;
    // after that every write must succeed again
    for (let i = 0; i < 400 && afterKill < 15; i++) {
      if (i === 10) {
        for (const pid of workerPids()) process.kill(pid, 'SIGKILL');
        killedAt = Date.now();
      }
      let res;
      try {
        res = await api('PATCH', '/account/prefs', { auth: session, json: { prefs: { counter: i } } });
      } catch {
        continue; // the connection died with the worker: not acknowledged
      }
      if (res.status >= 500) {
        assert.ok(killedAt && Date.now() - killedAt < 5000, `5xx long after the kill: ${res.status} ${res.text}`);
        await sleep(50);
        continue;
      }
      assert.equal(res.status, 200, res.text);
      acknowledged = i;
      if (killedAt) afterKill++;
    }
    assert.equal(afterKill, 15, 'writes succeed again after the kill');
    assert.ok(await eventually(async () => {
      const pids = workerPids();
      return pids.length === before.length && pids.every((p) => !before.includes(p));
    }), 'the master respawned every worker');
    const res = await api('GET', '/account/prefs', { auth: session });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { counter: acknowledged }, 'the last acknowledged write is what is stored');
  });

  it('MariaDB down: clean 503 errors, no crash; back up: the same workers serve again', async () => {
    const { session } = await newSignedIn();
    const pids = workerPids();
    execFileSync(RUN, ['db-stop'], { stdio: 'ignore', env: process.env });
    try {
      await sleep(2100); // past the per-worker project cache
      for (let i = 0; i < 6; i++) {
        const res = await api('GET', '/account', { auth: session });
        assertError(res, 503, 'general_service_unavailable');
        const w = await api('POST', '/account/sessions/anonymous', {});
        assertError(w, 503, 'general_service_unavailable');
      }
    } finally {
      execFileSync(RUN, ['db-start'], { stdio: 'ignore', env: process.env });
    }
    assert.ok(await eventually(async () => (await api('GET', '/account', { auth: session })).status === 200),
      'GET /account works again after MariaDB is back');
    assert.deepEqual(workerPids().sort(), pids.sort(), 'no worker crashed or was replaced');
  });
});
