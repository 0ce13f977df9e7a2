/* api_account.c: /account endpoints (spec/ACCOUNT_ENDPOINTS.md E01-E14). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "audit.h"
#include "config.h"
#include "crypto.h"
#include "jwt.h"
#include "model.h"
#include "pw.h"
#include "query.h"
#include "ratelimit.h"
#include "timeutil.h"


/* Case-insensitive substring test of needle in hay (both NUL-terminated). */
static int icontains(const char *hay, const char *needle)
{
	size_t hn = strlen(hay), nn = strlen(needle), i, j;

	if (nn == 0 || nn > hn)
		return 0;
	for (i = 0; i + nn <= hn; i++) {
		for (j = 0; j < nn; j++)
			if (tolower((unsigned char)hay[i + j]) != tolower((unsigned char)needle[j]))
				break;
		if (j == nn)
			return 1;
	}
	return 0;
}

/* personalDataCheck (CONTRACT 7): 1 when pw contains personal data. */
static int has_personal_data(const char *pw, const char *uid, const char *email,
    const char *name, const char *phone)
{
	char local[LK_EMAIL_MAX + 1];
	const char *at = email ? strchr(email, '@') : NULL;

	if (icontains(pw, uid) || (email && icontains(pw, email)) ||
	    (name && icontains(pw, name)) || (phone && icontains(pw, phone)) ||
	    (phone && phone[0] == '+' && icontains(pw, phone + 1)))
		return 1;
	if (at && (size_t)(at - email) < sizeof local) {
		memcpy(local, email, (size_t)(at - email));
		local[at - email] = '\0';
		return icontains(pw, local);
	}
	return 0;
}

enum lk_err h_account_get(struct ctx *c)
{
	return model_reply_user(c, &c->user, 200);
}

/* Arguments of the sign-up transaction. */
struct create_tx {
	struct ctx *c;         /* request */
	const char *uid;       /* new user ID */
	const char *email;     /* lower-cased */
	const char *name;      /* "" when absent */
	const char *hash;      /* PHC string */
	const char *history;   /* password history JSON */
	int dup;               /* out: the user insert hit a unique key */
};

/* Renders t (ST_TARGETS_BY_USER rows of user uid) as the JSON array of
 * Target models into b (initialised here; the caller frees it). Returns 0,
 * or -1 (b freed) when it does not fit. */
static int render_targets(struct buf *b, const struct dbres *t, const char *uid)
{
	struct jw w;

	buf_init(b, LK_TARGETS_JSON_MAX);
	jw_init(&w, b);
	model_targets(&w, t, uid);
	if (b->err) {
		buf_free(b);
		return -1;
	}
	return 0;
}

/* Stores the Target models of the user in users.targets: t holds its
 * targets rows (ST_TARGETS_BY_USER), or NULL to read them here. Part of the
 * caller's transaction. */
static enum db_rc store_targets(struct ctx *c, const char *uid, const struct dbres *t)
{
	struct dbres rows;
	struct buf b;
	enum db_rc rc;

	if (t == NULL) {
		struct dbv a[] = { DVS(c->proj->id), DVS(uid) };
		if ((rc = db_exec(ST_TARGETS_BY_USER, a, 2, &rows, c->a)) != DB_OK)
			return rc;
		t = &rows;
	}
	if (render_targets(&b, t, uid) < 0)
		return DB_FAIL;
	{
		struct dbv a[] = { DVS(b.data), DVS(c->proj->id), DVS(uid) };
		rc = db_exec(ST_USER_SET_TARGETS, a, 3, NULL, c->a);
	}
	buf_free(&b);
	return rc;
}

enum db_rc account_sync_targets(struct ctx *c, const char *uid)
{
	return store_targets(c, uid, NULL);
}

