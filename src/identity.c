/* identity.c: who is calling: the session token from cookies, the
 * X-Appwrite-Session header or X-Fallback-Cookies, an X-Appwrite-JWT, or an
 * X-Appwrite-Key (spec/CONTRACT.md 1.4-1.6, SECURITY.md 10 and 12). */
#include <stdio.h>
#include <ctype.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "identity.h"
#include "jwt.h"
#include "timeutil.h"
#include "validate.h"
#include "web.h"

/* Decodes a session token (base64 JSON {"id","secret"}). Returns 1 when it
 * yields an id or a secret. */
ssize_t ident_token_encode(const char *uid, const char *secret, char *out, size_t cap)
{
	char json[LK_TOKEN_JSON_MAX];
	int n = snprintf(json, sizeof json, "{\"id\":\"%s\",\"secret\":\"%s\"}", uid, secret);
	ssize_t k = -1;

	if (n > 0 && (size_t)n < sizeof json)
		k = crypto_b64_encode((const uint8_t *)json, (size_t)n, out, cap, 0);
	crypto_wipe(json, sizeof json);
	return k;
}

/* Reads a decoded token spelt exactly as latchkey writes it (see
 * ident_token_encode),
 * {"id":"<id>","secret":"<hex>"} with an ID of [A-Za-z0-9._-] (nothing to
 * unescape), without the JSON parser. Returns 1 with *id and *secret set,
 * or 0 (any other spelling: the caller parses it as JSON). */
int ident_token_fast(struct arena *a, const char *p, size_t n, const char **id,
    const char **secret)
{
	static const char k1[] = "{\"id\":\"", k2[] = "\",\"secret\":\"";
	size_t i = sizeof k1 - 1, idn = 0, j, sn = 0;

	if (n < sizeof k1 + sizeof k2 || memcmp(p, k1, sizeof k1 - 1) != 0)
		return 0;
	while (i + idn < n && (isalnum((unsigned char)p[i + idn]) ||
	    p[i + idn] == '.' || p[i + idn] == '_' || p[i + idn] == '-'))
		idn++;
	j = i + idn + sizeof k2 - 1;
	if (idn == 0 || j > n || memcmp(p + i + idn, k2, sizeof k2 - 1) != 0)
		return 0;
	while (j + sn < n && isxdigit((unsigned char)p[j + sn]))
		sn++;
	if (sn == 0 || j + sn + 2 != n || p[j + sn] != '"' || p[j + sn + 1] != '}')
		return 0;
	*id = arena_strndup(a, p + i, idn);
	*secret = arena_strndup(a, p + j, sn);
	return *id != NULL && *secret != NULL;
}

int ident_token_decode(struct arena *a, const char *tok, size_t n,
    const char **id, const char **secret)
{
	uint8_t *raw;
	ssize_t rn;
	struct jdoc d;
	int t;

	*id = *secret = NULL;
	if (tok == NULL || n == 0 || n > 2048 || (raw = arena_alloc(a, n)) == NULL)
		return 0;
	rn = crypto_b64_decode(tok, n, raw, n, 0);
	if (rn > 0 && ident_token_fast(a, (const char *)raw, (size_t)rn, id, secret))
		return 1;
	*id = *secret = NULL;
	if (rn <= 0 || jdoc_parse(&d, a, (const char *)raw, (size_t)rn) != JE_OK ||
	    d.t[0].type != JSMN_OBJECT)
		return 0;
	if ((t = jdoc_get(&d, 0, "id")) >= 0)
		*id = jdoc_str(&d, t, a, NULL);
	if ((t = jdoc_get(&d, 0, "secret")) >= 0)
		*secret = jdoc_str(&d, t, a, NULL);
	return (*id && **id) || (*secret && **secret);
}

/* Finds the session token in cookies, X-Appwrite-Session, then
 * X-Fallback-Cookies (CONTRACT 1.5 steps 1-3). */
static int find_token(struct ctx *c, const char **id, const char **secret)
{
	char name[64], lname[80];
	const char *cookies = http_env(&c->r, "HTTP_COOKIE");
	const char *h;
	struct str v;
	struct jdoc d;
	int t;

	web_cookie_name(c, name, sizeof name, 0);
	web_cookie_name(c, lname, sizeof lname, 1);
	if (http_cookie(c->a, cookies, name, &v) || http_cookie(c->a, cookies, lname, &v))
		if (ident_token_decode(c->a, v.p, v.n, id, secret))
			return 1;
	if ((h = http_env(&c->r, "HTTP_X_APPWRITE_SESSION")) != NULL &&
	    ident_token_decode(c->a, h, strlen(h), id, secret))
		return 1;
	h = http_env(&c->r, "HTTP_X_FALLBACK_COOKIES");
	if (h == NULL || strlen(h) > LK_MAX_HEADER ||
	    jdoc_parse(&d, c->a, h, strlen(h)) != JE_OK || d.t[0].type != JSMN_OBJECT)
		return 0;
	snprintf(name, sizeof name, "a_session_%s", c->proj->id);
	if ((t = jdoc_get(&d, 0, name)) < 0 || (h = jdoc_str(&d, t, c->a, NULL)) == NULL)
		return 0;
	return ident_token_decode(c->a, h, strlen(h), id, secret);
}

/* Resolves the user from a session token. DB errors leave a guest. */
enum lk_err ident_session(struct ctx *c)
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
	stored = db_cell(&r, 0, UC__N + AS_SECRET);
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
enum lk_err ident_jwt(struct ctx *c, const char *tok)
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
	if (r.nrows == 1 && db_cell(&r, 0, 0) && strcmp(db_cell(&r, 0, 0), "1") == 0) {
		c->have_user = 1;
		/* its session's factors decide MFA for the JWT too (SECURITY.md 17) */
		c->jwt_factors = db_cell(&r, 0, 1);
		c->jwt_mfa_updated = db_cell(&r, 0, 2);
	}
	return LK_OK;
}

/* Resolves X-Appwrite-Key (CONTRACT 1.6). */
enum lk_err ident_key(struct ctx *c, const char *key)
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

