/* api_sessions.c: /account/sessions endpoints (spec/ACCOUNT_ENDPOINTS.md
 * E15-E21) and the common session-issuing steps of §1.8. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "audit.h"
#include "crypto.h"
#include "json_out.h"
#include "outbox.h"
#include "identity.h"
#include "model.h"
#include "pw.h"
#include "ratelimit.h"
#include "timeutil.h"
#include "ua.h"

/* Everything one session insert needs. */
struct sess_tx {
	struct ctx *c;           /* request */
	const char *uid;         /* owner */
	enum db_rc (*extra)(void *arg); /* runs first in the same transaction, or NULL */
	void *extra_arg;         /* its argument */
	const char *provider;    /* email, anonymous, ... */
	const char *provider_uid;/* email for email sessions, else "" */
	const char *factors;     /* JSON array */
	char sid[21];            /* new session ID */
	char hash[65];           /* sha256 hex of the secret */
	char now[LK_DBTIME_LEN]; /* creation time */
	char expire[LK_DBTIME_LEN]; /* expiry time */
	struct ua_info ua;       /* parsed user agent */
};

/* Deletes uid's sessions beyond the project's maxSessions, oldest first. */
static enum db_rc trim(struct ctx *c, const char *uid)
{
	struct dbres r;
	int i;
	enum db_rc rc;
	struct dbv a[] = { DVS(c->proj->id), DVS(uid), DVI(c->proj->max_sessions) };

	if ((rc = db_exec(ST_SESSION_IDS_OVER, a, 3, &r, c->a)) != DB_OK)
		return rc;
	for (i = 0; i < r.nrows; i++) {
		struct dbv d[] = { DVS(c->proj->id), DVS(uid), DVS(db_cell(&r, i, 0)) };
		if ((rc = db_exec(ST_SESSION_DELETE, d, 3, NULL, c->a)) != DB_OK)
			return rc;
	}
	return DB_OK;
}

/* Inserts (the user and) the session. */
static enum db_rc sess_tx(void *arg)
{
	struct sess_tx *t = arg;
	struct ctx *c = t->c;
	char created6[40];
	enum db_rc rc;

	if (t->extra && (rc = t->extra(t->extra_arg)) != DB_OK)
		return rc;
	/* sub-millisecond digits keep creation order stable within one
	 * millisecond; the millisecond part stays the request time */
	{
		char us[40];
		time_db_us(us);
		snprintf(created6, sizeof created6, "%s%.3s", t->now, us + 23);
	}
	{
		struct dbv s[] = { DVS(c->proj->id), DVS(t->sid), DVS(t->uid),
		    DVS(t->hash), DVS(t->provider), DVS(t->provider_uid), DVS(c->ip),
		    DVS(c->ua),
		    DVS(t->ua.os_code), DVS(t->ua.os_name), DVS(t->ua.os_version),
		    DVS(t->ua.client_type), DVS(t->ua.client_code),
		    DVS(t->ua.client_name), DVS(t->ua.client_version),
		    DVS(t->ua.client_engine), DVS(t->ua.client_engine_version),
		    DVS(t->ua.device_name), DVS(t->ua.device_brand),
		    DVS(t->ua.device_model), DVS("--"), DVS(t->factors),
		    DVS(t->expire), DVS(created6), DVS(t->now) };
		rc = db_exec(ST_SESSION_INSERT, s, 25, NULL, c->a);
	}
	/* sessions over the project's limit go in the same transaction */
	return rc == DB_OK ? trim(c, t->uid) : rc;
}

/* Fills r with the session just inserted, as ST_SESSION_GET would read it
 * (no second round trip). Returns 0 or -1. */
