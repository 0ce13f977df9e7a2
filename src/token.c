/* token.c: single-use secrets (see token.h). */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "crypto.h"
#include "json_in.h"
#include "token.h"
#include "timeutil.h"

void token_code_hash(const char *code, char out[65])
{
	uint8_t mac[32];

	crypto_hmac_sha256(cfg.secret_key, strlen(cfg.secret_key), code, strlen(code), mac);
	crypto_hex(mac, sizeof mac, out);
}

/* Hash of a secret as stored: token_code_hash for short codes, SHA-256
 * otherwise. */
static void token_hash(const char *secret, int otp, char out[65])
{
	if (otp)
		token_code_hash(secret, out);
	else
		crypto_sha256_hex(secret, strlen(secret), out);
}

int token_make(struct token *t, int type, int len, int digits,
    const char *fixed, int64_t now_ms, int ttl_s)
{
	memset(t, 0, sizeof *t);
	t->type = type;
	t->created_ms = now_ms;
	t->expire_ms = now_ms + (int64_t)ttl_s * 1000;
	if (crypto_unique_id(t->id) < 0)
		return -1;
	if (fixed)
		snprintf(t->secret, sizeof t->secret, "%s", fixed);
	else if ((digits ? crypto_random_digits(t->secret, 6)
	    : crypto_random_hex(t->secret, (size_t)len)) < 0)
		return -1;
	token_hash(t->secret, digits || fixed, t->hash);
	return 0;
}

enum db_rc token_insert(struct ctx *c, const char *uid, const struct token *t)
{
	char created[LK_DBTIME_LEN], expire[LK_DBTIME_LEN];

	time_db(t->created_ms, created);
	time_db(t->expire_ms, expire);
	{
		struct dbv a[] = { DVS(c->proj->id), DVS(t->id), DVS(uid), DVI(t->type),
		    DVS(t->hash), DVS(expire), DVS(c->ip), DVS(c->ua), DVS(created) };
		return db_exec(ST_TOKEN_INSERT, a, 9, NULL, c->a);
	}
}

enum lk_err token_find(struct ctx *c, const char *uid, const char *secret,
    struct dbres *r)
{
	char h1[65], h2[65], now[LK_DBTIME_LEN];
	enum db_rc rc;

	token_hash(secret, 0, h1);
	token_hash(secret, 1, h2);
	time_db(c->now_ms, now);
	{
		struct dbv a[] = { DVS(c->proj->id), DVS(uid), DVS(h1), DVS(h2), DVS(now) };
		rc = db_exec(ST_TOKEN_FIND, a, 5, r, c->a);
	}
	if (rc != DB_OK)
		return ctx_dberr(c, rc);
	/* the index found it; confirm in constant time all the same */
	if (r->nrows == 1 && !crypto_ct_eq(db_cell(r, 0, 4), h1, 64) &&
	    !crypto_ct_eq(db_cell(r, 0, 4), h2, 64))
		r->nrows = 0;
	return LK_OK;
}

enum db_rc token_consume(struct ctx *c, const char *id, const char *hash)
{
	struct dbv a[] = { DVS(c->proj->id), DVS(id), DVS(hash) };
	enum db_rc rc = db_exec(ST_TOKEN_CONSUME, a, 3, NULL, c->a);

	if (rc != DB_OK)
		return rc;
	return db_affected() == 1 ? DB_OK : DB_FAIL;
}

void token_model(struct ctx *c, const char *id, const char *created_iso,
    const char *uid, const char *secret, const char *expire_iso,
    const char *phrase)
{
	jw_obj(&c->w);
	jw_kstr(&c->w, "$id", id);
	jw_kstr(&c->w, "$createdAt", created_iso);
	jw_kstr(&c->w, "userId", uid);
	jw_kstr(&c->w, "secret", ctx_privileged(c) && secret ? secret : "");
	jw_kstr(&c->w, "expire", expire_iso);
	jw_kstr(&c->w, "phrase", phrase ? phrase : "");
	jw_obj_end(&c->w);
}

