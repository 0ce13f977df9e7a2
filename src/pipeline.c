/* pipeline.c: one request through the pipeline of spec/CONTRACT.md 1.8:
 * project, origin, identity (cookie, session header, fallback cookies, JWT,
 * API key), scope, blocked user, MFA, rate limit, auth method, guest guard,
 * parameter validation, handler, then the audit row, the error body and the
 * CORS headers. It is the top of the request path: it calls web.c,
 * identity.c, ratelimit.c, audit.c and the handlers, which see only the
 * context (ctx.c) below them. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "audit.h"
#include "config.h"
#include "ctx.h"
#include "identity.h"
#include "pipeline.h"
#include "project.h"
#include "pw.h"
#include "ratelimit.h"
#include "timeutil.h"
#include "validate.h"
#include "web.h"

#define LK_API_VERSION "1.8.1"

/* ---- checks ---- */

/* Scope check (CONTRACT 1.6): guests lack account and targets.write; keys
 * hold only sessions.write and targets.write, and only when granted. */
static enum lk_err check_scope(struct ctx *c)
{
	static const char *const names[] = { "account", "sessions.write", "public",
	    "targets.write" };
	enum scope sc = c->route->scope;
	const char *scope = names[sc];
	char quoted[40];

	if (c->via_key) {
		snprintf(quoted, sizeof quoted, "\"%s\"", scope);
		if ((sc != SC_SESSIONS_WRITE && sc != SC_TARGETS_WRITE) ||
		    c->key_scopes == NULL || strstr(c->key_scopes, quoted) == NULL)
			return ctx_fail(c, E_UNAUTHORIZED_SCOPE, "app.%s@service.%s "
			    "(role: applications) missing scope (%s)", c->proj->id,
			    cfg.public_host, scope);
		return LK_OK;
	}
	if ((sc == SC_ACCOUNT || sc == SC_TARGETS_WRITE) && !c->have_user)
		return ctx_fail(c, E_UNAUTHORIZED_SCOPE,
		    "User (role: guests) missing scope (%s)", scope);
	return LK_OK;
}

/* Counts the entries of a JSON array of strings such as session factors. */
static int json_count(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		if (*s == '"')
			n++;
	return n / 2;
}

/* MFA factor enforcement (CONTRACT 1.9), for JWTs too (SECURITY.md 17). */
static enum lk_err check_mfa(struct ctx *c)
{
	int required = 1;
	const char *factors = c->have_session ? ctx_scol(c, AS_FACTORS) : c->jwt_factors;

	if (factors == NULL || !c->have_user || (c->route->flags & RF_MFA_GROUP))
		return LK_OK;
	if (ctx_uflag(c, UC_MFA) && (ctx_uflag(c, UC_EMAIL_VER) ||
	    ctx_uflag(c, UC_PHONE_VER) || ctx_uflag(c, UC_TOTP)))
		required = 2;
	if (json_count(factors) < required)
		return E_USER_MORE_FACTORS_REQUIRED;
	return LK_OK;
}

/* MFA-protected routes (spec 1.9): the caller's session passed a challenge
 * within mfa_fresh seconds. */
static enum lk_err check_mfa_fresh(struct ctx *c)
{
	if (!(c->route->flags & RF_MFA_PROTECTED) || c->via_key || ctx_mfa_fresh(c))
		return LK_OK;
	return E_USER_CHALLENGE_REQUIRED;
}

/* Auth method switch (CONTRACT 7). */
static enum lk_err check_method(struct ctx *c)
{
	static const char *const names[] = { "", "Email / Password", "Anonymous",
	    "JWT", "Magic URL", "Email OTP", "Phone" };
	enum auth_method m = c->route->auth;

	if (m == AM_NONE || c->via_key || c->proj->am[m])
		return LK_OK;
	return ctx_fail(c, E_USER_AUTH_METHOD_UNSUPPORTED,
	    "%s authentication is disabled for this project", names[m]);
}