static int session_row(struct ctx *c, const struct sess_tx *t, struct dbres *r)
{
	const char **cell = arena_alloc(c->a, sizeof(char *) * SC__N);
	size_t *len = arena_alloc(c->a, sizeof(size_t) * SC__N);
	char *now = arena_alloc(c->a, LK_ISOTIME_LEN), *exp = arena_alloc(c->a, LK_ISOTIME_LEN);
	int i;

	if (!cell || !len || !now || !exp)
		return -1;
	time_iso(c->now_ms, now);
	time_iso(c->now_ms + (int64_t)c->proj->duration * 1000, exp);
	for (i = 0; i < SC__N; i++)
		cell[i] = NULL;
	cell[SC_ID] = t->sid;
	cell[SC_CREATED] = now;
	cell[SC_UPDATED] = now;
	cell[SC_USER_ID] = t->uid;
	cell[SC_EXPIRE] = exp;
	cell[SC_PROVIDER] = t->provider;
	cell[SC_PROVIDER_UID] = t->provider_uid;
	cell[SC_IP] = c->ip;
	cell[SC_OS_CODE] = t->ua.os_code;
	cell[SC_OS_NAME] = t->ua.os_name;
	cell[SC_OS_VERSION] = t->ua.os_version;
	cell[SC_CLIENT_TYPE] = t->ua.client_type;
	cell[SC_CLIENT_CODE] = t->ua.client_code;
	cell[SC_CLIENT_NAME] = t->ua.client_name;
	cell[SC_CLIENT_VERSION] = t->ua.client_version;
	cell[SC_CLIENT_ENGINE] = t->ua.client_engine;
	cell[SC_CLIENT_ENGINE_VERSION] = t->ua.client_engine_version;
	cell[SC_DEVICE_NAME] = t->ua.device_name;
	cell[SC_DEVICE_BRAND] = t->ua.device_brand;
	cell[SC_DEVICE_MODEL] = t->ua.device_model;
	cell[SC_COUNTRY] = "--";
	cell[SC_FACTORS] = t->factors;
	for (i = 0; i < SC__N; i++)
		len[i] = cell[i] ? strlen(cell[i]) : 0;
	r->nrows = 1;
	r->ncols = SC__N;
	r->cell = cell;
	r->len = len;
	return 0;
}

enum lk_err session_issue(struct ctx *c, const char *uid, const char *provider,
    const char *provider_uid, const char *factors, enum db_rc (*extra)(void *),
    void *extra_arg)
{
	char secret[LK_SESSION_SECRET_HEX + 1], token[1024];
	struct sess_tx t;
	struct dbres r;
	enum db_rc rc;
	ssize_t tn;

	memset(&t, 0, sizeof t);
	t.c = c;
	t.uid = uid;
	t.extra = extra;
	t.extra_arg = extra_arg;
	t.provider = provider;
	t.provider_uid = provider_uid;
	t.factors = factors;
	if (crypto_unique_id(t.sid) < 0 ||
	    crypto_random_hex(secret, LK_SESSION_SECRET_HEX) < 0)
		return E_GENERAL_SERVER_ERROR;
	crypto_sha256_hex(secret, LK_SESSION_SECRET_HEX, t.hash);
	time_db(c->now_ms, t.now);
	time_db(c->now_ms + (int64_t)c->proj->duration * 1000, t.expire);
	ua_parse(c->ua, strlen(c->ua), &t.ua);
	rc = audit_tx(c, sess_tx, &t);
	if (rc == DB_DUP)
		return E_USER_ALREADY_EXISTS;
	if (rc != DB_OK)
		return ctx_dberr(c, rc);
	tn = ident_token_encode(uid, secret, token, sizeof token);
	crypto_wipe(secret, sizeof secret);
	if (tn < 0)
		return E_GENERAL_SERVER_ERROR;
	if (session_row(c, &t, &r) < 0)
		return E_GENERAL_SERVER_ERROR;
	ctx_set_session_cookie(c, token, c->now_ms + (int64_t)c->proj->duration * 1000);
	ctx_json(c, 201);
	model_session(&c->w, &r, 0, 1, ctx_privileged(c) ? token : NULL);
	crypto_wipe(token, sizeof token);
	return LK_OK;
}

