/* api_targets.c: the caller's push targets (spec/ACCOUNT_ENDPOINTS.md
 * E48-E50): POST /account/targets/push, PUT and DELETE
 * /account/targets/{targetId}/push. A push target is a targets row of
 * provider_type 'push' owned by the caller; each change rewrites the
 * caller's users.targets (the Account model's copy, 003_user_targets.sql)
 * in the transaction that makes it. The push routes see push targets only:
 * the email and SMS targets made with an account keep their identifiers
 * (which messages are sent to) out of a client's reach. A push target
 * registered by a session goes when that session is deleted
 * (targets_push_drop_session, called by api_sessions.c). */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "audit.h"
#include "crypto.h"
#include "model.h"
#include "timeutil.h"
#include "ua.h"

/* Bytes of a target name made from a user agent: brand, a space, model. */
#define TARGET_NAME_MAX 64
_Static_assert(sizeof(((struct ua_info *)0)->device_brand) +
    sizeof(((struct ua_info *)0)->device_model) <= TARGET_NAME_MAX,
    "a device brand and model fit a target name");

/* Columns of ST_TARGETS_BY_USER (and ST_TARGET_PUSH_LOCK), for the answer. */
enum target_col {
	TC_ID, TC_CREATED, TC_UPDATED, TC_NAME, TC_PROVIDER_ID, TC_TYPE,
	TC_IDENTIFIER, TC_EXPIRED, TC__N
};

/* One push-target change: the arguments of its transaction and what it
 * found. */
struct push_tx {
	struct ctx *c;                 /* request */
	const char *uid;               /* the caller, the target's owner */
	const char *tid;               /* target ID */
	const char *ident;             /* new identifier (the device token) */
	const char *provider;          /* provider ID, NULL for the default */
	const char *sid;               /* creating session, NULL under a JWT */
	char name[TARGET_NAME_MAX];    /* name from the user agent */
	char now[LK_DBTIME_LEN];       /* request time, database form */
	struct dbres row;              /* out (update): the target before it */
	int found;                     /* out (update, delete): 1 when the
	                                * caller owns a push target tid */
};

/* Fills t->name with what Appwrite names a push target, "<deviceBrand>
 * <deviceModel>" of the request's user agent, without the space when one
 * of them is unknown; "" (the Target model's default name) when the agent
 * names neither, where Appwrite stores a lone space. */
static void target_name(struct push_tx *t)
{
	struct ua_info u;

	ua_parse(t->c->ua, strlen(t->c->ua), &u);
	snprintf(t->name, sizeof t->name, "%s%s%s", u.device_brand,
	    u.device_brand[0] && u.device_model[0] ? " " : "", u.device_model);
}

/* Starts t for the caller and target tid at the request time. */
static void push_init(struct push_tx *t, struct ctx *c, const char *tid)
{
	memset(t, 0, sizeof *t);
	t->c = c;
	t->uid = ctx_ucol(c, UC_ID);
	t->tid = tid;
	t->ident = ctx_str(c, "identifier");
	time_db(c->now_ms, t->now);
}

/* Answers status with the Target whose cells are cells (TC_ order). */
static enum lk_err reply_target(struct ctx *c, const char *uid,
    const char *cells[TC__N], int status)
{
	size_t lens[TC__N] = { 0 };
	struct dbres r = { 1, TC__N, cells, lens };

	ctx_json(c, status);
	model_target(&c->w, &r, 0, uid);
	return LK_OK;
}

/* Inserts the target and rewrites users.targets. */
static enum db_rc create_tx(void *arg)
{
	struct push_tx *t = arg;
	struct ctx *c = t->c;
	struct dbv a[] = { DVS(c->proj->id), DVS(t->tid), DVS(t->uid), DVS(t->sid),
	    DVS(t->name), DVS(t->provider), DVS(t->ident), DVS(t->now), DVS(t->now) };
	enum db_rc rc;

	if ((rc = db_exec(ST_TARGET_PUSH_INSERT, a, 9, NULL, c->a)) != DB_OK)
		return rc;
	return account_sync_targets(c, t->uid);
}

enum lk_err h_targets_push_create(struct ctx *c)
{
	char gen[21], iso[LK_ISOTIME_LEN];
	const char *tid = ctx_str(c, "targetId"), *provider = ctx_str(c, "providerId");
	struct push_tx t;
	enum db_rc rc;

