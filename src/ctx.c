/* ctx.c: the request pipeline (see ctx.h and spec/CONTRACT.md 1.8). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api.h"
#include "audit.h"
#include "config.h"
#include "crypto.h"
#include "ctx.h"
#include "jwt.h"
#include "project.h"
#include "pw.h"
#include "ratelimit.h"
#include "timeutil.h"
#include "validate.h"

#define LK_API_VERSION "1.8.1"

static const char cors_allow_headers[] = "Origin, Cookie, Set-Cookie, "
    "X-Requested-With, Content-Type, Access-Control-Allow-Origin, "
    "Access-Control-Request-Headers, Accept, X-Appwrite-Project, "
    "X-Appwrite-Key, X-Appwrite-Dev-Key, X-Appwrite-Locale, X-Appwrite-Mode, "
    "X-Appwrite-JWT, X-Appwrite-Response-Format, X-Appwrite-Timeout, "
    "X-SDK-Version, X-SDK-Name, X-SDK-Language, X-SDK-Platform, X-SDK-GraphQL, "
    "X-Appwrite-ID, X-Appwrite-Timestamp, Content-Range, Range, Cache-Control, "
    "Expires, Pragma, X-Appwrite-Session, X-Fallback-Cookies, X-Forwarded-For, "
    "X-Forwarded-User-Agent";

const char *ctx_ucol(const struct ctx *c, int col)
{
	const char *v = c->have_user ? db_cell(&c->user, 0, col) : NULL;

	return v ? v : "";
}

const char *ctx_scol(const struct ctx *c, int col)
{
	const char *v = c->have_session ? db_cell(&c->session, 0, col) : NULL;

	return v ? v : "";
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
	buf_adds(c->hdr, name);
	buf_add(c->hdr, ": ", 2);
	/* header values never carry CR/LF */
	for (; *value; value++)
		buf_addc(c->hdr, (*value == '\r' || *value == '\n') ? ' ' : *value);
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

/* ---- origin, host, CORS ---- */

/* Registrable domain approximation: the last two labels of a DNS name, or
 * NULL for IPs and single-label names. */
static const char *reg_domain(const char *h, size_t n, size_t *outn)
{
	size_t dots = 0, i;

	if (n == 0 || val_ip_literal(h, n))
		return NULL;
	for (i = n; i > 0; i--)
		if (h[i - 1] == '.' && ++dots == 2)
			break;
	if (dots == 0)
		return NULL;
	*outn = n - i;
	return h + i;
}

/* Returns 1 when X-Fallback-Cookies must be sent (CONTRACT 2.5). */
static int fallback_needed(const struct ctx *c)
{
	struct url_parts u;
	const char *a, *b;
	size_t an = 0, bn = 0;

	if (c->origin == NULL || !val_url(c->origin, strlen(c->origin), &u))
		return 1;
	a = reg_domain(u.host, u.host_n, &an);
	b = reg_domain(c->host, strlen(c->host), &bn);
	return !(a && b && an == bn && strncasecmp(a, b, an) == 0);
}

/* Returns 1 when the origin host is allowed by a platform of the project;
 * web_only restricts to web types (for the CORS value). */
static int origin_allowed(const struct ctx *c, const struct url_parts *u,
    int web_only)
{
	int i, web_scheme;

	if (c->proj == NULL)
		return 0;
	web_scheme = (u->scheme_n == 4 && strncasecmp(u->scheme, "http", 4) == 0) ||
	    (u->scheme_n == 5 && strncasecmp(u->scheme, "https", 5) == 0);
	for (i = 0; i < c->proj->nplatforms; i++) {
		const struct platform *p = &c->proj->platforms[i];
		int web = strcmp(p->type, "web") == 0 || strcmp(p->type, "flutter-web") == 0;
		if (web && web_scheme && val_host_match(p->hostname,
		    strlen(p->hostname), u->host, u->host_n))
			return 1;
		if (!web && !web_only && p->key[0] && strlen(p->key) == u->host_n &&
		    strncmp(p->key, u->host, u->host_n) == 0)
			return 1;
	}
	return 0;
}