/* What a session alert needs in its transaction. */
struct alert_tx {
	struct ctx *c;           /* request */
	const char *email;       /* recipient */
	const char *name;        /* recipient name */
	struct tmpl_var vars[7]; /* template variables */
};

/* Queues the alert email. */
static enum db_rc alert_tx(void *arg)
{
	struct alert_tx *t = arg;

	return outbox_email(t->c, t->email, t->name, TM_SESSION_ALERT, t->vars, 7);
}

void session_alert(struct ctx *c, const char *uid, const char *email, const char *name)
{
	struct alert_tx t;
	struct ua_info ua;
	struct dbres r;
	char date[32], tm[16];
	time_t now = (time_t)(c->now_ms / 1000);
	struct tm g;
	struct dbv a[] = { DVS(c->proj->id), DVS(uid) };

	if (!c->proj->session_alerts || email == NULL || *email == '\0' ||
	    !outbox_mail_ready(c) || db_exec(ST_SESSIONS_COUNT, a, 2, &r, c->a) != DB_OK ||
	    strtol(db_cell(&r, 0, 0), NULL, 10) < 2)
		return;
	ua_parse(c->ua, strlen(c->ua), &ua);
	gmtime_r(&now, &g);
	strftime(date, sizeof date, "%B %d", &g);
	strftime(tm, sizeof tm, "%H:%M:%S", &g);
	t.c = c;
	t.email = email;
	t.name = name;
	t.vars[0] = (struct tmpl_var){ "user", name };
	t.vars[1] = (struct tmpl_var){ "project", c->proj->name };
	t.vars[2] = (struct tmpl_var){ "device", ua.client_name[0] ? ua.client_name : c->ua };
	t.vars[3] = (struct tmpl_var){ "ipAddress", c->ip };
	t.vars[4] = (struct tmpl_var){ "country", "Unknown" };
	t.vars[5] = (struct tmpl_var){ "date", date };
	t.vars[6] = (struct tmpl_var){ "time", tm };
	/* the session stands whether or not the alert could be queued */
	(void)db_tx(alert_tx, &t);
}


/* The anonymous user: no email, phone, password or name. */
struct anon_user {
	struct ctx *c;   /* request */
	const char *uid; /* new user ID */
};

/* Inserts the anonymous user (inside the session transaction). */
static enum db_rc anon_insert(void *arg)
{
	struct anon_user *u = arg;
	struct new_user n = { u->uid, NULL, NULL, NULL, NULL, NULL, NULL };

	return account_insert_user(u->c, &n);
}

enum lk_err h_sessions_anonymous(struct ctx *c)
{
	char uid[21];
	struct anon_user au;
	enum lk_err e;

	if ((e = account_check_user_limit(c)) != LK_OK)
		return e;
	if (crypto_unique_id(uid) < 0)
		return E_GENERAL_SERVER_ERROR;
	au.c = c;
	au.uid = uid;
	ctx_audit(c, arena_strndup(c->a, uid, sizeof uid - 1), "", "");
	return session_issue(c, uid, "anonymous", "", "[\"anonymous\"]", anon_insert, &au);
}

enum lk_err h_sessions_email(struct ctx *c)
{
	const char *pw = ctx_str(c, "password");
	char *email = ctx_lower(c, "email");
	char key[65];
	long long window;
	struct dbres u;
	enum db_rc rc;
	enum lk_err e;
	const char *hash;

