/* ctx.c: the request context and its reply helpers (see ctx.h). The
 * pipeline that fills a context and runs a handler is pipeline.c, the one
 * file above this one: nothing here calls back up into it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "ctx.h"
#include "timeutil.h"

const char *ctx_ucol(const struct ctx *c, int col)
{
	/* c->user has USER_COLS only (see UC_PASSWORD) */
	const char *v = c->have_user && col < UC__N ? db_cell(&c->user, 0, col) : NULL;

	return v ? v : "";
}

int ctx_uflag(const struct ctx *c, int col)
{
	return strcmp(ctx_ucol(c, col), "1") == 0;
}

const char *ctx_scol(const struct ctx *c, int col)
{
	const char *v = c->have_session ? db_cell(&c->session, 0, col) : NULL;

	return v ? v : "";
}

int ctx_mfa_fresh(const struct ctx *c)
{
	const char *at = c->have_session ? ctx_scol(c, AS_MFA_UPDATED) : c->jwt_mfa_updated;
	int64_t t;

	return at && *at && time_parse_iso(at, &t) == 0 &&
	    c->now_ms - t <= cfg.mfa_fresh * 1000;
}

int ctx_bool(const struct ctx *c, const char *name)
{
	const struct http_param *p = http_param(&c->r, name);

	return p && (p->kind == PK_BOOL || p->kind == PK_STRING) &&
	    (strcmp(p->val, "true") == 0 || strcmp(p->val, "1") == 0);
}

char *ctx_lower(struct ctx *c, const char *name)
{
	const char *v = ctx_str(c, name);
	char *s = v ? arena_strndup(c->a, v, strlen(v)) : NULL, *p;

	for (p = s; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return s;
}

const char *ctx_str(const struct ctx *c, const char *name)
{
	const struct http_param *p = http_param(&c->r, name);

	return p && p->kind == PK_STRING ? p->val : NULL;
}

enum lk_err ctx_fail(struct ctx *c, enum lk_err e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->errmsg, sizeof c->errmsg, fmt, ap);
	va_end(ap);
	return e;
}

enum lk_err ctx_dberr(struct ctx *c, enum db_rc rc)
{
	(void)c;
	return rc == DB_DOWN ? E_SERVICE_UNAVAILABLE : E_GENERAL_SERVER_ERROR;
}

void ctx_header(struct ctx *c, const char *name, const char *value)
{
	size_t n = strlen(value), start = c->hdr->len, i;

	buf_adds(c->hdr, name);
	buf_add(c->hdr, ": ", 2);
	buf_add(c->hdr, value, n);
	/* header values never carry CR/LF: replace them in what was copied */
	if (!c->hdr->err && strpbrk(value, "\r\n"))
		for (i = start; i < c->hdr->len; i++)
			if (c->hdr->data[i] == '\r' || c->hdr->data[i] == '\n')
				c->hdr->data[i] = ' ';
	buf_add(c->hdr, "\r\n", 2);
}

int ctx_privileged(const struct ctx *c)
{
	return c->via_key;
}

void ctx_json(struct ctx *c, int status)
{
	c->status = status;
	buf_reset(c->body);
	jw_init(&c->w, c->body);
}

void ctx_audit(struct ctx *c, const char *uid, const char *email, const char *name)
{
	c->audit_uid = uid;
	c->audit_email = email ? email : "";
	c->audit_name = name ? name : "";
}