/* Writes the CORS headers of actual responses (CONTRACT 3.2). */
static void cors_headers(struct ctx *c)
{
	char val[600];
	struct url_parts u;
	const char *proto = c->https ? "https" : "http";

	if (c->origin && val_url(c->origin, strlen(c->origin), &u) &&
	    u.host_n < 256 && origin_allowed(c, &u, 1)) {
		if (u.port >= 0)
			snprintf(val, sizeof val, "%.*s://%.*s:%d", (int)u.scheme_n,
			    u.scheme, (int)u.host_n, u.host, u.port);
		else
			snprintf(val, sizeof val, "%.*s://%.*s", (int)u.scheme_n,
			    u.scheme, (int)u.host_n, u.host);
	} else
		snprintf(val, sizeof val, "%s://localhost", proto);
	ctx_header(c, "Access-Control-Allow-Origin", val);
	ctx_header(c, "Access-Control-Allow-Credentials", "true");
	ctx_header(c, "Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE");
	ctx_header(c, "Access-Control-Allow-Headers", cors_allow_headers);
	ctx_header(c, "Access-Control-Expose-Headers", "X-Appwrite-Session, X-Fallback-Cookies");
}

/* The platform name used in the unknown-origin message. */
static const char *platform_name(const struct url_parts *u)
{
	static const struct { const char *scheme, *name; } map[] = {
		{ "http", "Web" }, { "https", "Web" }, { "appwrite-ios", "iOS" },
		{ "appwrite-android", "Android" }, { "appwrite-macos", "macOS" },
		{ "appwrite-watchos", "watchOS" }, { "appwrite-tvos", "tvOS" },
		{ "appwrite-windows", "Windows" }, { "appwrite-linux", "Linux" },
	};
	size_t i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strlen(map[i].scheme) == u->scheme_n &&
		    strncasecmp(map[i].scheme, u->scheme, u->scheme_n) == 0)
			return map[i].name;
	return NULL;
}

/* Origin check (CONTRACT 3.4). */
static enum lk_err check_origin(struct ctx *c)
{
	struct url_parts u;
	const char *m = c->r.method, *name;

	if (strcmp(m, "GET") == 0 || c->origin == NULL || c->origin[0] == '\0' ||
	    http_env(c->r.envp, "HTTP_X_APPWRITE_KEY") != NULL)
		return LK_OK;
	if (!val_url(c->origin, strlen(c->origin), &u) || u.host_n == 0)
		return LK_OK;
	if (origin_allowed(c, &u, 0))
		return LK_OK;
	if ((name = platform_name(&u)) == NULL)
		return ctx_fail(c, E_UNKNOWN_ORIGIN, "Unsupported platform");
	return ctx_fail(c, E_UNKNOWN_ORIGIN, "Invalid Origin. Register your new "
	    "client (%.*s) as a new %s platform on your project console dashboard",
	    (int)(u.host_n > 255 ? 255 : u.host_n), u.host, name);
}

/* ---- cookies ---- */

/* Cookie name a_session_<project lower-cased> into out. */
static void cookie_name(const struct ctx *c, char *out, size_t n, int legacy)
{
	size_t i, k;

	k = (size_t)snprintf(out, n, "a_session_");
	for (i = 0; c->proj->id[i] && k + 1 < n; i++)
		out[k++] = (char)((c->proj->id[i] >= 'A' && c->proj->id[i] <= 'Z')
		    ? c->proj->id[i] + 32 : c->proj->id[i]);
	out[k] = '\0';
	if (legacy)
		snprintf(out + k, n - k, "_legacy");
}

