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

#endif
