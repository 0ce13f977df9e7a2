/* web.c: what the browser sees: origin checks and CORS (spec/CONTRACT.md 3),
 * the session cookies and X-Fallback-Cookies (CONTRACT 2). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "validate.h"
#include "web.h"

#define CORS_ALLOW_HEADERS "Origin, Cookie, Set-Cookie, " \
    "X-Requested-With, Content-Type, Access-Control-Allow-Origin, " \
    "Access-Control-Request-Headers, Accept, X-Appwrite-Project, " \
    "X-Appwrite-Key, X-Appwrite-Dev-Key, X-Appwrite-Locale, X-Appwrite-Mode, " \
    "X-Appwrite-JWT, X-Appwrite-Response-Format, X-Appwrite-Timeout, " \
    "X-SDK-Version, X-SDK-Name, X-SDK-Language, X-SDK-Platform, X-SDK-GraphQL, " \
    "X-Appwrite-ID, X-Appwrite-Timestamp, Content-Range, Range, Cache-Control, " \
    "Expires, Pragma, X-Appwrite-Session, X-Fallback-Cookies, X-Forwarded-For, " \
    "X-Forwarded-User-Agent"

/* The fixed part of the CORS headers, written in one piece. */
static const char cors_fixed[] =
    "Access-Control-Allow-Credentials: true\r\n"
    "Access-Control-Allow-Methods: GET, POST, PUT, PATCH, DELETE\r\n"
    "Access-Control-Allow-Headers: " CORS_ALLOW_HEADERS "\r\n"
    "Access-Control-Expose-Headers: X-Appwrite-Session, X-Fallback-Cookies\r\n";

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

/* 1 for an http or https URL. */
static int is_web_scheme(const struct url_parts *u)
{
	return (u->scheme_n == 4 && strncasecmp(u->scheme, "http", 4) == 0) ||
	    (u->scheme_n == 5 && strncasecmp(u->scheme, "https", 5) == 0);
}

/* Returns 1 when the origin host is allowed by a platform of the project;
 * web_only restricts to web types (for the CORS value). */
static int origin_allowed(const struct ctx *c, const struct url_parts *u,
    int web_only)
{
	int i, web_scheme;

	if (c->proj == NULL)
		return 0;
	web_scheme = is_web_scheme(u);
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
void web_cors_headers(struct ctx *c)
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
	buf_add(c->hdr, cors_fixed, sizeof cors_fixed - 1);
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

/* Origin check (CONTRACT 3.4, SECURITY.md 11). */
enum lk_err web_check_origin(struct ctx *c)
{
	struct url_parts u;
	const char *m = c->r.method, *name;

	if (strcmp(m, "GET") == 0 || c->origin == NULL || c->origin[0] == '\0' ||
	    http_env(&c->r, "HTTP_X_APPWRITE_KEY") != NULL)
		return LK_OK;
	/* an opaque origin (sandboxed frame, data: URL, some redirects) is
	 * nobody's platform */
	if (strcmp(c->origin, "null") == 0)
		return ctx_fail(c, E_UNKNOWN_ORIGIN, "Invalid Origin. Register your "
		    "new client (null) as a new Web platform on your project console "
		    "dashboard");
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
void web_cookie_name(const struct ctx *c, char *out, size_t n, int legacy)
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
	web_cookie_name(c, name, sizeof name, 0);
	web_cookie_name(c, lname, sizeof lname, 1);
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

	web_cookie_name(c, name, sizeof name, 0);
	web_cookie_name(c, lname, sizeof lname, 1);
	set_cookie(c, lname, "deleted", 1000, 0);
	set_cookie(c, name, "deleted", 1000, 1);
	if (fallback_needed(c))
		ctx_header(c, "X-Fallback-Cookies", "[]");
}

/* 1 when u's host is a web platform of some project (a preflight that
 * names no project: browsers send no X-Appwrite-Project value on one). */
static int any_project_allows(struct ctx *c, const struct url_parts *u)
{
	struct dbres r;
	int i;

	if (db_exec(ST_PLATFORMS_WEB_ALL, NULL, 0, &r, c->a) != DB_OK)
		return 0;
	for (i = 0; i < r.nrows; i++) {
		const char *h = db_cell(&r, i, 0);
		if (h && val_host_match(h, strlen(h), u->host, u->host_n))
			return 1;
	}
	return 0;
}

/* Answers a CORS preflight (CONTRACT 3.1): 204, and the origin echoed only
 * when it is a web platform of the project (of any project when the
 * preflight names none); otherwise no Access-Control-Allow-Origin, so the
 * browser stops there (SECURITY.md 11). */
void web_preflight(struct ctx *c)
{
	const char *o = http_env(&c->r, "HTTP_ORIGIN");
	struct url_parts u;

	c->status = 204;
	buf_reset(c->body);
	if (o && val_url(o, strlen(o), &u) && u.host_n > 0 && u.host_n < 256 &&
	    (c->proj ? origin_allowed(c, &u, 1) :
	     is_web_scheme(&u) && any_project_allows(c, &u)))
		ctx_header(c, "Access-Control-Allow-Origin", o);
	buf_add(c->hdr, cors_fixed, sizeof cors_fixed - 1);
}


int web_redirect_allowed(const struct ctx *c, const char *url, char *why, size_t n)
{
	struct url_parts u;
	size_t k = 0;
	int i;

	if (!val_url(url, strlen(url), &u)) {
		snprintf(why, n, "Invalid URI");
		return 0;
	}
	if (is_web_scheme(&u)) {
		/* the API's configured host (never the request's Host header:
		 * SECURITY.md 19), or a web platform of the project */
		if (strlen(cfg.public_host) == u.host_n &&
		    strncasecmp(cfg.public_host, u.host, u.host_n) == 0)
			return 1;
		if (origin_allowed(c, &u, 1))
			return 1;
	}
	k = (size_t)snprintf(why, n, "URL host must be one of: %s", cfg.public_host);
	for (i = 0; i < c->proj->nplatforms && k < n; i++)
		if (c->proj->platforms[i].hostname[0])
			k += (size_t)snprintf(why + k, n - k, ", %s", c->proj->platforms[i].hostname);
	return 0;
}