/* Validates one declared parameter. */
static enum lk_err check_param(struct ctx *c, const struct pspec *ps)
{
	const struct http_param *p = http_param(&c->r, ps->name);
	const char *why = NULL;
	char urlwhy[300];   /* a message written on demand (URL, password) */
	int s;

	if (p == NULL || p->kind == PK_NULL) {
		if (!ps->required)
			return LK_OK;
		return ctx_fail(c, E_ARGUMENT_INVALID, "Param \"%s\" is not optional.", ps->name);
	}
	s = p->kind == PK_STRING;
	switch (ps->v) {
	case V_STRING:
		if (!s) why = "Value must be a valid string";
		break;
	case V_CUSTOM_ID:
	case V_UID:
	case V_UID_OR_EMPTY:
		if (!s || !(ps->v == V_CUSTOM_ID ? val_custom_id(p->val, p->val_n) :
		    (val_key(p->val, p->val_n) ||
		     (ps->v == V_UID_OR_EMPTY && p->val_n == 0))))
			why = "Parameter must contain at most 36 chars. Valid chars are "
			    "a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start "
			    "with a special char";
		break;
	case V_EMAIL:
		if (!s || !val_email(p->val, p->val_n))
			why = "Value must be a valid email address";
		break;
	case V_PASSWORD:
		if (!s || !val_password(p->val, p->val_n))
			why = "Password must be between 8 and 256 characters long.";
		break;
	case V_PASSWORD_DICT:
		/* Appwrite's PasswordDictionary validator when the project turns
		 * the dictionary on, its Password validator otherwise; then the
		 * project's strength policy (004_password_policy.sql) */
		if (!s || !val_password(p->val, p->val_n))
			why = c->proj->pw.dictionary ? PW_DICTIONARY_MESSAGE :
			    "Password must be between 8 and 256 characters long.";
		else
			why = pw_policy_check(&c->proj->pw, p->val, p->val_n, urlwhy,
			    sizeof urlwhy);
		break;
	case V_NAME:
		if (!s || !val_text(p->val, p->val_n, 128, 0))
			why = "Value must be a valid string and at least 1 chars and no "
			    "longer than 128 chars";
		break;
	case V_TEXT255:
		if (!s || !val_text(p->val, p->val_n, 255, 0))
			why = "Value must be a valid string and at least 1 chars and no "
			    "longer than 255 chars";
		break;
	case V_TEXT256:
		if (!s || !val_text(p->val, p->val_n, 256, 0))
			why = "Value must be a valid string and at least 1 chars and no "
			    "longer than 256 chars";
		break;
	case V_PHONE:
		if (!s || !val_phone(p->val, p->val_n))
			why = "Phone number must start with a '+' can have a maximum of "
			    "fifteen digits.";
		break;
	case V_PREFS:
		if (!(p->kind == PK_OBJECT || (p->kind == PK_ARRAY && p->nitems == 0)) ||
		    p->val_n > LK_MAX_PREFS)
			why = "Value must be a valid object.";
		break;
	case V_QUERIES:
		if (p->kind != PK_ARRAY || p->nitems < 0)
			why = "Value must a valid array no longer than 100 items and "
			    "Value must be a valid string and at least 1 chars and no "
			    "longer than 4096 chars";
		break;
	case V_URL:
		if (!s)
			why = "Invalid URI";
		else if (!web_redirect_allowed(c, p->val, urlwhy, sizeof urlwhy))
			why = urlwhy;
		break;
	case V_BOOL:
		if (!(p->kind == PK_BOOL || (s && (strcmp(p->val, "true") == 0 ||
		    strcmp(p->val, "false") == 0 || strcmp(p->val, "1") == 0 ||
		    strcmp(p->val, "0") == 0))))
			why = "Value must be a valid boolean";
		break;
	}
	if (why == NULL)
		return LK_OK;
	return ctx_fail(c, E_ARGUMENT_INVALID, "Invalid `%s` param: %s", ps->name, why);
}

/* Validates every declared parameter, in declaration order. */
static enum lk_err check_params(struct ctx *c)
{
	const struct pspec *ps;
	enum lk_err e;

