// bench/report.mjs: turns bench/run's results.jsonl into the table on
// stdout, RESULTS/latest.json, RESULTS/latest.md and RESULTS/chart.dat (the
// data of chart.gp), and optionally the latest-figures block of a README.
//   node report.mjs RESULTS.jsonl RESULTS_DIR [README.md...]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [jsonl, outDir] = process.argv.slice(2);
const rows = readFileSync(jsonl, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const R = {};
for (const r of rows) (R[r.target] ??= {})[r.scenario] = r;
const info = { ...R.machine?.info, ...R.machine?.end };
const lk = R.latchkey ?? {};
const fl = R.floor ?? {};
const peer = R.peer ?? {};

const MiB = 1024;
const rps = (x) => (x && typeof x.rps === 'number' ? x.rps : null);
const argon = fl.argon2 ? fl.argon2.hashes_per_s : null;
const ratio = (a, b) => (a != null && b ? a / b : null);

// CPU time per request of every part (app + MariaDB + web server), in µs.
const cpuOf = (x) => (x && x.cpu_us ? x.cpu_us.app + x.cpu_us.db + x.cpu_us.web : null);
const argonCpu = fl.argon2?.cpu_ms_per_hash ? fl.argon2.cpu_ms_per_hash * 1000 : null;

// The scenarios, their floor and the peer's equivalent route.
const scenarios = [
	{ key: 'get_account', label: 'GET /v1/account (session)', floor: rps(fl.select), floorCpu: cpuOf(fl.select), floorName: 'floor (b) PK SELECT',
	  peerKey: 'get_account', peerRoute: 'GET /api/auth/get-session', target: { floor: 0.8, peer: 10 } },
	{ key: 'list_sessions', label: 'GET /v1/account/sessions', floor: rps(fl.select), floorCpu: cpuOf(fl.select), floorName: 'floor (b) PK SELECT' },
	{ key: 'update_prefs', label: 'PATCH /v1/account/prefs', floor: rps(fl.write), floorCpu: cpuOf(fl.write), floorName: 'floor (b-write) PK UPDATE+commit' },
	{ key: 'mfa_factors', label: 'GET /v1/account/mfa/factors', floor: rps(fl.select), floorCpu: cpuOf(fl.select), floorName: 'floor (b) PK SELECT',
	  target: { floor: 0.7 } },
	{ key: 'mfa_challenge', label: 'PUT /v1/account/mfa/challenge (TOTP)', floor: rps(fl.write), floorCpu: cpuOf(fl.write),
	  floorName: 'floor (b-write) PK UPDATE+commit', target: { floor: 0.4 } },
	{ key: 'sign_in', label: 'POST /v1/account/sessions/email', floor: argon, floorCpu: argonCpu, floorName: 'floor (c) argon2id/s',
	  peerKey: 'sign_in', peerRoute: 'POST /api/auth/sign-in/email', target: { floor: 0.9 } },
	{ key: 'sign_up', label: 'POST /v1/account', floor: argon, floorCpu: argonCpu, floorName: 'floor (c) argon2id/s',
	  peerKey: 'sign_up', peerRoute: 'POST /api/auth/sign-up/email', target: { floor: 0.85 } },
];

const out = {
	ceiling_peer_ratio_get_account: rps(fl.select) && rps(peer.get_account) ? rps(fl.select) / rps(peer.get_account) : null,
	date: info.date, machine: { host: info.host, cpu: info.cpu, cores: info.cores, mem_gib: info.mem_gib, os: info.os },
	settings: { seconds: info.seconds, warmup: info.warmup, connections: info.connections, threads: info.threads,
		users: info.users, mfa_users: info.mfa_users ?? null, workers: info.workers, commit: info.commit },
	loadavg: { start: info.loadavg_start, end: info.loadavg_end },
	floors: {
		static_rps: rps(fl.static), select_rps: rps(fl.select), write_rps: rps(fl.write),
		argon2_hashes_per_s: argon, argon2_ms_per_hash: fl.argon2?.ms_per_hash ?? null,
		argon2_oversubscribed_hashes_per_s: fl.argon2_oversubscribed?.hashes_per_s ?? null,
		static: fl.static ?? null, select: fl.select ?? null, write: fl.write ?? null,
	},
	scenarios: [],
	rss: {
		latchkey_workers_kib: lk.workers?.rss ?? [],
		floor_select_workers_kib: fl.select_workers?.rss ?? [],
		peer_workers_kib: peer.workers?.rss ?? [],
	},
	targets: [],
};

const errorsOf = (x) => (x ? (x.non2xx ?? 0) + (x.socket_errors ?? 0) : null);
for (const s of scenarios) {
	const m = lk[s.key];
	const p = s.peerKey ? peer[s.peerKey] : null;
	const e = {
		scenario: s.key, label: s.label,
		rps: rps(m), p50_ms: m?.p50_ms ?? null, p99_ms: m?.p99_ms ?? null,
		non2xx: m?.non2xx ?? null, socket_errors: m?.socket_errors ?? null, held: m?.held ?? null,
		floor: s.floorName, floor_rps: s.floor, floor_ratio: ratio(rps(m), s.floor),
		peer_route: s.peerRoute ?? null, peer_rps: rps(p), peer_p50_ms: p?.p50_ms ?? null,
		peer_p99_ms: p?.p99_ms ?? null, peer_errors: errorsOf(p), peer_ratio: ratio(rps(m), rps(p)),
		cpu_us_total: cpuOf(m), floor_cpu_us_total: s.floorCpu ?? null,
		floor_cpu_ratio: s.floorCpu && cpuOf(m) ? s.floorCpu / cpuOf(m) : null,
		peer_cpu_us_total: cpuOf(p), peer_cpu_ratio: cpuOf(p) && cpuOf(m) ? cpuOf(p) / cpuOf(m) : null,
		cpu_us: m?.cpu_us ?? null, db_per_request: m?.db_per_request ?? null,
		peer_cpu_us: p?.cpu_us ?? null, peer_db_per_request: p?.db_per_request ?? null,
	};
	out.scenarios.push(e);
	if (s.target?.floor != null)
		out.targets.push({ what: `${s.label} >= ${s.target.floor * 100}% of ${s.floorName}`,
			value: e.floor_ratio, met: e.floor_ratio != null ? e.floor_ratio >= s.target.floor : null });
	if (s.target?.peer != null)
		out.targets.push({ what: `${s.label} >= ${s.target.peer}x the peer's ${s.peerRoute}`,
			value: e.peer_ratio, met: e.peer_ratio != null ? e.peer_ratio >= s.target.peer : null });
}
const rssList = out.rss.latchkey_workers_kib;
const rssMax = rssList.length ? Math.max(...rssList.map((w) => w.rss_kib)) : null;
out.targets.push({ what: 'RSS per latchkey worker after the run < 8 MiB', value: rssMax != null ? rssMax / MiB : null,
	met: rssMax != null ? rssMax < 8 * MiB : null });
const allErr = Object.entries(R).flatMap(([t, sc]) => Object.entries(sc)
	.filter(([, v]) => 'non2xx' in v).map(([k, v]) => ({ t, k, n: errorsOf(v) })));
const bad = allErr.filter((x) => x.n !== 0);
out.targets.push({ what: 'zero errors (non-2xx, socket errors) in every scenario', value: bad.length ?
	bad.map((x) => `${x.t}/${x.k}: ${x.n}`).join(', ') : 0, met: allErr.length ? bad.length === 0 : null });

writeFileSync(join(outDir, 'latest.json'), JSON.stringify(out, null, 2) + '\n');

// ---------------------------------------------------------------- text --
const f = (x, d = 0) => (x == null ? '—' : x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
const pct = (x) => (x == null ? '—' : `${(x * 100).toFixed(0)}%`);
const times = (x) => (x == null ? '—' : `${x.toFixed(x < 10 ? 2 : 1)}×`);
const md = [];
md.push(`Run of ${info.date ?? '?'} on ${info.host ?? '?'} (${info.cpu ?? '?'}, ${info.cores ?? '?'} cores, ${info.mem_gib ?? '?'} GiB, ${info.os ?? '?'}), ` +
	`commit ${info.commit ?? '?'}; ${info.workers} workers each; wrk -t${info.threads} -c${info.connections}, ` +
	`${info.warmup} s warm-up + ${info.seconds} s per scenario; load average ${info.loadavg_start} at the start, ${info.loadavg_end} at the end.`);
md.push('');
md.push('| Scenario | latchkey req/s | p50 ms | p99 ms | errors | floor | floor req/s | vs floor | vs floor, CPU | peer route | peer req/s | peer p99 ms | latchkey/peer | peer/latchkey CPU |');
md.push('|---|---:|---:|---:|---:|---|---:|---:|---:|---|---:|---:|---:|---:|');
for (const e of out.scenarios)
	md.push(`| ${e.label} | ${f(e.rps)} | ${f(e.p50_ms, 2)} | ${f(e.p99_ms, 2)} | ${e.non2xx == null ? '—' : e.non2xx + e.socket_errors} | ` +
		`${e.floor} | ${f(e.floor_rps)} | ${pct(e.floor_ratio)} | ${pct(e.floor_cpu_ratio)} | ${e.peer_route ?? ''} | ${f(e.peer_rps)} | ` +
		`${f(e.peer_p99_ms, 1)} | ${times(e.peer_ratio)} | ${times(e.peer_cpu_ratio)} |`);
md.push('');
md.push('"vs floor" divides requests/s; "vs floor, CPU" divides the floor\'s CPU time per request (application + MariaDB + ' +
	'web server; argon2_floor\'s own CPU time per hash) by latchkey\'s, which load from elsewhere on the machine does not skew. ' +
	'"peer/latchkey CPU" is how many times more CPU the peer spends per request.');
const mc = lk.mfa_challenge;
if (mc)
	md.push('', `PUT /v1/account/mfa/challenge: ${f(mc.requests)} TOTP challenges completed in the measured run, each by another ` +
		`of ${f(info.mfa_users)} seeded users (one success per user per 30-second step); connections held back for want of ` +
		`a fresh user or in a step's last half second: ${f(mc.held)}${mc.held ? ' (the rate is then a lower bound: raise BENCH_MFA_USERS)' : ''}.`);
if (rps(fl.select) && rps(peer.get_account))
	md.push('', `Ceiling of the peer ratio for GET /v1/account in this run: floor (b) / peer get-session = ` +
		`${times(rps(fl.select) / rps(peer.get_account))} (latchkey at 100% of floor (b)).`);
md.push('');
md.push(`Floors: (a) static FastCGI answer ${f(out.floors.static_rps)} req/s; (b) one PK SELECT ${f(out.floors.select_rps)} req/s; ` +
	`(b-write) one PK UPDATE + commit ${f(out.floors.write_rps)} req/s; (c) argon2id m=7168 KiB t=5 p=1, one process per core: ` +
	`${f(argon, 1)} hashes/s (${f(out.floors.argon2_ms_per_hash, 1)} ms each, ${f(fl.argon2?.cpu_ms_per_hash, 1)} ms of CPU; ${f(out.floors.argon2_oversubscribed_hashes_per_s, 1)}/s with twice as many processes).`);
md.push('');
const kib = (l) => (l.length ? l.map((w) => `${(w.rss_kib / MiB).toFixed(1)} MiB (peak ${(w.hwm_kib / MiB).toFixed(1)})`).join(', ') : '—');
md.push(`RSS per worker after the run: latchkey ${kib(out.rss.latchkey_workers_kib)}; floor (b) ${kib(out.rss.floor_select_workers_kib)}; ` +
	`peer ${kib(out.rss.peer_workers_kib)}.`);
md.push('');
md.push('Cost per request (CPU time of each part over the measured run, divided by the requests; MariaDB\'s global counters likewise):');
md.push('');
md.push('| Target / scenario | req/s | app CPU µs | MariaDB CPU µs | web server CPU µs | statements | prepared executes | commits | tmp tables (on disk) | fsyncs | index lookups + rows read next |');
md.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const costRow = (name, x) => {
	if (!x || !x.cpu_us) return;
	const d = x.db_per_request ?? {};
	const g = (k, n = 2) => (d[k] == null ? '—' : d[k].toFixed(n));
	md.push(`| ${name} | ${f(x.rps)} | ${f(x.cpu_us.app)} | ${f(x.cpu_us.db)} | ${x.cpu_us.web ? f(x.cpu_us.web) : '—'} | ` +
		`${g('Questions')} | ${g('Com_stmt_execute')} | ${g('Com_commit')} | ${g('Created_tmp_tables')} (${g('Created_tmp_disk_tables')}) | ${g('Innodb_data_fsyncs')} | ${d.Handler_read_key == null ? '—' : (d.Handler_read_key + d.Handler_read_next).toFixed(1)} |`);
};
costRow('floor (a) static', fl.static);
costRow('floor (b) PK SELECT', fl.select);
costRow('floor (b-write) PK UPDATE', fl.write);
for (const s of scenarios) costRow(`latchkey ${s.label}`, lk[s.key]);
for (const [k, v] of Object.entries(peer)) if (v.cpu_us) costRow(`peer ${scenarios.find((s) => s.peerKey === k)?.peerRoute ?? k}`, v);
md.push('');
md.push('| Target | Value | Met |');
md.push('|---|---:|:---:|');
for (const t of out.targets) {
	let v = t.value;
	if (v == null) v = '—';
	else if (t.what.startsWith('zero errors')) v = v === 0 ? '0' : v;
	else if (typeof v === 'number') v = t.what.includes('MiB') ? `${v.toFixed(1)} MiB` : t.what.includes('x the') ? times(v) : pct(v);
	md.push(`| ${t.what} | ${v} | ${t.met == null ? '—' : t.met ? 'yes' : '**no**'} |`);
}
writeFileSync(join(outDir, 'latest.md'), md.join('\n') + '\n');
process.stdout.write(md.join('\n') + '\n');

// Any further arguments are README files: the block between the "latest"
// markers gets the whole report, the one between the "summary" markers a
// short table (the top-level README).
const summary = [];
summary.push(`${info.date ?? '?'}, ${info.cores ?? '?'} cores (${info.cpu ?? '?'}), ${info.workers} workers each, ` +
	`wrk -c${info.connections}, ${info.seconds} s per scenario, commit ${info.commit ?? '?'}; ` +
	`load average ${info.loadavg_start} → ${info.loadavg_end} (other work on the machine).`);
summary.push('');
summary.push('| Scenario | latchkey req/s | floor | vs floor (req/s, CPU) | Better Auth req/s | latchkey/peer |');
summary.push('|---|---:|---|---:|---:|---:|');
for (const e of out.scenarios)
	summary.push(`| ${e.label} | ${f(e.rps)} | ${e.floor}: ${f(e.floor_rps)} | ${pct(e.floor_ratio)}, ${pct(e.floor_cpu_ratio)} | ` +
		`${f(e.peer_rps)} | ${times(e.peer_ratio)} |`);
summary.push('');
summary.push(`RSS per latchkey worker after the run: ${kib(out.rss.latchkey_workers_kib)}. ` +
	`Errors: ${bad.length ? bad.map((x) => `${x.t}/${x.k}: ${x.n}`).join(', ') : 'none'}.`);
const blocks = [
	['<!-- latest:begin (bench/run writes this block) -->', '<!-- latest:end -->', md],
	['<!-- bench-summary:begin (bench/run writes this block) -->', '<!-- bench-summary:end -->', summary],
];
for (const readme of process.argv.slice(4)) {
	let text = readFileSync(readme, 'utf8');
	for (const [begin, end, lines] of blocks) {
		const i = text.indexOf(begin), j = text.indexOf(end);
		if (i >= 0 && j > i)
			text = text.slice(0, i + begin.length) + '\n' + lines.join('\n') + '\n' + text.slice(j);
	}
	writeFileSync(readme, text);
}

// ------------------------------------------------------- chart data --
// One row per group; columns latchkey, floor, peer (NaN = none).
const nan = (x) => (x == null ? 'NaN' : x.toFixed(1));
const groups = [
	['"GET /account"', rps(lk.get_account), rps(fl.select), rps(peer.get_account)],
	['"GET sessions"', rps(lk.list_sessions), rps(fl.select), null],
	['"PATCH prefs"', rps(lk.update_prefs), rps(fl.write), null],
	['"GET mfa/factors"', rps(lk.mfa_factors), rps(fl.select), null],
	['"TOTP challenge"', rps(lk.mfa_challenge), rps(fl.write), null],
	['"sign-in"', rps(lk.sign_in), argon, rps(peer.sign_in)],
	['"sign-up"', rps(lk.sign_up), argon, rps(peer.sign_up)],
	['"static (a)"', null, rps(fl.static), null],
];
writeFileSync(join(outDir, 'chart.dat'), '# group latchkey floor peer\n' +
	groups.map((g) => `${g[0]} ${nan(g[1])} ${nan(g[2])} ${nan(g[3])}`).join('\n') + '\n');
writeFileSync(join(outDir, 'chart.title'), `latchkey, its floors and Better Auth — ${info.date ?? ''} — ${info.cores ?? '?'} cores, ${info.workers ?? '?'} workers each\n`);
