/* ratelimit.c: rate limits (see ratelimit.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "ratelimit.h"

/* Appends s[0..n) to out at *k; returns -1 when it does not fit. */
static int put(char *out, size_t cap, size_t *k, const char *s, size_t n)
{
	if (n >= cap - *k)
		return -1;
	memcpy(out + *k, s, n);
	*k += n;
	out[*k] = '\0';
	return 0;
}

int rl_render(const struct ctx *c, const char *tpl, char *out, size_t n)
{
	size_t k = 0;
	const char *p = tpl;

	out[0] = '\0';
	while (*p) {
		const char *e;
		const char *v = NULL;
		size_t vn = 0;
		if (*p != '{' || (e = strchr(p, '}')) == NULL) {
			if (put(out, n, &k, p, 1) < 0)
				return -1;
			p++;
			continue;
		}
		if (strncmp(p, "{url}", 5) == 0) {
			v = c->route->rl_group;
			vn = strlen(v);
		} else if (strncmp(p, "{ip}", 4) == 0) {
			v = c->ip;
			vn = strlen(v);
		} else if (strncmp(p, "{userId}", 8) == 0) {
			v = c->have_user ? ctx_ucol(c, UC_ID) : "";
			vn = strlen(v);
		} else if (strncmp(p, "{param-", 7) == 0) {
			char name[64];
			const struct http_param *hp;
			size_t nl = (size_t)(e - p - 7);
			if (nl >= sizeof name)
				return -1;
			memcpy(name, p + 7, nl);
			name[nl] = '\0';
			/* an absent parameter leaves the placeholder in the key */
			if ((hp = http_param(&c->r, name)) != NULL) {
				v = hp->val;
				vn = hp->val_n;
			}
		}
		if (v == NULL) {
			v = p;
			vn = (size_t)(e - p + 1);
		}
		if (put(out, n, &k, v, vn) < 0)
			return -1;
		p = e + 1;
	}
	return 0;
}

/* Counts one hit on the rendered key; sets *count (after the hit) and
 * *counted (0 when the window was already full). */
static enum lk_err hit(struct ctx *c, const char *key, long long window,
    long long *count, int *counted)
{
	char hash[65];
	enum db_rc rc;
	unsigned long long aff;
	struct dbv a[3];

	crypto_sha256_hex(key, strlen(key), hash);
	a[0] = DVS(hash);
	a[1] = DVI(window);
	a[2] = DVI(c->route->rl_limit);
	if ((rc = db_exec(ST_RL_HIT, a, 3, NULL, c->a)) != DB_OK)
		return ctx_dberr(c, rc);
	aff = db_affected();
	*counted = aff != 0;
	*count = aff == 1 ? 1 : (long long)db_insert_id();
	if (aff == 0)
		*count = c->route->rl_limit;
	return LK_OK;
}

enum lk_err rl_apply(struct ctx *c)
{
	long long now = c->now_ms / 1000, window = now - now % 3600;
	char key[1024], full[1200];
	int i, counted = 0, limited = 0;
	long long count = 0;
	enum lk_err e;

	if (!cfg.abuse || c->route->rl_limit == 0)
		return LK_OK;
	c->rl_active = 1;
	c->rl_limit = c->route->rl_limit;
	c->rl_remaining = c->rl_limit;
	c->rl_reset = window + 3600;
	for (i = 0; i < 2 && c->route->rl_key[i]; i++) {
		if (rl_render(c, c->route->rl_key[i], key, sizeof key) < 0)
			return E_ARGUMENT_INVALID;
		snprintf(full, sizeof full, "%s|%s", c->proj->id, key);
		if ((e = hit(c, full, window, &count, &counted)) != LK_OK)
			return e;
		if (!counted)
			limited = 1;
		if (c->rl_limit - count < c->rl_remaining)
			c->rl_remaining = c->rl_limit - count;
	}
	if (c->rl_remaining < 0)
		c->rl_remaining = 0;
	/* now and then, drop windows older than two hours */
	if ((now % 997) == 0) {
		struct dbv a[] = { DVI(window - 7200) };
		(void)db_exec(ST_RL_GC, a, 1, NULL, c->a);
	}
	return limited ? E_RATE_LIMIT : LK_OK;
}

void rl_headers(struct ctx *c)
{
	char v[32];

	snprintf(v, sizeof v, "%lld", c->rl_limit);
	ctx_header(c, "X-RateLimit-Limit", v);
	snprintf(v, sizeof v, "%lld", c->rl_remaining);
	ctx_header(c, "X-RateLimit-Remaining", v);
	snprintf(v, sizeof v, "%lld", c->rl_reset);
	ctx_header(c, "X-RateLimit-Reset", v);
}

/* Hash of the attempt counter key of (kind, project, target). */
static void attempt_key(const struct ctx *c, const char *kind, const char *target,
    char hash[65])
{
	char key[512];
	int n = snprintf(key, sizeof key, "attempts|%s|%s|%s", kind, c->proj->id, target);

	crypto_sha256_hex(key, n < 0 ? 0 : (size_t)n >= sizeof key ? sizeof key - 1 : (size_t)n, hash);
}

void rl_attempts_key(const struct ctx *c, const char *kind, const char *target,
    char hash[65], long long *window)
{
	long long now = c->now_ms / 1000;

	attempt_key(c, kind, target, hash);
	*window = now - now % 3600;
}

enum lk_err rl_attempts_verdict(struct ctx *c, const char *hits)
{
	if (hits != NULL && strtoll(hits, NULL, 10) >= LK_ATTEMPTS_PER_HOUR)
		return ctx_fail(c, E_RATE_LIMIT, "Too many failed attempts for this "
		    "account. Please try again after some time.");
	return LK_OK;
}

enum lk_err rl_attempts_check(struct ctx *c, const char *kind, const char *target)
{
	long long window;
	char hash[65];
	struct dbres r;
	enum db_rc rc;

	rl_attempts_key(c, kind, target, hash, &window);
	{
		struct dbv a[] = { DVS(hash), DVI(window) };
		if ((rc = db_exec(ST_RL_GET, a, 2, &r, c->a)) != DB_OK)
			return ctx_dberr(c, rc);
	}
	return rl_attempts_verdict(c, r.nrows == 1 ? db_cell(&r, 0, 0) : NULL);
}

void rl_attempts_fail(struct ctx *c, const char *kind, const char *target)
{
	long long now = c->now_ms / 1000, window = now - now % 3600;
	char hash[65];

	attempt_key(c, kind, target, hash);
	{
		struct dbv a[] = { DVS(hash), DVI(window), DVI(1000000000) };
		(void)db_exec(ST_RL_HIT, a, 3, NULL, c->a);
	}
}
