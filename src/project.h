/* project.h: project rows and their platforms, cached per worker for
 * LK_PROJECT_TTL_MS so admin SQL takes effect within that time. */
#ifndef LK_PROJECT_H
#define LK_PROJECT_H

#include <stdint.h>

#include "arena.h"
#include "ctx.h"

#define LK_PROJECT_TTL_MS 2000 /* cache lifetime of a project row */
#define LK_PROJECT_CACHE  16   /* projects cached per worker */

/* Looks up project id; *out is NULL when it does not exist. Returns LK_OK or
 * E_SERVICE_UNAVAILABLE when the database is down. */
enum lk_err project_get(const char *id, int64_t now_ms, struct arena *a,
    const struct project **out);

#endif