	for (ps = c->route->params; ps->name; ps++)
		if ((e = check_param(c, ps)) != LK_OK)
			return e;
	return LK_OK;
}

/* ---- request facts ---- */

/* Picks the client IP: REMOTE_ADDR, or the right-most untrusted hop of
 * X-Forwarded-For when the peer is a trusted proxy (SECURITY.md 1). */
static void client_ip(struct ctx *c)
{
	const char *ra = http_env(&c->r, "REMOTE_ADDR");
	const char *xff = http_env(&c->r, "HTTP_X_FORWARDED_FOR");

	snprintf(c->ip, sizeof c->ip, "%s", ra ? ra : "");
	if (xff == NULL || !config_trusted_proxy(c->ip))
		return;
	while (1) {
		const char *comma = strrchr(xff, ',');
		const char *hop = comma ? comma + 1 : xff;
		char tmp[64];
		size_t n;
		while (*hop == ' ')
			hop++;
		n = strlen(hop);
		while (n && hop[n - 1] == ' ')
			n--;
		if (n == 0 || n >= sizeof tmp || !val_ip_literal(hop, n))
			return;
		memcpy(tmp, hop, n);
		tmp[n] = '\0';
		snprintf(c->ip, sizeof c->ip, "%s", tmp);
		if (!config_trusted_proxy(tmp) || comma == NULL)
			return;
		/* walk left: copy the prefix so strrchr sees the earlier hops */
		{
			char *pre = arena_strndup(c->a, xff, (size_t)(comma - xff));
			if (pre == NULL)
				return;
			xff = pre;
		}
	}
}

/* Returns the user agent as stored: at most LK_MAX_UA bytes of valid UTF-8
 * (bytes of an invalid one become '?'), "UNKNOWN" when absent. */
static const char *clean_ua(struct ctx *c, const char *ua)
{
	size_t n, i;
	char *o;

	if (ua == NULL || *ua == '\0')
		return "UNKNOWN";
	n = strlen(ua);
	if (n <= LK_MAX_UA && val_utf8(ua, n))
		return ua;
	if (n > LK_MAX_UA)
		n = LK_MAX_UA;
	if ((o = arena_strndup(c->a, ua, n)) == NULL)
		return "UNKNOWN";
	if (!val_utf8(o, n))
		for (i = 0; i < n; i++)
			if ((unsigned char)o[i] >= 0x80)
				o[i] = '?';
	return o;
}

/* Fills host, protocol, origin and user agent. */
static void request_facts(struct ctx *c)
{
	const char *h = http_env(&c->r, "HTTP_HOST");
	const char *https = http_env(&c->r, "HTTPS");
	const char *xfp = http_env(&c->r, "HTTP_X_FORWARDED_PROTO");
	char *host;
	size_t n;

	client_ip(c);
	if (h == NULL)
		h = http_env(&c->r, "SERVER_NAME");
	if (h == NULL)
		h = "localhost";
	n = strlen(h);
	if (h[0] == '[') {
		const char *e = strchr(h, ']');
		host = arena_strndup(c->a, h + 1, e ? (size_t)(e - h - 1) : n - 1);
	} else {
		const char *colon = strchr(h, ':');
		host = arena_strndup(c->a, h, colon ? (size_t)(colon - h) : n);
	}
	c->host = host ? host : "localhost";
	c->https = https && strcasecmp(https, "on") == 0;
	if (xfp && config_trusted_proxy(c->ip))
		c->https = strcasecmp(xfp, "https") == 0;
	c->origin = http_env(&c->r, "HTTP_ORIGIN");
	if (c->origin == NULL || c->origin[0] == '\0')
		c->origin = http_env(&c->r, "HTTP_REFERER");
	c->ua = clean_ua(c, http_env(&c->r, "HTTP_USER_AGENT"));
}

/* Writes the Appwrite error body for e. */
static void error_body(struct ctx *c, enum lk_err e)
{
	int st = err_status(e);

	ctx_json(c, st);
	jw_obj(&c->w);
	jw_kstr(&c->w, "message", (c->errmsg[0] && st != 500) ? c->errmsg : err_message(e));
	jw_kint(&c->w, "code", st);
	jw_kstr(&c->w, "type", err_type(e));
	jw_kstr(&c->w, "version", LK_API_VERSION);
	jw_obj_end(&c->w);
}