/* Writes one Set-Cookie header. */
static void set_cookie(struct ctx *c, const char *name, const char *value,
    int64_t expire_ms, int samesite)
{
	char line[1400], date[64];
	time_t t = (time_t)(expire_ms / 1000);
	struct tm tm;
	int domain = !(strcmp(c->host, "localhost") == 0 ||
	    val_ip_literal(c->host, strlen(c->host)));
	long long maxage = (expire_ms - c->now_ms) / 1000;

	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	snprintf(line, sizeof line, "%s=%s; Expires=%s; Max-Age=%lld; Path=/%s%s%s; HttpOnly%s",
	    name, value, date, maxage < 0 ? 0 : maxage,
	    domain ? "; Domain=." : "", domain ? c->host : "",
	    c->https ? "; Secure" : "", samesite ? "; SameSite=None" : "");
	ctx_header(c, "Set-Cookie", line);
}

void ctx_set_session_cookie(struct ctx *c, const char *token, int64_t expire_ms)
{
	char name[64], lname[80], enc[1024], fb[1200];
	size_t i, k = 0;

	/* percent-encode the base64 specials */
	for (i = 0; token[i] && k + 4 < sizeof enc; i++) {
		if (token[i] == '=' || token[i] == '+' || token[i] == '/')
			k += (size_t)snprintf(enc + k, sizeof enc - k, "%%%02X",
			    (unsigned char)token[i]);
		else
			enc[k++] = token[i];
	}
	enc[k] = '\0';
	cookie_name(c, name, sizeof name, 0);
	cookie_name(c, lname, sizeof lname, 1);
	set_cookie(c, lname, enc, expire_ms, 0);
	set_cookie(c, name, enc, expire_ms, 1);
	if (fallback_needed(c)) {
		snprintf(fb, sizeof fb, "{\"a_session_%s\":\"%s\"}", c->proj->id, token);
		ctx_header(c, "X-Fallback-Cookies", fb);
	}
}

void ctx_clear_session_cookie(struct ctx *c)
{
	char name[64], lname[80];

	cookie_name(c, name, sizeof name, 0);
	cookie_name(c, lname, sizeof lname, 1);
	set_cookie(c, lname, "deleted", 1000, 0);
	set_cookie(c, name, "deleted", 1000, 1);
	if (fallback_needed(c))
		ctx_header(c, "X-Fallback-Cookies", "[]");
}

/* ---- identity ---- */

/* Decodes a session token (base64 JSON {"id","secret"}). Returns 1 when it
 * yields an id or a secret. */
static int decode_token(struct ctx *c, const char *tok, size_t n,
    const char **id, const char **secret)
{
	uint8_t *raw;
	ssize_t rn;
	struct jdoc d;
	int t;

	*id = *secret = NULL;
	if (tok == NULL || n == 0 || n > 2048 || (raw = arena_alloc(c->a, n)) == NULL)
		return 0;
	rn = crypto_b64_decode(tok, n, raw, n, 0);
	if (rn <= 0 || jdoc_parse(&d, c->a, (const char *)raw, (size_t)rn) != JE_OK ||
	    d.t[0].type != JSMN_OBJECT)
		return 0;
	if ((t = jdoc_get(&d, 0, "id")) >= 0)
		*id = jdoc_str(&d, t, c->a, NULL);
	if ((t = jdoc_get(&d, 0, "secret")) >= 0)
		*secret = jdoc_str(&d, t, c->a, NULL);
	return (*id && **id) || (*secret && **secret);
}

/* Finds the session token in cookies, X-Appwrite-Session, then
 * X-Fallback-Cookies (CONTRACT 1.5 steps 1-3). */