enum db_rc account_insert_user(struct ctx *c, const struct new_user *n)
{
	char tid[21], now[LK_DBTIME_LEN], iso[LK_ISOTIME_LEN];
	const char *ident = n->target == NULL ? NULL :
	    strcmp(n->target, "sms") == 0 ? n->phone : n->email;
	/* the new user's one target as ST_TARGETS_BY_USER would return it */
	const char *tc[] = { tid, iso, iso, "", NULL, n->target, ident, "0" };
	size_t tl[8] = { 0 };
	struct dbres t = { ident ? 1 : 0, 8, tc, tl };
	struct buf b;
	enum db_rc rc;

	if (ident && crypto_unique_id(tid) < 0)
		return DB_FAIL;
	time_db(c->now_ms, now);
	time_iso(c->now_ms, iso);
	if (render_targets(&b, &t, n->uid) < 0)
		return DB_FAIL;
	{
		struct dbv u[] = { DVS(c->proj->id), DVS(n->uid), DVS(n->name ? n->name : ""),
		    DVS(n->email), DVS(n->phone), DVS(n->hash), DVS(n->hash ? "argon2" : NULL),
		    DVS(n->hash ? pw_options_json() : NULL),
		    DVS(n->history ? n->history : "[]"), DVS(n->hash ? now : NULL),
		    DVS(now), DVS(now), DVS(now), DVS(now), DVS(b.data) };
		rc = db_exec(ST_USER_INSERT, u, 15, NULL, c->a);
	}
	buf_free(&b);
	if (rc != DB_OK || ident == NULL)
		return rc;
	{
		struct dbv g[] = { DVS(c->proj->id), DVS(tid), DVS(n->uid), DVS(n->target),
		    DVS(ident), DVS(now), DVS(now) };
		rc = db_exec(ST_TARGET_INSERT, g, 7, NULL, c->a);
	}
	/* an existing target with this address (another user's) is kept as it
	 * is, and this user has none */
	if (rc == DB_DUP) {
		t.nrows = 0;
		return store_targets(c, n->uid, &t);
	}
	return rc;
}

/* Inserts the user and its email target in one transaction. */
static enum db_rc create_tx(void *arg)
{
	struct create_tx *t = arg;
	struct new_user n = { t->uid, t->name, t->email, NULL, t->hash, t->history,
	    "email" };
	enum db_rc rc;

	rc = account_insert_user(t->c, &n);
	t->dup = rc == DB_DUP;
	return rc;
}

enum lk_err account_check_user_limit(struct ctx *c)
{
	struct dbres r;
	struct dbv a[] = { DVS(c->proj->id) };
	enum db_rc rc;

	if (c->proj->limit <= 0 || c->via_key)
		return LK_OK;
	if ((rc = db_exec(ST_USER_COUNT, a, 1, &r, c->a)) != DB_OK)
		return ctx_dberr(c, rc);
	if (r.nrows == 1 && strtol(db_cell(&r, 0, 0), NULL, 10) >= c->proj->limit)
		return E_USER_COUNT_EXCEEDED;
	return LK_OK;
}

/* Fails with general_bad_request when an identity of another user owns
 * email (no account oracle). */
static enum lk_err check_identity_email(struct ctx *c, const char *email,
    const char *uid)
{
	struct dbres r;
	struct dbv a[] = { DVS(c->proj->id), DVS(email), DVS(uid) };
	enum db_rc rc;

	if ((rc = db_exec(ST_IDENTITY_BY_EMAIL, a, 3, &r, c->a)) != DB_OK)
		return ctx_dberr(c, rc);
	return r.nrows ? E_BAD_REQUEST : LK_OK;
}

enum lk_err h_account_create(struct ctx *c)
{
	char gen[21], hash[LK_PW_HASH_MAX], hist[LK_PW_HASH_MAX + 8];
	const char *uid = ctx_str(c, "userId"), *pw = ctx_str(c, "password");
	const char *name = ctx_str(c, "name");
	char *email = ctx_lower(c, "email");
	struct create_tx t;
	enum lk_err e;
	enum db_rc rc;