/* Resolves the project named by the `project` parameter or header. */
static enum lk_err resolve_project(struct ctx *c)
{
	const char *id = ctx_str(c, "project");

	if (id == NULL || *id == '\0')
		id = http_env(&c->r, "HTTP_X_APPWRITE_PROJECT");
	if (id == NULL || *id == '\0' || !val_key(id, strlen(id)))
		return LK_OK;
	return project_get(id, c->now_ms, c->a, &c->proj);
}

/* Refreshes the user's accessedAt when it is older than a day. */
static void touch_user(struct ctx *c)
{
	int64_t seen;
	char now[LK_DBTIME_LEN];

	if (!c->have_user ||
	    (time_parse_iso(ctx_ucol(c, UC_ACCESSED), &seen) == 0 &&
	     c->now_ms - seen < 86400000))
		return;
	time_db(c->now_ms, now);
	{
		struct dbv a[] = { DVS(now), DVS(c->proj->id), DVS(ctx_ucol(c, UC_ID)) };
		char *iso = arena_alloc(c->a, LK_ISOTIME_LEN);
		if (db_exec(ST_USER_TOUCH, a, 3, NULL, c->a) == DB_OK && iso) {
			/* the answer shows the new value, as Appwrite's does */
			time_iso(c->now_ms, iso);
			c->user.cell[UC_ACCESSED] = iso;
		}
	}
}

/* X-Appwrite-Timestamp (1.6): 409 when the user changed after it. */
static enum lk_err check_timestamp(struct ctx *c)
{
	const char *ts = http_env(&c->r, "HTTP_X_APPWRITE_TIMESTAMP");
	int64_t when, updated;

	if (!(c->route->flags & RF_TIMESTAMP) || ts == NULL || *ts == '\0')
		return LK_OK;
	if (time_parse_iso(ts, &when) < 0)
		return ctx_fail(c, E_ARGUMENT_INVALID, "Invalid X-Appwrite-Timestamp header value");
	if (time_parse_iso(ctx_ucol(c, UC_UPDATED), &updated) == 0 && updated > when)
		return E_DOCUMENT_UPDATE_CONFLICT;
	return LK_OK;
}

/* Steps 2-16 of the pipeline; returns the first error. */
static enum lk_err pipeline(struct ctx *c)
{
	const char *jwt, *key;
	enum lk_err e;

	if ((e = resolve_project(c)) != LK_OK)
		return e;
	if ((e = web_check_origin(c)) != LK_OK)
		return e;
	/* a body we could not read is refused only now: a cross-site post gets
	 * 403 for its origin, never 400 for its shape (SECURITY.md 11) */
	if (c->bad_body)
		return ctx_fail(c, E_ARGUMENT_INVALID, "The request body is too large, "
		    "too deeply nested or has too many parameters.");
	jwt = http_env(&c->r, "HTTP_X_APPWRITE_JWT");
	if (c->proj == NULL)
		return E_PROJECT_NOT_FOUND;
	if ((e = ident_session(c)) != LK_OK)
		return e;
	if (jwt && *jwt && (e = ident_jwt(c, jwt)) != LK_OK)
		return e;
	key = http_env(&c->r, "HTTP_X_APPWRITE_KEY");
	if (key && *key) {
		const char *fua = http_env(&c->r, "HTTP_X_FORWARDED_USER_AGENT");
		if ((e = ident_key(c, key)) != LK_OK)
			return e;
		/* SSR apps pass their visitor's agent; honoured for keys only */
		if (fua && *fua)
			c->ua = clean_ua(c, fua);
	}
	if (!c->via_key && !c->proj->service_account)
		return E_SERVICE_DISABLED;
	if ((e = check_scope(c)) != LK_OK)
		return e;
	if (c->have_user && !ctx_uflag(c, UC_STATUS))
		return E_USER_BLOCKED;
	if ((e = check_mfa(c)) != LK_OK || (e = check_mfa_fresh(c)) != LK_OK)
		return e;
	if (!c->via_key && !c->proj->api_rest)
		return E_API_DISABLED;
	if (!c->via_key && (e = rl_apply(c)) != LK_OK)
		return e;
	if ((e = check_method(c)) != LK_OK)
		return e;
	if ((c->route->flags & RF_GUEST_ONLY) && (c->have_user || c->via_jwt))
		return E_USER_SESSION_ALREADY_EXISTS;
	if ((e = check_params(c)) != LK_OK || (e = check_timestamp(c)) != LK_OK)
		return e;
	touch_user(c);
	return c->route->handler(c);
}