static int find_token(struct ctx *c, const char **id, const char **secret)
{
	char name[64], lname[80];
	const char *cookies = http_env(c->r.envp, "HTTP_COOKIE");
	const char *h;
	struct str v;
	struct jdoc d;
	int t;

	cookie_name(c, name, sizeof name, 0);
	cookie_name(c, lname, sizeof lname, 1);
	if (http_cookie(c->a, cookies, name, &v) || http_cookie(c->a, cookies, lname, &v))
		if (decode_token(c, v.p, v.n, id, secret))
			return 1;
	if ((h = http_env(c->r.envp, "HTTP_X_APPWRITE_SESSION")) != NULL &&
	    decode_token(c, h, strlen(h), id, secret))
		return 1;
	h = http_env(c->r.envp, "HTTP_X_FALLBACK_COOKIES");
	if (h == NULL || strlen(h) > LK_MAX_HEADER ||
	    jdoc_parse(&d, c->a, h, strlen(h)) != JE_OK || d.t[0].type != JSMN_OBJECT)
		return 0;
	snprintf(name, sizeof name, "a_session_%s", c->proj->id);
	if ((t = jdoc_get(&d, 0, name)) < 0 || (h = jdoc_str(&d, t, c->a, NULL)) == NULL)
		return 0;
	return decode_token(c, h, strlen(h), id, secret);
}

/* Resolves the user from a session token. DB errors leave a guest. */
static enum lk_err resolve_session(struct ctx *c)
{
	const char *id, *secret;
	char hash[65], now[LK_DBTIME_LEN];
	struct dbres r;
	const char *stored;
	enum db_rc rc;

	if (!find_token(c, &id, &secret) || id == NULL || secret == NULL ||
	    !val_key(id, strlen(id)) || strlen(secret) != LK_SESSION_SECRET_HEX)
		return LK_OK;
	crypto_sha256_hex(secret, strlen(secret), hash);
	time_db(c->now_ms, now);
	{
		struct dbv a[] = { DVS(hash), DVS(c->proj->id), DVS(id), DVS(now) };
		rc = db_exec(ST_AUTH_SESSION, a, 4, &r, c->a);
	}
	if (rc != DB_OK)
		return rc == DB_DOWN ? E_SERVICE_UNAVAILABLE : E_GENERAL_SERVER_ERROR;
	if (r.nrows != 1)
		return LK_OK;
	stored = db_cell(&r, 0, UC__N + SC_SECRET);
	if (stored == NULL || strlen(stored) != 64 || !crypto_ct_eq(stored, hash, 64))
		return LK_OK;
	/* split the joined row into the user and session views */
	c->user = r;
	c->session = r;
	c->session.cell = r.cell + UC__N;
	c->session.len = r.len + UC__N;
	c->have_user = c->have_session = 1;
	return LK_OK;
}

/* Resolves X-Appwrite-JWT (CONTRACT 1.5 step 5, SECURITY.md 10). */
static enum lk_err resolve_jwt(struct ctx *c, const char *tok)
{
	struct jwt_claims cl;
	struct dbres r;
	char now[LK_DBTIME_LEN];
	enum db_rc rc;

	if (jwt_verify(cfg.secret_key, strlen(cfg.secret_key), tok, strlen(tok),
	    c->now_ms / 1000, c->a, &cl) < 0 ||
	    (cl.project_id[0] && strcmp(cl.project_id, c->proj->id) != 0))
		return E_USER_JWT_INVALID;
	c->have_user = c->have_session = 0;
	c->via_jwt = 1;
	if (cl.user_id[0] == '\0')
		return LK_OK;
	{
		struct dbv a[] = { DVS(c->proj->id), DVS(cl.user_id) };
		rc = db_exec(ST_USER_GET, a, 2, &c->user, c->a);
	}
	if (rc != DB_OK)
		return ctx_dberr(c, rc);
	if (c->user.nrows != 1)
		return LK_OK;
	time_db(c->now_ms, now);
	{
		struct dbv a[] = { DVS(now), DVS(c->proj->id), DVS(cl.user_id), DVS(cl.session_id) };
		rc = db_exec(ST_SESSION_ALIVE, a, 4, &r, c->a);
	}
	if (rc != DB_OK)
		return ctx_dberr(c, rc);
	/* the session must still exist and be unexpired */
	if (r.nrows == 1 && db_cell(&r, 0, 0) && strcmp(db_cell(&r, 0, 0), "1") == 0)
		c->have_user = 1;
	return LK_OK;
}