	if (email == NULL)
		return E_GENERAL_SERVER_ERROR;
	if (strcmp(uid, "unique()") == 0) {
		if (crypto_unique_id(gen) < 0)
			return E_GENERAL_SERVER_ERROR;
		uid = gen;
	}
	if ((e = account_check_user_limit(c)) != LK_OK ||
	    (e = check_identity_email(c, email, "")) != LK_OK)
		return e;
	if (c->proj->personal_data &&
	    has_personal_data(pw, uid, email, name, NULL))
		return E_PASSWORD_PERSONAL_DATA;
	if (pw_hash(pw, strlen(pw), hash) < 0)
		return E_GENERAL_SERVER_ERROR;
	snprintf(hist, sizeof hist, c->proj->pw_history > 0 ? "[\"%s\"]" : "[]", hash);
	t = (struct create_tx){ c, uid, email, name ? name : "", hash, hist, 0 };
	ctx_audit(c, arena_strndup(c->a, uid, strlen(uid)), email, name);
	rc = audit_tx(c, create_tx, &t);
	if (rc == DB_DUP && t.dup)
		return E_USER_ALREADY_EXISTS;
	if (rc != DB_OK)
		return ctx_dberr(c, rc);
	return model_reply_account(c, uid, 201);
}

enum lk_err h_account_delete(struct ctx *c)
{
	struct dbv a[] = { DVS(c->proj->id), DVS(ctx_ucol(c, UC_ID)) };
	enum db_rc rc;

	ctx_audit(c, ctx_ucol(c, UC_ID), ctx_ucol(c, UC_EMAIL), ctx_ucol(c, UC_NAME));
	/* sessions, tokens, targets and identities go with it (foreign keys) */
	if ((rc = db_exec(ST_USER_DELETE, a, 2, NULL, c->a)) != DB_OK)
		return ctx_dberr(c, rc);
	c->status = 204;
	return LK_OK;
}

/* A one-row user UPDATE with (value, now, project, id) arguments. */
struct upd_tx {
	struct ctx *c;        /* request */
	enum stmt_id st;      /* the UPDATE */
	const char *value;    /* new value */
	const char *now;      /* database time */
};

/* Runs the UPDATE. */
static enum db_rc upd_tx(void *arg)
{
	struct upd_tx *t = arg;
	struct dbv a[] = { DVS(t->value), DVS(t->now), DVS(t->c->proj->id),
	    DVS(ctx_ucol(t->c, UC_ID)) };

	return db_exec(t->st, a, 4, NULL, t->c->a);
}

/* Changes one column of the caller's user (with its audit row, in one
 * transaction) and answers with the Account, built from the row the
 * request already holds: col gets shown, $updatedAt becomes now. */
static enum lk_err update_user(struct ctx *c, enum stmt_id st, const char *value,
    int col, const char *shown)
{
	char now[LK_DBTIME_LEN];
	struct upd_tx t = { c, st, value, now };
	enum db_rc rc;

	time_db(c->now_ms, now);
	ctx_audit(c, ctx_ucol(c, UC_ID), ctx_ucol(c, UC_EMAIL), ctx_ucol(c, UC_NAME));
	rc = audit_tx(c, upd_tx, &t);
	if (rc == DB_DUP)
		return st == ST_USER_SET_PHONE ? E_USER_PHONE_ALREADY_EXISTS : E_BAD_REQUEST;
	if (rc != DB_OK)
		return ctx_dberr(c, rc);
	return account_reply_changed(c, col, shown);
}

enum lk_err account_reply_changed(struct ctx *c, int col, const char *shown)
{
	char *iso = arena_alloc(c->a, LK_ISOTIME_LEN);

	if (iso == NULL)
		return E_GENERAL_SERVER_ERROR;
	time_iso(c->now_ms, iso);
	c->user.cell[col] = shown;
	c->user.cell[UC_UPDATED] = iso;
	return model_reply_user(c, &c->user, 200);
}