/* Our own word lists for security phrases. */
static const char *const adjectives[] = { "Amber", "Bold", "Brisk", "Calm",
	"Clever", "Cosy", "Crisp", "Daring", "Eager", "Fair", "Gentle", "Glad",
	"Golden", "Hardy", "Humble", "Jolly", "Keen", "Kind", "Lively", "Lucky",
	"Mellow", "Merry", "Nimble", "Noble", "Plucky", "Proud", "Quiet", "Rapid",
	"Silver", "Steady", "Sunny", "Swift", "Tidy", "Vivid", "Warm", "Witty" };
static const char *const nouns[] = { "badger", "beacon", "birch", "canyon",
	"comet", "cedar", "falcon", "fern", "glacier", "harbor", "heron", "island",
	"juniper", "kettle", "lantern", "maple", "meadow", "otter", "owl", "pebble",
	"pine", "quarry", "raven", "river", "saddle", "salmon", "sparrow", "summit",
	"thistle", "tulip", "valley", "walnut", "willow", "wren", "yak", "zephyr" };

const char *token_phrase(struct arena *a)
{
	uint8_t r[2];
	char buf[64];
	size_t na = sizeof adjectives / sizeof adjectives[0];
	size_t nn = sizeof nouns / sizeof nouns[0];

	if (crypto_random(r, sizeof r) < 0)
		return "";
	snprintf(buf, sizeof buf, "%s %s", adjectives[r[0] % na], nouns[r[1] % nn]);
	return arena_strndup(a, buf, strlen(buf));
}

/* Appends name=value (value percent-encoded) to b after separator sep
 * (none when sep is 0). */
static void add_query(struct buf *b, char sep, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *v = (const unsigned char *)value;

	if (sep)
		buf_addc(b, sep);
	buf_adds(b, name);
	buf_addc(b, '=');
	for (; *v; v++) {
		if ((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
		    (*v >= '0' && *v <= '9') || *v == '-' || *v == '_' || *v == '.' || *v == '~')
			buf_addc(b, (char)*v);
		else {
			buf_addc(b, '%');
			buf_addc(b, hex[*v >> 4]);
			buf_addc(b, hex[*v & 15]);
		}
	}
}

char *token_link(struct arena *a, const char *url, const char *uid,
    const char *secret, const char *expire, const char *project)
{
	const char *hash = strchr(url, '#');
	size_t base = hash ? (size_t)(hash - url) : strlen(url);
	struct buf b;
	char sep, *out;

	buf_init(&b, 8192);
	buf_add(&b, url, base);
	sep = memchr(url, '?', base) ? '&' : '?';
	if (base > 0 && (url[base - 1] == '?' || url[base - 1] == '&'))
		sep = 0;
	add_query(&b, sep, "userId", uid);
	add_query(&b, '&', "secret", secret);
	add_query(&b, '&', "expire", expire);
	if (project)
		add_query(&b, '&', "project", project);
	if (hash)
		buf_adds(&b, hash);
	out = b.err ? NULL : arena_strndup(a, b.data, b.len);
	crypto_wipe(b.data, b.cap);
	buf_free(&b);
	return out;
}

/* The mock OTP of phone in the project's auth_mock_numbers, or NULL. */
const char *token_mock_otp(struct ctx *c, const char *phone)
{
	struct jdoc d;
	int i, k;
	const char *js = c->proj->mock_numbers;

	if (jdoc_parse(&d, c->a, js, strlen(js)) != JE_OK || d.t[0].type != JSMN_ARRAY)
		return NULL;
	for (i = 1, k = 0; k < d.t[0].size && i < d.n; k++, i = jdoc_skip(&d, i)) {
		const char *p = jdoc_str(&d, jdoc_get(&d, i, "phone"), c->a, NULL);
		const char *o = jdoc_str(&d, jdoc_get(&d, i, "otp"), c->a, NULL);
		if (p && o && strcmp(p, phone) == 0 && strlen(o) == 6)
			return o;
	}
	return NULL;
}