	if (email == NULL)
		return E_GENERAL_SERVER_ERROR;
	/* failed guesses count against the address, whatever the IP (SECURITY.md
	 * 3): the counter comes with the user, in one statement */
	rl_attempts_key(c, "password", email, key, &window);
	{
		struct dbv a[] = { DVS(c->proj->id), DVS(email), DVS(key), DVI(window) };
		if ((rc = db_exec(ST_USER_BY_EMAIL_RL, a, 4, &u, c->a)) != DB_OK)
			return ctx_dberr(c, rc);
	}
	if (u.nrows != 1)
		return E_GENERAL_SERVER_ERROR;
	if ((e = rl_attempts_verdict(c, db_cell(&u, 0, UC__ALL))) != LK_OK)
		return e;
	hash = db_cell(&u, 0, UC_ID) && db_cell(&u, 0, UC_PASSWORD_UPDATE) ?
	    db_cell(&u, 0, UC_PASSWORD) : NULL;
	/* the same work whether or not the account exists (SECURITY.md 4) */
	if (hash == NULL) {
		pw_verify_dummy(pw, strlen(pw));
		rl_attempts_fail(c, "password", email);
		return E_USER_INVALID_CREDENTIALS;
	}
	if (!pw_verify(hash, pw, strlen(pw))) {
		rl_attempts_fail(c, "password", email);
		return E_USER_INVALID_CREDENTIALS;
	}
	if (strcmp(db_cell(&u, 0, UC_STATUS), "1") != 0)
		return E_USER_BLOCKED;
	ctx_audit(c, db_cell(&u, 0, UC_ID), email, db_cell(&u, 0, UC_NAME));
	if ((e = session_issue(c, db_cell(&u, 0, UC_ID), "email", email,
	    "[\"password\"]", NULL, NULL)) != LK_OK)
		return e;
	session_alert(c, db_cell(&u, 0, UC_ID), email, db_cell(&u, 0, UC_NAME));
	return LK_OK;
}

enum lk_err h_sessions_list(struct ctx *c)
{
	struct dbres r;
	enum db_rc rc;
	int i;
	struct dbv a[] = { DVS(c->proj->id), DVS(ctx_ucol(c, UC_ID)) };

	if ((rc = db_exec(ST_SESSIONS_BY_USER, a, 2, &r, c->a)) != DB_OK)
		return ctx_dberr(c, rc);
	ctx_json(c, 200);
	jw_obj(&c->w);
	jw_kint(&c->w, "total", r.nrows);
	jw_key(&c->w, "sessions");
	jw_arr(&c->w);
	for (i = 0; i < r.nrows; i++)
		model_session(&c->w, &r, i, c->have_session &&
		    strcmp(db_cell(&r, i, SC_ID), ctx_scol(c, AS_ID)) == 0, NULL);
	jw_arr_end(&c->w);
	jw_obj_end(&c->w);
	return LK_OK;
}

/* Resolves the sessionId parameter ("current" allowed) to an ID, or NULL. */
static const char *session_param(struct ctx *c)
{
	const char *id = ctx_str(c, "sessionId");

	if (strcmp(id, "current") == 0)
		return c->have_session ? ctx_scol(c, AS_ID) : NULL;
	return id;
}

/* Loads session id of the caller into r; E_USER_SESSION_NOT_FOUND if none. */
static enum lk_err load_session(struct ctx *c, const char *id, struct dbres *r)
{
	enum db_rc rc;
	struct dbv a[] = { DVS(c->proj->id), DVS(ctx_ucol(c, UC_ID)), DVS(id) };

	if (id == NULL)
		return E_USER_SESSION_NOT_FOUND;
	if ((rc = db_exec(ST_SESSION_GET, a, 3, r, c->a)) != DB_OK)
		return ctx_dberr(c, rc);
	return r->nrows == 1 ? LK_OK : E_USER_SESSION_NOT_FOUND;
}

/* 1 when id is the caller's current session. */
static int is_current(const struct ctx *c, const char *id)
{
	return c->have_session && strcmp(id, ctx_scol(c, AS_ID)) == 0;
}

enum lk_err h_sessions_get(struct ctx *c)
{
	const char *id = session_param(c);
	struct dbres r;
	enum lk_err e;