enum lk_err h_account_name(struct ctx *c)
{
	return update_user(c, ST_USER_SET_NAME, ctx_str(c, "name"), UC_NAME,
	    ctx_str(c, "name"));
}

/* Arguments of the email/phone change transaction. */
struct ident_tx {
	struct ctx *c;          /* request */
	enum stmt_id st;        /* ST_USER_SET_EMAIL or ST_USER_SET_PHONE */
	const char *value;      /* new email/phone */
	const char *old;        /* previous value or "" */
	const char *new_hash;   /* password set by the conversion, or NULL */
	const char *now;        /* database time */
};

/* Changes email/phone, deletes every token sent to the old one, renames the
 * old target, and sets the password of a password-less (anonymous) user,
 * all in one transaction. */
static enum db_rc ident_tx(void *arg)
{
	struct ident_tx *t = arg;
	struct ctx *c = t->c;
	const char *uid = ctx_ucol(c, UC_ID);
	enum db_rc rc;
	struct dbv a[] = { DVS(t->value), DVS(t->now), DVS(c->proj->id), DVS(uid) };

	if ((rc = db_exec(t->st, a, 4, NULL, c->a)) != DB_OK)
		return rc;
	{
		struct dbv d[] = { DVS(c->proj->id), DVS(uid) };
		if ((rc = db_exec(ST_TOKENS_DELETE_IDENT, d, 2, NULL, c->a)) != DB_OK)
			return rc;
	}
	if (t->new_hash) {
		struct dbv p[] = { DVS(t->new_hash), DVS(pw_options_json()), DVS("[]"),
		    DVS(t->now), DVS(t->now), DVS(c->proj->id), DVS(uid) };
		if ((rc = db_exec(ST_USER_SET_PASSWORD, p, 7, NULL, c->a)) != DB_OK)
			return rc;
	}
	if (*t->old) {
		struct dbv r[] = { DVS(t->value), DVS(t->now), DVS(c->proj->id),
		    DVS(uid), DVS(t->old) };
		if ((rc = db_exec(ST_TARGET_RENAME, r, 5, NULL, c->a)) == DB_OK &&
		    db_affected() > 0)
			rc = account_sync_targets(c, uid);
	}
	return rc;
}

/* Reads the caller's password hash and history (USER_SECRET_COLS, which
 * the session check does not read); "" for NULL. */
static enum lk_err load_secrets(struct ctx *c, const char **hash, const char **hist)
{
	struct dbres r;
	struct dbv a[] = { DVS(c->proj->id), DVS(ctx_ucol(c, UC_ID)) };
	enum db_rc rc;

	if ((rc = db_exec(ST_USER_SECRETS, a, 2, &r, c->a)) != DB_OK)
		return ctx_dberr(c, rc);
	*hash = r.nrows == 1 && db_cell(&r, 0, 0) ? db_cell(&r, 0, 0) : "";
	*hist = r.nrows == 1 && db_cell(&r, 0, 1) ? db_cell(&r, 0, 1) : "";
	return LK_OK;
}

/* Checks pw against the caller's stored hash; failures count against the
 * user whatever the IP (SECURITY.md 3). */
static enum lk_err check_password(struct ctx *c, const char *hash, const char *pw)
{
	enum lk_err e;

	if ((e = rl_attempts_check(c, "password", ctx_ucol(c, UC_ID))) != LK_OK)
		return e;
	if (pw == NULL || !pw_verify(hash, pw, strlen(pw))) {
		rl_attempts_fail(c, "password", ctx_ucol(c, UC_ID));
		return E_USER_INVALID_CREDENTIALS;
	}
	return LK_OK;
}

/* Checks the password of a user who has one; for a user without one
 * (anonymous, magic URL...) hashes it as the new password into out.
 * Returns LK_OK, *converted set when out was filled. */
