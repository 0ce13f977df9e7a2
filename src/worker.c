/* worker.c: the FastCGI request loop of one worker process. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "arena.h"
#include "buf.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "fcgi_finish.h"
#include "lk_limits.h"
#include "pipeline.h"
#include "pw.h"
#include "worker.h"

static volatile sig_atomic_t stopping; /* SIGTERM seen: finish and exit */

/* SIGTERM/SIGHUP handler: stop accepting after the current request. */
static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

/* SIGALRM handler: the worker has been waiting for a request since the
 * timer was set, so argon2's kept memory goes back (see pw.c). */
static void on_idle(int sig)
{
	(void)sig;
	pw_release_memory();
}

/* Before waiting for the next request: argon2's memory kept from a hash
 * goes back now if it has not been used for a second, else in a second
 * unless a request comes first (the timer is cleared after the accept). */
static void idle_timer(void)
{
	if (!pw_holds_memory())
		return;
	if (pw_memory_idle())
		pw_release_memory();
	else
		alarm(1);
}

/* Reads the body into the arena (at most LK_MAX_BODY). Returns 0, 1 when it
 * is too large, -1 on a read failure. */
static int read_body(FCGX_Request *rq, struct arena *a, struct str *body)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", rq->envp);
	char *end, *p;
	long n = 0;
	int got;

	body->p = "";
	body->n = 0;
	if (cl && *cl) {
		n = strtol(cl, &end, 10);
		if (*end || n < 0)
			return -1;
	}
	if (n == 0)
		return 0;
	if (n > LK_MAX_BODY)
		return 1;
	if ((p = arena_alloc(a, (size_t)n + 1)) == NULL)
		return -1;
	got = FCGX_GetStr(p, (int)n, rq->in);
	if (got != n)
		return -1;
	p[n] = '\0';
	body->p = p;
	body->n = (size_t)n;
	return 0;
}

/* Returns the reason phrase of an HTTP status we send. */
static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 413: return "Payload Too Large";
	case 416: return "Range Not Satisfiable";
	case 429: return "Too Many Requests";
	case 451: return "Unavailable For Legal Reasons";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

/* Writes status, fixed headers, extra headers and body. */
static void respond(FCGX_Request *rq, int status, struct buf *hdr, struct buf *body)
{
	char code[4] = { (char)('0' + status / 100 % 10), (char)('0' + status / 10 % 10),
	    (char)('0' + status % 10), ' ' };

	FCGX_PutS("Status: ", rq->out);
	FCGX_PutStr(code, 4, rq->out);
	FCGX_PutS(reason(status), rq->out);
	FCGX_PutS("\r\n", rq->out);
	if (status != 204)
		FCGX_PutS("Content-Type: application/json; charset=UTF-8\r\n", rq->out);
	FCGX_PutS("X-Content-Type-Options: nosniff\r\n"
	    "Cache-Control: no-cache, no-store, must-revalidate\r\n"
	    "Expires: 0\r\nPragma: no-cache\r\n", rq->out);
	if (hdr->len)
		FCGX_PutStr(hdr->data, (int)hdr->len, rq->out);
	FCGX_PutS("\r\n", rq->out);
	if (status != 204 && body->len)
		FCGX_PutStr(body->data, (int)body->len, rq->out);
}

/* Handles one accepted request. */
static void serve_one(FCGX_Request *rq, struct arena *a, struct buf *hdr,
    struct buf *body)
{
	struct ctx *c;
	int rb;

	arena_reset(a);
	buf_reset(hdr);
	buf_reset(body);
	c = arena_alloc(a, sizeof *c);
	if (c == NULL)
		return;
	memset(c, 0, sizeof *c);
	c->a = a;
	c->hdr = hdr;
	c->body = body;
	if (http_init(&c->r, a, rq->envp) < 0) {
		buf_adds(body, "{\"message\":\"Invalid request path.\",\"code\":400,"
		    "\"type\":\"general_argument_invalid\",\"version\":\"1.8.1\"}");
		respond(rq, 400, hdr, body);
		return;
	}
	rb = read_body(rq, a, &c->r.body);
	if (rb != 0) {
		buf_adds(body, rb > 0 ? "{\"message\":\"Request body is too large.\","
		    "\"code\":413,\"type\":\"general_argument_invalid\",\"version\":\"1.8.1\"}"
		    : "{\"message\":\"Invalid request body.\",\"code\":400,"
		    "\"type\":\"general_argument_invalid\",\"version\":\"1.8.1\"}");
		respond(rq, rb > 0 ? 413 : 400, hdr, body);
		return;
	}
	pipeline_run(c);
	if (body->err || hdr->err) {
		buf_reset(hdr);
		buf_reset(body);
		buf_adds(body, "{\"message\":\"Server Error\",\"code\":500,"
		    "\"type\":\"general_unknown\",\"version\":\"1.8.1\"}");
		c->status = 500;
	}
	respond(rq, c->status ? c->status : 200, hdr, body);
}

int worker_run(int listen_fd)
{
	FCGX_Request rq;
	struct arena a;
	struct buf hdr, body;
	struct sigaction sa;
	long served = 0;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sa.sa_handler = on_idle;
	sa.sa_flags = SA_RESTART; /* the accept goes on waiting */
	sigaction(SIGALRM, &sa, NULL);
	if (FCGX_Init() != 0 || arena_init(&a, LK_ARENA_SIZE) < 0)
		return 1;
	buf_init(&hdr, 64 * 1024);
	buf_init(&body, LK_MAX_RESPONSE);
	FCGX_InitRequest(&rq, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
	(void)db_ensure(); /* a database that is down now is retried per request */
	while (!stopping && served < cfg.max_requests) {
		idle_timer();
		if (FCGX_Accept_r(&rq) < 0)
			break;
		alarm(0);
		serve_one(&rq, &a, &hdr, &body);
		lk_fcgi_finish(&rq);
		served++;
	}
	db_close();
	buf_free(&hdr);
	buf_free(&body);
	arena_free(&a);
	return 0;
}