/* Resolves X-Appwrite-Key (CONTRACT 1.6). */
static enum lk_err resolve_key(struct ctx *c, const char *key)
{
	char hash[65], now[LK_DBTIME_LEN];
	struct dbres r;
	enum db_rc rc;

	if (c->have_user || c->via_jwt)
		return E_USER_KEY_AND_SESSION_SET;
	crypto_sha256_hex(key, strlen(key), hash);
	time_db(c->now_ms, now);
	{
		struct dbv a[] = { DVS(now), DVS(hash) };
		rc = db_exec(ST_KEY_GET, a, 2, &r, c->a);
	}
	if (rc != DB_OK)
		return ctx_dberr(c, rc);
	if (r.nrows != 1 || strcmp(db_cell(&r, 0, 0), c->proj->id) != 0)
		return E_USER_UNAUTHORIZED;
	if (db_cell(&r, 0, 2) && strcmp(db_cell(&r, 0, 2), "1") == 0)
		return E_PROJECT_KEY_EXPIRED;
	c->via_key = 1;
	c->key_scopes = db_cell(&r, 0, 1);
	return LK_OK;
}

/* ---- checks ---- */

/* Scope check (CONTRACT 1.6). */
static enum lk_err check_scope(struct ctx *c)
{
	static const char *const names[] = { "account", "sessions.write", "public" };
	const char *scope = names[c->route->scope];
	char quoted[40];

	if (c->via_key) {
		snprintf(quoted, sizeof quoted, "\"%s\"", scope);
		if (c->route->scope != SC_SESSIONS_WRITE || c->key_scopes == NULL ||
		    strstr(c->key_scopes, quoted) == NULL)
			return ctx_fail(c, E_UNAUTHORIZED_SCOPE, "app.%s@service.%s "
			    "(role: applications) missing scope (%s)", c->proj->id,
			    c->host, scope);
		return LK_OK;
	}
	if (c->route->scope == SC_ACCOUNT && !c->have_user)
		return ctx_fail(c, E_UNAUTHORIZED_SCOPE,
		    "User (role: guests) missing scope (account)");
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

/* MFA factor enforcement (CONTRACT 1.9). */
static enum lk_err check_mfa(struct ctx *c)
{
	int required = 1;

