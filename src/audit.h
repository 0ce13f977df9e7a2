/* audit.h: the security log (spec/CONTRACT.md 9): one row per successful
 * action of a route with an audit event, read back by GET /account/logs. */
#ifndef LK_AUDIT_H
#define LK_AUDIT_H

#include "ctx.h"

/* Writes the row for c's route event and actor (ctx_audit). Failures are
 * logged, never shown to the client: the action itself succeeded. */
void audit_write(struct ctx *c);

/* Runs fn(arg) as one transaction (retried whole on deadlock) together
 * with the route's audit row, when ctx_audit() named an actor before. */
enum db_rc audit_tx(struct ctx *c, enum db_rc (*fn)(void *arg), void *arg);

/* Inserts the row (inside the caller's transaction); returns the db_rc. */
enum db_rc audit_insert(struct ctx *c);

#endif