static enum lk_err password_gate(struct ctx *c, const char *pw,
    char out[LK_PW_HASH_MAX], int *converted)
{
	const char *hash, *hist;
	enum lk_err e;

	*converted = 0;
	if ((e = load_secrets(c, &hash, &hist)) != LK_OK)
		return e;
	if (*ctx_ucol(c, UC_PASSWORD_UPDATE) && *hash)
		return check_password(c, hash, pw);
	if (pw_hash(pw, strlen(pw), out) < 0)
		return E_GENERAL_SERVER_ERROR;
	*converted = 1;
	return LK_OK;
}

/* Shared body of PATCH /account/email and /account/phone. */
static enum lk_err change_ident(struct ctx *c, enum stmt_id st, const char *value,
    int ucol)
{
	char hash[LK_PW_HASH_MAX], now[LK_DBTIME_LEN];
	struct ident_tx t;
	struct dbres r;
	int converted;
	enum lk_err e;
	enum db_rc rc;

	if ((e = password_gate(c, ctx_str(c, "password"), hash, &converted)) != LK_OK)
		return e;
	if (st == ST_USER_SET_EMAIL &&
	    (e = check_identity_email(c, value, ctx_ucol(c, UC_ID))) != LK_OK)
		return e;
	{
		struct dbv a[] = { DVS(c->proj->id), DVS(value) };
		if ((rc = db_exec(ST_TARGET_BY_IDENT, a, 2, &r, c->a)) != DB_OK)
			return ctx_dberr(c, rc);
	}
	if (r.nrows)
		return E_USER_TARGET_ALREADY_EXISTS;
	time_db(c->now_ms, now);
	t = (struct ident_tx){ c, st, value, ctx_ucol(c, ucol),
	    converted ? hash : NULL, now };
	ctx_audit(c, ctx_ucol(c, UC_ID), st == ST_USER_SET_EMAIL ? value :
	    ctx_ucol(c, UC_EMAIL), ctx_ucol(c, UC_NAME));
	rc = audit_tx(c, ident_tx, &t);
	if (rc == DB_DUP)
		return st == ST_USER_SET_PHONE ? E_USER_PHONE_ALREADY_EXISTS : E_BAD_REQUEST;
	if (rc != DB_OK)
		return ctx_dberr(c, rc);
	return model_reply_account(c, ctx_ucol(c, UC_ID), 200);
}

enum lk_err h_account_email(struct ctx *c)
{
	char *email = ctx_lower(c, "email");

	return email ? change_ident(c, ST_USER_SET_EMAIL, email, UC_EMAIL)
	    : E_GENERAL_SERVER_ERROR;
}

enum lk_err h_account_phone(struct ctx *c)
{
	return change_ident(c, ST_USER_SET_PHONE, ctx_str(c, "phone"), UC_PHONE);
}

/* Returns 1 when pw matches one of the hashes of the JSON array hist. */
int account_in_history(struct ctx *c, const char *hist, const char *pw)
{
	struct jdoc d;
	int i;

	if (hist == NULL || *hist == '\0' ||
	    jdoc_parse(&d, c->a, hist, strlen(hist)) != JE_OK ||
	    d.t[0].type != JSMN_ARRAY)
		return 0;
	for (i = 1; i < d.n; i++) {
		const char *h = jdoc_str(&d, i, c->a, NULL);
		if (h && pw_verify(h, pw, strlen(pw)))
			return 1;
	}
	return 0;
}