	if (!c->have_session || (c->route->flags & RF_MFA_GROUP))
		return LK_OK;
	if (strcmp(ctx_ucol(c, UC_MFA), "1") == 0 &&
	    (strcmp(ctx_ucol(c, UC_EMAIL_VER), "1") == 0 ||
	     strcmp(ctx_ucol(c, UC_PHONE_VER), "1") == 0))
		required = 2;
	if (json_count(ctx_scol(c, SC_FACTORS)) < required)
		return E_USER_MORE_FACTORS_REQUIRED;
	return LK_OK;
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
		if (!s || !(ps->v == V_CUSTOM_ID ? val_custom_id(p->val, p->val_n)
		    : val_key(p->val, p->val_n)))
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
		if (!s || !val_password(p->val, p->val_n) ||
		    (c->proj->pw_dictionary && pw_dict_has(p->val, p->val_n)))
			why = "Password must be between 8 and 265 characters long, and "
			    "should not be one of the commonly used password.";
		break;
	case V_NAME:
		if (!s || !val_text(p->val, p->val_n, 128, 0))
			why = "Value must be a valid string and at least 1 chars and no "
			    "longer than 128 chars";
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
	const char *ra = http_env(c->r.envp, "REMOTE_ADDR");
	const char *xff = http_env(c->r.envp, "HTTP_X_FORWARDED_FOR");

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

/* Fills host, protocol, origin and user agent. */
static void request_facts(struct ctx *c)
{
	const char *h = http_env(c->r.envp, "HTTP_HOST");
	const char *https = http_env(c->r.envp, "HTTPS");
	const char *xfp = http_env(c->r.envp, "HTTP_X_FORWARDED_PROTO");
	char *host;
	size_t n;

	client_ip(c);
	if (h == NULL)
		h = http_env(c->r.envp, "SERVER_NAME");
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
	c->origin = http_env(c->r.envp, "HTTP_ORIGIN");
	if (c->origin == NULL || c->origin[0] == '\0')
		c->origin = http_env(c->r.envp, "HTTP_REFERER");
	c->ua = http_env(c->r.envp, "HTTP_USER_AGENT");
	if (c->ua == NULL || c->ua[0] == '\0')
		c->ua = "UNKNOWN";
}

/* Answers a CORS preflight (CONTRACT 3.1). */
static void preflight(struct ctx *c)
{
	const char *o = http_env(c->r.envp, "HTTP_ORIGIN");

	c->status = 204;
	buf_reset(c->body);
	ctx_header(c, "Access-Control-Allow-Origin", o ? o : "");
	ctx_header(c, "Access-Control-Allow-Credentials", "true");
	ctx_header(c, "Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE");
	ctx_header(c, "Access-Control-Allow-Headers", cors_allow_headers);
	ctx_header(c, "Access-Control-Expose-Headers", "X-Appwrite-Session, X-Fallback-Cookies");
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
		id = http_env(c->r.envp, "HTTP_X_APPWRITE_PROJECT");
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
	const char *ts = http_env(c->r.envp, "HTTP_X_APPWRITE_TIMESTAMP");
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
	if ((e = check_origin(c)) != LK_OK)
		return e;
	jwt = http_env(c->r.envp, "HTTP_X_APPWRITE_JWT");
	if (c->proj == NULL)
		return E_PROJECT_NOT_FOUND;
	if ((e = resolve_session(c)) != LK_OK)
		return e;
	if (jwt && *jwt && (e = resolve_jwt(c, jwt)) != LK_OK)
		return e;
	key = http_env(c->r.envp, "HTTP_X_APPWRITE_KEY");
	if (key && *key && (e = resolve_key(c, key)) != LK_OK)
		return e;
	if (!c->via_key && !c->proj->service_account)
		return E_SERVICE_DISABLED;
	if ((e = check_scope(c)) != LK_OK)
		return e;
	if (c->have_user && strcmp(ctx_ucol(c, UC_STATUS), "1") != 0)
		return E_USER_BLOCKED;
	if ((e = check_mfa(c)) != LK_OK)
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
	const char *f = http_env(c->r.envp, "HTTP_X_APPWRITE_RESPONSE_FORMAT");
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

void ctx_handle(struct ctx *c)
{
	enum lk_err e = LK_OK;
	struct str p = c->r.path;
	const char *ct;
	int pr;

	c->now_ms = time_now_ms();
	request_facts(c);
	if (strcmp(c->r.method, "OPTIONS") == 0) {
		preflight(c);
		return;
	}
	ct = http_env(c->r.envp, "CONTENT_TYPE");
	pr = http_parse_params(&c->r, ct);
	if (p.n >= 3 && memcmp(p.p, "/v1", 3) == 0 && (p.n == 3 || p.p[3] == '/')) {
		p.p += 3;
		p.n -= 3;
	} else
		p.n = 0;
	if (p.n == 0 || !router_match(c->r.method, p, &c->m))
		e = E_ROUTE_NOT_FOUND;
	else if (pr < 0)
		e = ctx_fail(c, E_ARGUMENT_INVALID, "The request body is too large, "
		    "too deeply nested or has too many parameters.");
	else {
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
		if (c->route->event && c->audit_uid)
			audit_write(c);
		if (c->new_session_uid)
			session_trim(c, c->new_session_uid);
	} else {
		if (e == LK_OK)
			e = E_GENERAL_SERVER_ERROR;
		buf_reset(c->hdr);
		error_body(c, e);
	}
	if (c->rl_active)
		rl_headers(c);
	cors_headers(c);
	format_warning(c);
}
