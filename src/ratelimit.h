/* ratelimit.h: per-route fixed hourly windows counted in MariaDB so they hold
 * across workers and hosts (spec/CONTRACT.md 1.10, SECURITY.md 2). */
#ifndef LK_RATELIMIT_H
#define LK_RATELIMIT_H

#include "ctx.h"

/* Counts this request against the route's keys. Returns LK_OK,
 * E_RATE_LIMIT, or a database error. No-op when limits are off. */
enum lk_err rl_apply(struct ctx *c);
/* Writes the X-RateLimit-* headers computed by rl_apply. */
void rl_headers(struct ctx *c);
/* Renders key template tpl for c into out (for tests and rl_apply).
 * Returns 0 or -1 when it does not fit. */
int rl_render(const struct ctx *c, const char *tpl, char *out, size_t n);

/* Failed guesses allowed per target (user or email) and hour, whatever the
 * IP or the challenge (SECURITY.md 3). */
#define LK_ATTEMPTS_PER_HOUR 10

/* 429 general_rate_limit_exceeded when target already used up its failed
 * guesses of this kind (e.g. "otp", "password") in the current hour. */
enum lk_err rl_attempts_check(struct ctx *c, const char *kind, const char *target);
/* The counter row of (kind, target) in the current hour, for a caller that
 * reads it in its own statement (ST_USER_BY_EMAIL_RL), and the check of its
 * hits cell (NULL: no row). */
void rl_attempts_key(const struct ctx *c, const char *kind, const char *target,
    char hash[65], long long *window);
enum lk_err rl_attempts_verdict(struct ctx *c, const char *hits);
/* Counts one failed guess against target. */
void rl_attempts_fail(struct ctx *c, const char *kind, const char *target);

#endif