/* Builds the new history JSON: old entries plus hash, keeping the last n. */
char *account_history_push(struct ctx *c, const char *hist, const char *hash, int n)
{
	struct buf b;
	struct jw w;
	struct jdoc d;
	char *out;
	int i, first = 1, count;

	if (n <= 0)
		return arena_strndup(c->a, "[]", 2);
	buf_init(&b, 32768);
	jw_init(&w, &b);
	jw_arr(&w);
	if (hist && *hist && jdoc_parse(&d, c->a, hist, strlen(hist)) == JE_OK &&
	    d.t[0].type == JSMN_ARRAY) {
		count = d.n - 1;
		first = count + 1 > n ? count + 1 - n + 1 : 1;
		for (i = first; i < d.n; i++) {
			const char *h = jdoc_str(&d, i, c->a, NULL);
			if (h)
				jw_strc(&w, h);
		}
	}
	jw_strc(&w, hash);
	jw_arr_end(&w);
	out = b.err ? NULL : arena_strndup(c->a, b.data, b.len);
	buf_free(&b);
	return out;
}

/* Arguments of the password change transaction. */
struct pw_tx {
	struct ctx *c;        /* request */
	const char *hash;     /* new PHC string */
	const char *history;  /* new history JSON */
	const char *now;      /* database time */
};

/* Stores the password, drops login tokens and the other sessions. */
static enum db_rc pw_tx(void *arg)
{
	struct pw_tx *t = arg;
	struct ctx *c = t->c;
	const char *uid = ctx_ucol(c, UC_ID);
	struct dbv p[] = { DVS(t->hash), DVS(pw_options_json()), DVS(t->history),
	    DVS(t->now), DVS(t->now), DVS(c->proj->id), DVS(uid) };
	struct dbv k[] = { DVS(c->proj->id), DVS(uid) };
	enum db_rc rc;

	if ((rc = db_exec(ST_USER_SET_PASSWORD, p, 7, NULL, c->a)) != DB_OK ||
	    (rc = db_exec(ST_TOKENS_DELETE_LOGIN, k, 2, NULL, c->a)) != DB_OK)
		return rc;
	if (c->proj->invalidate_sessions && c->have_session) {
		struct dbv s[] = { DVS(c->proj->id), DVS(uid), DVS(ctx_scol(c, AS_ID)) };
		rc = db_exec(ST_SESSIONS_DELETE_OTHERS, s, 3, NULL, c->a);
	}
	return rc;
}

enum lk_err h_account_password(struct ctx *c)
{
	const char *pw = ctx_str(c, "password"), *old = ctx_str(c, "oldPassword");
	char hash[LK_PW_HASH_MAX], now[LK_DBTIME_LEN];
	const char *stored, *hist;
	struct pw_tx t;
	enum db_rc rc;
	enum lk_err e;

	if ((e = load_secrets(c, &stored, &hist)) != LK_OK)
		return e;
	if (*ctx_ucol(c, UC_PASSWORD_UPDATE) && *stored &&
	    (e = check_password(c, stored, old)) != LK_OK)
		return e;
	if (c->proj->pw_history > 0 && account_in_history(c, hist, pw))
		return E_PASSWORD_RECENTLY_USED;
	if (c->proj->personal_data && has_personal_data(pw, ctx_ucol(c, UC_ID),
	    ctx_ucol(c, UC_EMAIL), ctx_ucol(c, UC_NAME), ctx_ucol(c, UC_PHONE)))
		return E_PASSWORD_PERSONAL_DATA;
	if (pw_hash(pw, strlen(pw), hash) < 0)
		return E_GENERAL_SERVER_ERROR;
	time_db(c->now_ms, now);
	t = (struct pw_tx){ c, hash, account_history_push(c, hist, hash, c->proj->pw_history), now };
	if (t.history == NULL)
		return E_GENERAL_SERVER_ERROR;
	ctx_audit(c, ctx_ucol(c, UC_ID), ctx_ucol(c, UC_EMAIL), ctx_ucol(c, UC_NAME));
	if ((rc = audit_tx(c, pw_tx, &t)) != DB_OK)
		return ctx_dberr(c, rc);
	return model_reply_account(c, ctx_ucol(c, UC_ID), 200);
}