	/* an API key granted targets.write passes the scope check, but there
	 * is no account to add the target to */
	if (!c->have_user)
		return E_USER_NOT_FOUND;
	if (strcmp(tid, "unique()") == 0) {
		if (crypto_unique_id(gen) < 0)
			return E_GENERAL_SERVER_ERROR;
		tid = gen;
	}
	push_init(&t, c, tid);
	t.provider = provider && *provider ? provider : NULL;
	/* a JWT names a session but holds none of it: the target stays unbound */
	t.sid = c->have_session ? ctx_scol(c, AS_ID) : NULL;
	target_name(&t);
	/* the target ID (any user's) or the identifier taken: the primary key
	 * or uq_targets_identifier refuses the row */
	rc = audit_tx(c, create_tx, &t);
	if (rc == DB_DUP)
		return E_USER_TARGET_ALREADY_EXISTS;
	if (rc != DB_OK)
		return ctx_dberr(c, rc);
	time_iso(c->now_ms, iso);
	{
		const char *cells[TC__N] = { tid, iso, iso, t.name, t.provider, "push",
		    t.ident, "0" };
		return reply_target(c, t.uid, cells, 201);
	}
}

/* Locks the caller's push target, sets its identifier and name, clears
 * expired and rewrites users.targets; t->found 0 when there is none. */
static enum db_rc update_tx(void *arg)
{
	struct push_tx *t = arg;
	struct ctx *c = t->c;
	struct dbv k[] = { DVS(c->proj->id), DVS(t->tid), DVS(t->uid) };
	enum db_rc rc;

	t->found = 0;
	if ((rc = db_exec(ST_TARGET_PUSH_LOCK, k, 3, &t->row, c->a)) != DB_OK)
		return rc;
	if (t->row.nrows != 1)
		return DB_OK;
	t->found = 1;
	{
		struct dbv a[] = { DVS(t->ident), DVS(t->name), DVS(t->now), k[0], k[1],
		    k[2] };
		if ((rc = db_exec(ST_TARGET_PUSH_UPDATE, a, 6, NULL, c->a)) != DB_OK)
			return rc;
	}
	return account_sync_targets(c, t->uid);
}

enum lk_err h_targets_push_update(struct ctx *c)
{
	char iso[LK_ISOTIME_LEN];
	struct push_tx t;
	enum db_rc rc;

	if (!c->have_user)
		return E_USER_NOT_FOUND;
	push_init(&t, c, ctx_str(c, "targetId"));
	target_name(&t);
	rc = audit_tx(c, update_tx, &t);
	/* the identifier is another target's: Appwrite's uncaught duplicate */
	if (rc == DB_DUP)
		return E_DOCUMENT_ALREADY_EXISTS;
	if (rc != DB_OK)
		return ctx_dberr(c, rc);
	if (!t.found)
		return E_USER_TARGET_NOT_FOUND;
	time_iso(c->now_ms, iso);
	{
		const char *cells[TC__N] = { db_cell(&t.row, 0, TC_ID),
		    db_cell(&t.row, 0, TC_CREATED), iso, t.name,
		    db_cell(&t.row, 0, TC_PROVIDER_ID), "push", t.ident, "0" };
		return reply_target(c, t.uid, cells, 200);
	}
}

/* Deletes the caller's push target and rewrites users.targets; t->found 0
 * when there was none. */
static enum db_rc delete_tx(void *arg)
{
	struct push_tx *t = arg;
	struct ctx *c = t->c;
	struct dbv a[] = { DVS(c->proj->id), DVS(t->tid), DVS(t->uid) };
	enum db_rc rc;

	if ((rc = db_exec(ST_TARGET_PUSH_DELETE, a, 3, NULL, c->a)) != DB_OK)
		return rc;
	t->found = db_affected() > 0;
	return t->found ? account_sync_targets(c, t->uid) : DB_OK;
}

enum lk_err h_targets_push_delete(struct ctx *c)
{
	struct push_tx t;
	enum db_rc rc;

	if (!c->have_user)
		return E_USER_NOT_FOUND;
	push_init(&t, c, ctx_str(c, "targetId"));
	if ((rc = audit_tx(c, delete_tx, &t)) != DB_OK)
		return ctx_dberr(c, rc);
	if (!t.found)
		return E_USER_TARGET_NOT_FOUND;
	c->status = 204;
	return LK_OK;
}

enum db_rc targets_push_drop_session(struct ctx *c, const char *uid, const char *sid)
{
	struct dbv a[] = { DVS(c->proj->id), DVS(uid), DVS(sid) };
	enum db_rc rc;

	if ((rc = db_exec(ST_TARGETS_PUSH_DELETE_SESSION, a, 3, NULL, c->a)) != DB_OK)
		return rc;
	return db_affected() > 0 ? account_sync_targets(c, uid) : DB_OK;
}