	if ((e = load_session(c, id, &r)) != LK_OK)
		return e;
	ctx_json(c, 200);
	model_session(&c->w, &r, 0, is_current(c, id), NULL);
	return LK_OK;
}

enum lk_err h_sessions_update(struct ctx *c)
{
	const char *id = session_param(c);
	char now[LK_DBTIME_LEN], exp[LK_DBTIME_LEN];
	struct dbres r;
	enum lk_err e;
	enum db_rc rc;

	if ((e = load_session(c, id, &r)) != LK_OK)
		return e;
	time_db(c->now_ms, now);
	time_db(c->now_ms + (int64_t)c->proj->duration * 1000, exp);
	{
		struct dbv a[] = { DVS(exp), DVS(now), DVS(c->proj->id),
		    DVS(ctx_ucol(c, UC_ID)), DVS(id) };
		if ((rc = db_exec(ST_SESSION_EXTEND, a, 5, NULL, c->a)) != DB_OK)
			return ctx_dberr(c, rc);
	}
	if ((e = load_session(c, id, &r)) != LK_OK)
		return e;
	ctx_json(c, 200);
	model_session(&c->w, &r, 0, is_current(c, id), NULL);
	ctx_audit(c, ctx_ucol(c, UC_ID), ctx_ucol(c, UC_EMAIL), ctx_ucol(c, UC_NAME));
	return LK_OK;
}

/* A deletion of one or all of the caller's sessions. */
struct sdel_tx {
	struct ctx *c;       /* request */
	const char *sid;     /* the session to delete; NULL: all of them */
	const char *bound;   /* the session whose push targets go too, or NULL */
};

/* Deletes the session(s) and the push targets t->bound registered
 * (spec/ACCOUNT_ENDPOINTS.md E16, E19), in one transaction. */
static enum db_rc sdel_tx(void *arg)
{
	struct sdel_tx *t = arg;
	struct ctx *c = t->c;
	const char *uid = ctx_ucol(c, UC_ID);
	struct dbv a[] = { DVS(c->proj->id), DVS(uid), DVS(t->sid) };
	enum db_rc rc;

	rc = t->sid ? db_exec(ST_SESSION_DELETE, a, 3, NULL, c->a) :
	    db_exec(ST_SESSIONS_DELETE_ALL, a, 2, NULL, c->a);
	if (rc != DB_OK || t->bound == NULL)
		return rc;
	return targets_push_drop_session(c, uid, t->bound);
}

enum lk_err h_sessions_delete(struct ctx *c)
{
	const char *id = session_param(c);
	struct sdel_tx t = { c, id, id };
	struct dbres r;
	enum lk_err e;
	enum db_rc rc;

	if ((e = load_session(c, id, &r)) != LK_OK)
		return e;
	ctx_audit(c, ctx_ucol(c, UC_ID), ctx_ucol(c, UC_EMAIL), ctx_ucol(c, UC_NAME));
	if ((rc = audit_tx(c, sdel_tx, &t)) != DB_OK)
		return ctx_dberr(c, rc);
	if (is_current(c, id))
		ctx_clear_session_cookie(c);
	c->status = 204;
	return LK_OK;
}

/* As upstream, only the push targets of the caller's current session go;
 * those of the other sessions stay (naming a session that is gone). */
enum lk_err h_sessions_delete_all(struct ctx *c)
{
	struct sdel_tx t = { c, NULL, c->have_session ? ctx_scol(c, AS_ID) : NULL };
	enum db_rc rc;

	ctx_audit(c, ctx_ucol(c, UC_ID), ctx_ucol(c, UC_EMAIL), ctx_ucol(c, UC_NAME));
	if ((rc = audit_tx(c, sdel_tx, &t)) != DB_OK)
		return ctx_dberr(c, rc);
	if (c->have_session)
		ctx_clear_session_cookie(c);
	c->status = 204;
	return LK_OK;
}