enum lk_err h_account_prefs_get(struct ctx *c)
{
	ctx_json(c, 200);
	model_prefs(&c->w, &c->user, 0);
	return LK_OK;
}

enum lk_err h_account_prefs(struct ctx *c)
{
	const struct http_param *p = http_param(&c->r, "prefs");
	struct buf b;
	struct jw w;
	enum lk_err e;
	char *json;

	/* re-emit through the writer: what is stored is canonical JSON */
	buf_init(&b, LK_MAX_PREFS);
	jw_init(&w, &b);
	if (p->kind == PK_ARRAY)
		buf_adds(&b, "{}");
	else if (jdoc_emit(&c->r.doc, p->tok, &w, c->a) < 0)
		b.err = 1;
	if (b.err) {
		buf_free(&b);
		return ctx_fail(c, E_ARGUMENT_INVALID, "Invalid `prefs` param: "
		    "Value must be a valid object.");
	}
	json = arena_strndup(c->a, b.data, b.len);
	buf_free(&b);
	if (json == NULL)
		return E_GENERAL_SERVER_ERROR;
	e = update_user(c, ST_USER_SET_PREFS, json, UC_PREFS, json);
	return e;
}

enum lk_err h_account_status(struct ctx *c)
{
	char now[LK_DBTIME_LEN];
	struct dbv a[3];
	enum db_rc rc;

	time_db(c->now_ms, now);
	a[0] = DVS(now);
	a[1] = DVS(c->proj->id);
	a[2] = DVS(ctx_ucol(c, UC_ID));
	if ((rc = db_exec(ST_USER_BLOCK, a, 3, NULL, c->a)) != DB_OK)
		return ctx_dberr(c, rc);
	ctx_clear_session_cookie(c);
	ctx_audit(c, ctx_ucol(c, UC_ID), ctx_ucol(c, UC_EMAIL), ctx_ucol(c, UC_NAME));
	return model_reply_account(c, ctx_ucol(c, UC_ID), 200);
}

/* Returns 0 when the `total` parameter asks not to count (1.8). */
static int want_total(struct ctx *c)
{
	const struct http_param *p = http_param(&c->r, "total");

	return p == NULL || !(strcmp(p->val, "false") == 0 || strcmp(p->val, "0") == 0);
}

enum lk_err h_account_logs(struct ctx *c)
{
	struct qlist q;
	char err[200];
	struct dbres r, n;
	enum db_rc rc;
	int i;
	struct dbv k[] = { DVS(c->proj->id), DVS(ctx_ucol(c, UC_ID)) };

	if (query_parse(c->a, http_param(&c->r, "queries"), NULL, &q, err, sizeof err) < 0)
		return ctx_fail(c, E_ARGUMENT_INVALID, "Invalid `queries` param: "
		    "Invalid query: %s", err);
	{
		struct dbv a[] = { k[0], k[1], DVI(q.limit), DVI(q.offset) };
		if ((rc = db_exec(ST_LOGS_BY_USER, a, 4, &r, c->a)) != DB_OK)
			return ctx_dberr(c, rc);
	}
	if (want_total(c) && (rc = db_exec(ST_LOGS_COUNT, k, 2, &n, c->a)) != DB_OK)
		return ctx_dberr(c, rc);
	ctx_json(c, 200);
	jw_obj(&c->w);
	jw_kint(&c->w, "total", want_total(c) ? strtol(db_cell(&n, 0, 0), NULL, 10) : 0);
	jw_key(&c->w, "logs");
	jw_arr(&c->w);
	for (i = 0; i < r.nrows; i++)
		model_log(&c->w, &r, i);
	jw_arr_end(&c->w);
	jw_obj_end(&c->w);
	return LK_OK;
}

/* Filter/order attributes of identities, in ST_IDENTITIES_BY_USER columns. */
static const char *const identity_attrs[] = { "$id", "$createdAt", "$updatedAt",
	"userId", "provider", "providerUid", "providerEmail", "providerAccessToken",
	"providerAccessTokenExpiry", "providerRefreshToken", NULL };

