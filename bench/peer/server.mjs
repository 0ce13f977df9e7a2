// bench/peer/server.mjs: Better Auth on Node, the peer latchkey is measured
// against by bench/run.  Email/password only, rate limiter off, telemetry off,
// data in the benchmark's private MariaDB (mysql2 pool, one per worker).
//
//   node server.mjs migrate   create Better Auth's tables (getMigrations)
//   node server.mjs           serve on 127.0.0.1:$PEER_PORT with
//                             $PEER_WORKERS node:cluster workers
//
// Environment: PEER_PORT (8084), PEER_WORKERS (cores), PEER_DB_HOST
// (127.0.0.1), PEER_DB_PORT (3309), PEER_DB_USER, PEER_DB_PASSWORD,
// PEER_DB_NAME (betterauth), PEER_DB_POOL (connections per worker, 8),
// BETTER_AUTH_SECRET (required, >= 32 chars).
//
// Routes used by the benchmark (Better Auth's own):
//   POST /api/auth/sign-up/email   {name,email,password}
//   POST /api/auth/sign-in/email   {email,password}
//   GET  /api/auth/get-session     with the better-auth.session_token cookie
import cluster from 'node:cluster';
import http from 'node:http';
import os from 'node:os';

import { betterAuth } from 'better-auth';
import { toNodeHandler } from 'better-auth/node';
import { getMigrations } from 'better-auth/db/migration';
import { createPool } from 'mysql2/promise';

const env = process.env;
const port = Number(env.PEER_PORT || 8084);
const workers = Number(env.PEER_WORKERS || os.availableParallelism?.() || os.cpus().length);
const origin = `http://127.0.0.1:${port}`;

if (!env.BETTER_AUTH_SECRET || env.BETTER_AUTH_SECRET.length < 32) {
	console.error('peer: BETTER_AUTH_SECRET (>= 32 characters) is required');
	process.exit(2);
}

function makeAuth() {
	const pool = createPool({
		host: env.PEER_DB_HOST || '127.0.0.1',
		port: Number(env.PEER_DB_PORT || 3309),
		user: env.PEER_DB_USER || 'betterauth',
		password: env.PEER_DB_PASSWORD || '',
		database: env.PEER_DB_NAME || 'betterauth',
		connectionLimit: Number(env.PEER_DB_POOL || 8),
		timezone: 'Z',
	});
	const auth = betterAuth({
		secret: env.BETTER_AUTH_SECRET,
		baseURL: origin,
		trustedOrigins: [origin, `http://localhost:${port}`],
		database: pool,
		emailAndPassword: { enabled: true, autoSignIn: true },
		rateLimit: { enabled: false },
		telemetry: { enabled: false },
	});
	return { auth, pool };
}

async function migrate() {
	const { auth, pool } = makeAuth();
	const { toBeCreated, toBeAdded, runMigrations } = await getMigrations(auth.options);
	await runMigrations();
	console.error(`peer: migrated (${toBeCreated.length} tables created, ${toBeAdded.length} altered)`);
	await pool.end();
}

function serve() {
	const { auth } = makeAuth();
	const handler = toNodeHandler(auth);
	const server = http.createServer((req, res) => {
		if (req.url === '/health') {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{"ok":true}');
			return;
		}
		handler(req, res);
	});
	server.keepAliveTimeout = 5000;
	server.listen(port, '127.0.0.1');
}

if (process.argv[2] === 'migrate') {
	migrate().catch((e) => {
		console.error('peer: migrate failed:', e);
		process.exit(1);
	});
} else if (cluster.isPrimary) {
	for (let i = 0; i < workers; i++) cluster.fork();
	let stopping = false;
	cluster.on('exit', (w, code, sig) => {
		if (!stopping) {
			console.error(`peer: worker ${w.process.pid} exited (${sig || code}); respawning`);
			cluster.fork();
		}
	});
	const stop = () => {
		stopping = true;
		for (const id in cluster.workers) cluster.workers[id].kill('SIGTERM');
		setTimeout(() => process.exit(0), 2000).unref();
		cluster.on('exit', () => {
			if (Object.keys(cluster.workers).length === 0) process.exit(0);
		});
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
	console.error(`peer: Better Auth on ${origin} with ${workers} workers`);
} else {
	serve();
}