/* Adds the response-format warning when the SDK is newer than us. */
static void format_warning(struct ctx *c)
{
	const char *f = http_env(&c->r, "HTTP_X_APPWRITE_RESPONSE_FORMAT");
	int a = 0, b = 0, d = 0, x = 1, y = 8, z = 1;
	char msg[400];

	if (f == NULL || *f == '\0')
		return;
	/* bounded manual parse of "A.B.C" */
	{
		const char *p = f;
		int *part[3] = { &a, &b, &d }, i;
		for (i = 0; i < 3 && *p; i++) {
			while (*p >= '0' && *p <= '9' && *part[i] < 100000)
				*part[i] = *part[i] * 10 + (*p++ - '0');
			if (*p == '.')
				p++;
			else
				break;
		}
	}
	if (a < x || (a == x && (b < y || (b == y && d <= z))))
		return;
	snprintf(msg, sizeof msg, "The current SDK is built for Appwrite %d.%d.%d. "
	    "However, the current Appwrite server version is %s. Please downgrade "
	    "your SDK to match the Appwrite version: https://appwrite.io/docs/sdks",
	    a, b, d, LK_API_VERSION);
	ctx_header(c, "X-Appwrite-Warning", msg);
}

void pipeline_run(struct ctx *c)
{
	enum lk_err e = LK_OK;
	struct str p = c->r.path;
	const char *ct;
	int pr;

	c->now_ms = time_now_ms();
	request_facts(c);
	if (strcmp(c->r.method, "OPTIONS") == 0) {
		/* a preflight carries no header values: a project only from the
		 * query string, else web_preflight asks every project */
		if (http_parse_params(&c->r, NULL) >= 0 && resolve_project(c) != LK_OK)
			c->proj = NULL;
		web_preflight(c);
		return;
	}
	ct = http_env(&c->r, "CONTENT_TYPE");
	pr = http_parse_params(&c->r, ct);
	if (p.n >= 3 && memcmp(p.p, "/v1", 3) == 0 && (p.n == 3 || p.p[3] == '/')) {
		p.p += 3;
		p.n -= 3;
	} else
		p.n = 0;
	if (p.n == 0 || !router_match(c->r.method, p, &c->m))
		e = E_ROUTE_NOT_FOUND;
	else {
		c->bad_body = pr < 0;
		int i;
		c->route = c->m.route;
		for (i = 0; i < c->m.nvars; i++) {
			char *name = arena_strndup(c->a, c->m.var_name[i].p, c->m.var_name[i].n);
			char *val = http_urldecode(c->a, c->m.var_val[i].p, c->m.var_val[i].n, 0, NULL);
			if (name == NULL || val == NULL ||
			    http_param_set(&c->r, name, val, strlen(val)) < 0)
				e = E_GENERAL_SERVER_ERROR;
		}
		if (e == LK_OK)
			e = pipeline(c);
	}
	if (e == LK_OK && !c->body->err) {
		if (c->route->event && c->audit_uid && !c->audited)
			audit_write(c);
	} else {
		if (e == LK_OK)
			e = E_GENERAL_SERVER_ERROR;
		buf_reset(c->hdr);
		error_body(c, e);
	}
	if (c->rl_active)
		rl_headers(c);
	web_cors_headers(c);
	format_warning(c);
}
