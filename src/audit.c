/* audit.c: security log rows (see audit.h). */
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "audit.h"
#include "crypto.h"
#include "timeutil.h"

enum db_rc audit_insert(struct ctx *c)
{
	char id[21], when[LK_DBTIME_LEN], resource[64];
	struct dbv a[10];

	if (crypto_unique_id(id) < 0)
		return DB_FAIL;
	time_db(c->now_ms, when);
	snprintf(resource, sizeof resource, "user/%s", c->audit_uid);
	a[0] = DVS(c->proj->id);
	a[1] = DVS(id);
	a[2] = DVS(c->audit_uid);
	a[3] = DVS(c->route->event);
	a[4] = DVS(resource);
	a[5] = DVS(c->audit_email);
	a[6] = DVS(c->audit_name);
	a[7] = DVS(c->ip);
	a[8] = DVS(c->ua);
	a[9] = DVS(when);
	return db_exec(ST_LOG_INSERT, a, 10, NULL, c->a);
}

void audit_write(struct ctx *c)
{
	if (audit_insert(c) != DB_OK)
		syslog(LOG_WARNING, "audit: could not write %s", c->route->event);
}

/* audit_tx's wrapper: the change, then its audit row, in one transaction. */
struct ctx_txw {
	struct ctx *c;                 /* request */
	enum db_rc (*fn)(void *arg);   /* the change */
	void *arg;                     /* its argument */
};

/* Runs the wrapped change and writes the audit row with it. */
static enum db_rc ctx_txw_run(void *arg)
{
	struct ctx_txw *w = arg;
	enum db_rc rc = w->fn(w->arg);

	if (rc == DB_OK && w->c->route && w->c->route->event && w->c->audit_uid)
		rc = audit_insert(w->c);
	return rc;
}

enum db_rc audit_tx(struct ctx *c, enum db_rc (*fn)(void *arg), void *arg)
{
	struct ctx_txw w = { c, fn, arg };
	enum db_rc rc = db_tx(ctx_txw_run, &w);

	if (rc == DB_OK && c->audit_uid)
		c->audited = 1;
	return rc;
}