/* Returns 1 when identity row i passes every filter of q. */
static int identity_passes(const struct qlist *q, const struct dbres *r, int i)
{
	int f;

	for (f = 0; f < q->nfilters; f++)
		if (!query_match(&q->f[f], db_cell(r, i, q->f[f].attr)))
			return 0;
	return 1;
}

enum lk_err h_account_identities(struct ctx *c)
{
	struct qlist q;
	char err[200];
	struct dbres r;
	enum db_rc rc;
	int i, total = 0, shown = 0, skipped = 0, start = 0;
	struct dbv k[] = { DVS(c->proj->id), DVS(ctx_ucol(c, UC_ID)) };

	if (query_parse(c->a, http_param(&c->r, "queries"), identity_attrs, &q,
	    err, sizeof err) < 0)
		return ctx_fail(c, E_ARGUMENT_INVALID, "Invalid `queries` param: "
		    "Invalid query: %s", err);
	if ((rc = db_exec(ST_IDENTITIES_BY_USER, k, 2, &r, c->a)) != DB_OK)
		return ctx_dberr(c, rc);
	if (q.cursor) {
		for (i = 0; i < r.nrows; i++)
			if (strcmp(db_cell(&r, i, 0), q.cursor) == 0)
				break;
		if (i == r.nrows)
			return E_CURSOR_NOT_FOUND;
		start = q.cursor_before ? 0 : i + 1;
	}
	ctx_json(c, 200);
	jw_obj(&c->w);
	for (i = 0; i < r.nrows; i++)
		total += identity_passes(&q, &r, i);
	jw_kint(&c->w, "total", want_total(c) ? total : 0);
	jw_key(&c->w, "identities");
	jw_arr(&c->w);
	for (i = start; i < r.nrows && shown < q.limit; i++) {
		if (!identity_passes(&q, &r, i) || skipped++ < q.offset)
			continue;
		model_identity(&c->w, &r, i);
		shown++;
	}
	jw_arr_end(&c->w);
	jw_obj_end(&c->w);
	return LK_OK;
}

enum lk_err h_account_identity_delete(struct ctx *c)
{
	const char *id = ctx_str(c, "identityId");
	struct dbres r;
	enum db_rc rc;
	struct dbv a[] = { DVS(c->proj->id), DVS(id) };

	if ((rc = db_exec(ST_IDENTITY_OWNER, a, 2, &r, c->a)) != DB_OK)
		return ctx_dberr(c, rc);
	if (r.nrows == 0)
		return E_USER_IDENTITY_NOT_FOUND;
	if (strcmp(db_cell(&r, 0, 0), ctx_ucol(c, UC_ID)) != 0)
		return E_USER_UNAUTHORIZED;
	{
		struct dbv d[] = { DVS(c->proj->id), DVS(id), DVS(ctx_ucol(c, UC_ID)) };
		if ((rc = db_exec(ST_IDENTITY_DELETE, d, 3, NULL, c->a)) != DB_OK)
			return ctx_dberr(c, rc);
	}
	c->status = 204;
	return LK_OK;
}

enum lk_err h_account_jwt(struct ctx *c)
{
	char tok[LK_JWT_MAX];

	if (!c->have_session)
		return E_USER_SESSION_NOT_FOUND;
	if (jwt_sign(cfg.secret_key, strlen(cfg.secret_key), ctx_ucol(c, UC_ID),
	    ctx_scol(c, AS_ID), c->proj->id, c->now_ms / 1000 + LK_JWT_TTL, tok) < 0)
		return E_GENERAL_SERVER_ERROR;
	ctx_json(c, 201);
	jw_obj(&c->w);
	jw_kstr(&c->w, "jwt", tok);
	jw_obj_end(&c->w);
	return LK_OK;
}
