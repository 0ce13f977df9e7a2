/* api_verify.c: password recovery and email/phone verification
 * (spec/ACCOUNT_ENDPOINTS.md E32-E37; SECURITY.md 3, 5, 6, 7). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "audit.h"
#include "config.h"
#include "crypto.h"
#include "outbox.h"
#include "pw.h"
#include "ratelimit.h"
#include "timeutil.h"
#include "token.h"

/* A token request with its message, written in one transaction. */
struct msg_tx {
	struct ctx *c;            /* request */
	const char *uid;          /* owner */
	struct token t;           /* the token */
	int sms;                  /* 1: SMS, 0: email */
	int send;                 /* 0: nothing to send (mock number) */
	const char *to;           /* recipient */
	const char *to_name;      /* recipient name */
	int type;                 /* enum tmpl_type or enum sms_tmpl_type */
	struct tmpl_var vars[4];  /* template variables */
	int nvars;                /* how many */
};

/* Inserts the token and queues its message. */
static enum db_rc msg_tx(void *arg)
{
	struct msg_tx *m = arg;
	enum db_rc rc = token_insert(m->c, m->uid, &m->t);

	if (rc != DB_OK || !m->send)
		return rc;
	return m->sms ? outbox_sms(m->c, m->to, (enum sms_tmpl_type)m->type, m->vars, m->nvars)
	    : outbox_email(m->c, m->to, m->to_name, (enum tmpl_type)m->type, m->vars, m->nvars);
}

/* Commits m and answers 201 with its Token; audit actor uid. */
static enum lk_err send_token(struct ctx *c, struct msg_tx *m, const char *email,
    const char *name)
{
	char created[LK_ISOTIME_LEN], expire[LK_ISOTIME_LEN];
	enum db_rc rc;

	ctx_audit(c, m->uid, email, name);
	rc = audit_tx(c, msg_tx, m);

	if (rc != DB_OK) {
		crypto_wipe(m->t.secret, sizeof m->t.secret);
		return ctx_dberr(c, rc);
	}
	time_iso(m->t.created_ms, created);
	time_iso(m->t.expire_ms, expire);
	ctx_json(c, 201);
	token_model(c, m->t.id, created, m->uid, m->t.secret, expire, "");
	crypto_wipe(m->t.secret, sizeof m->t.secret);
	return LK_OK;
}

/* Adds the link variables of a recovery/verification email. */
static enum lk_err link_vars(struct ctx *c, struct msg_tx *m, const char *name)
{
	char exp[LK_DBTIME_LEN], *link;

	/* 1.6 links carry the database form of the expiry (CONTRACT 6.1) */
	time_db(m->t.expire_ms, exp);
	if ((link = token_link(c->a, ctx_str(c, "url"), m->uid, m->t.secret, exp, NULL)) == NULL)
		return ctx_fail(c, E_ARGUMENT_INVALID, "Invalid `url` param: URL is too long");
	m->vars[m->nvars++] = (struct tmpl_var){ "user", name };
	m->vars[m->nvars++] = (struct tmpl_var){ "project", c->proj->name };
	m->vars[m->nvars++] = (struct tmpl_var){ "redirect", link };
	return LK_OK;
}

/* Answers like a real recovery without doing anything (SECURITY.md 5). */
static enum lk_err fake_recovery(struct ctx *c)
{
	char id[21], created[LK_ISOTIME_LEN], expire[LK_ISOTIME_LEN], uid[21];

	if (crypto_unique_id(id) < 0 || crypto_unique_id(uid) < 0)
		return E_GENERAL_SERVER_ERROR;
	time_iso(c->now_ms, created);
	time_iso(c->now_ms + cfg.recovery_ttl * 1000, expire);
	ctx_json(c, 201);
	token_model(c, id, created, uid, "", expire, "");
	return LK_OK;
}

enum lk_err h_recovery_create(struct ctx *c)
{
	char *email = ctx_lower(c, "email");
	struct msg_tx m;
	struct dbres u;
	enum lk_err e;
	enum db_rc rc;

	if (!outbox_mail_ready(c))
		return E_SMTP_DISABLED;
	if (email == NULL)
		return E_GENERAL_SERVER_ERROR;
	{
		struct dbv a[] = { DVS(c->proj->id), DVS(email) };
		if ((rc = db_exec(ST_USER_BY_EMAIL, a, 2, &u, c->a)) != DB_OK)
			return ctx_dberr(c, rc);
	}
	if (u.nrows != 1 || strcmp(db_cell(&u, 0, UC_STATUS), "1") != 0) {
		if (!c->proj->recovery_oracle)
			return fake_recovery(c);
		return u.nrows != 1 ? E_USER_NOT_FOUND : E_USER_BLOCKED;
	}
	memset(&m, 0, sizeof m);
	m.c = c;
	m.uid = db_cell(&u, 0, UC_ID);
	if (token_make(&m.t, TK_RECOVERY, 256, 0, NULL, c->now_ms, (int)cfg.recovery_ttl) < 0)
		return E_GENERAL_SERVER_ERROR;
	m.send = 1;
	m.to = email;
	m.to_name = db_cell(&u, 0, UC_NAME);
	m.type = TM_RECOVERY;
	if ((e = link_vars(c, &m, m.to_name)) != LK_OK)
		return e;
	return send_token(c, &m, email, m.to_name);
}

/* Looks up the user and an unexpired token of the given type for a PUT
 * route, counting failures against the user ID (SECURITY.md 3), known or
 * not. */
static enum lk_err redeem(struct ctx *c, int type, struct dbres *u, struct dbres *tok)
{
	const char *uid = ctx_str(c, "userId"), *secret = ctx_str(c, "secret");
	enum lk_err e;
	enum db_rc rc;

	if ((e = rl_attempts_check(c, "token", uid)) != LK_OK)
		return e;
	{
		struct dbv a[] = { DVS(c->proj->id), DVS(uid) };
		if ((rc = db_exec(ST_USER_GET, a, 2, u, c->a)) != DB_OK)
			return ctx_dberr(c, rc);
	}
	/* an unknown user is answered exactly like a wrong secret, after the
	 * same work: no account oracle (SECURITY.md 5) */
	if ((e = token_find(c, uid, secret, tok)) != LK_OK)
		return e;
	if (u->nrows != 1 && c->proj->recovery_oracle)
		return E_USER_NOT_FOUND;  /* the project asked for Appwrite's answers */
	if (u->nrows != 1 || tok->nrows != 1 ||
	    strtol(db_cell(tok, 0, 1), NULL, 10) != type) {
		rl_attempts_fail(c, "token", uid);
		return E_USER_INVALID_TOKEN;
	}
	return LK_OK;
}

/* Answers 200 with the consumed token. */
static enum lk_err consumed(struct ctx *c, const struct dbres *tok, const char *uid)
{
	ctx_json(c, 200);
	token_model(c, db_cell(tok, 0, 0), db_cell(tok, 0, 2), uid, "", db_cell(tok, 0, 3), "");
	return LK_OK;
}

/* The password reset transaction. */
struct reset_tx {
	struct ctx *c;        /* request */
	const char *uid;      /* user */
	const char *id;       /* recovery token */
	const char *hash;     /* its stored hash */
	const char *pw_hash;  /* new PHC string */
	const char *history;  /* new history JSON */
	int lost;             /* out: the token was consumed by someone else */
};

/* Consumes the token, sets the password (and emailVerification), drops
 * every outstanding recovery/magic/OTP token and the user's sessions. */
static enum db_rc reset_tx(void *arg)
{
	struct reset_tx *t = arg;
	struct ctx *c = t->c;
	char now[LK_DBTIME_LEN];
	enum db_rc rc;
	struct dbv k[] = { DVS(c->proj->id), DVS(t->uid) };

	if ((rc = token_consume(c, t->id, t->hash)) != DB_OK) {
		t->lost = rc == DB_FAIL;
		return rc;
	}
	time_db(c->now_ms, now);
	{
		struct dbv p[] = { DVS(t->pw_hash), DVS(pw_options_json()), DVS(t->history),
		    DVS(now), DVS(now), DVS(c->proj->id), DVS(t->uid) };
		struct dbv v[] = { DVS(now), DVS(c->proj->id), DVS(t->uid) };
		if ((rc = db_exec(ST_USER_SET_PASSWORD, p, 7, NULL, c->a)) != DB_OK ||
		    (rc = db_exec(ST_USER_VERIFY_EMAIL, v, 3, NULL, c->a)) != DB_OK ||
		    (rc = db_exec(ST_TOKENS_DELETE_LOGIN, k, 2, NULL, c->a)) != DB_OK)
			return rc;
	}
	if (c->proj->invalidate_sessions)
		rc = db_exec(ST_SESSIONS_DELETE_ALL, k, 2, NULL, c->a);
	return rc;
}

enum lk_err h_recovery_update(struct ctx *c)
{
	const char *pw = ctx_str(c, "password");
	char hash[LK_PW_HASH_MAX];
	struct reset_tx t;
	struct dbres u, tok;
	enum lk_err e;
	enum db_rc rc;

	if ((e = redeem(c, TK_RECOVERY, &u, &tok)) != LK_OK)
		return e;
	if (c->proj->pw_history > 0 &&
	    account_in_history(c, db_cell(&u, 0, UC_PW_HISTORY), pw))
		return E_PASSWORD_RECENTLY_USED;
	if (pw_hash(pw, strlen(pw), hash) < 0)
		return E_GENERAL_SERVER_ERROR;
	memset(&t, 0, sizeof t);
	t.c = c;
	t.uid = db_cell(&u, 0, UC_ID);
	t.id = db_cell(&tok, 0, 0);
	t.hash = db_cell(&tok, 0, 4);
	t.pw_hash = hash;
	t.history = account_history_push(c, db_cell(&u, 0, UC_PW_HISTORY), hash,
	    c->proj->pw_history);
	if (t.history == NULL)
		return E_GENERAL_SERVER_ERROR;
	ctx_audit(c, t.uid, db_cell(&u, 0, UC_EMAIL), db_cell(&u, 0, UC_NAME));
	rc = audit_tx(c, reset_tx, &t);
	if (t.lost)
		return E_USER_INVALID_TOKEN;
	if (rc != DB_OK)
		return ctx_dberr(c, rc);
	return consumed(c, &tok, t.uid);
}

enum lk_err h_verification_create(struct ctx *c)
{
	struct msg_tx m;
	enum lk_err e;

	if (!outbox_mail_ready(c))
		return E_SMTP_DISABLED;
	if (*ctx_ucol(c, UC_EMAIL) == '\0')
		return E_USER_EMAIL_NOT_FOUND;
	if (ctx_uflag(c, UC_EMAIL_VER))
		return E_USER_EMAIL_ALREADY_VERIFIED;
	memset(&m, 0, sizeof m);
	m.c = c;
	m.uid = ctx_ucol(c, UC_ID);
	if (token_make(&m.t, TK_VERIFICATION, 256, 0, NULL, c->now_ms, (int)cfg.verification_ttl) < 0)
		return E_GENERAL_SERVER_ERROR;
	m.send = 1;
	m.to = ctx_ucol(c, UC_EMAIL);
	m.to_name = ctx_ucol(c, UC_NAME);
	m.type = TM_VERIFICATION;
	if ((e = link_vars(c, &m, m.to_name)) != LK_OK)
		return e;
	return send_token(c, &m, m.to, m.to_name);
}

enum lk_err h_verification_phone_create(struct ctx *c)
{
	const char *phone = ctx_ucol(c, UC_PHONE), *mock;
	struct msg_tx m;

	if (!outbox_sms_ready(c))
		return E_PHONE_DISABLED;
	if (*phone == '\0')
		return E_USER_PHONE_NOT_FOUND;
	if (ctx_uflag(c, UC_PHONE_VER))
		return E_USER_PHONE_ALREADY_VERIFIED;
	memset(&m, 0, sizeof m);
	m.c = c;
	m.uid = ctx_ucol(c, UC_ID);
	mock = token_mock_otp(c, phone);
	if (token_make(&m.t, TK_PHONE, 0, 1, mock, c->now_ms, (int)cfg.verification_ttl) < 0)
		return E_GENERAL_SERVER_ERROR;
	m.sms = 1;
	m.send = mock == NULL;
	m.to = phone;
	m.type = SMS_TM_VERIFICATION;
	m.vars[m.nvars++] = (struct tmpl_var){ "project", c->proj->name };
	m.vars[m.nvars++] = (struct tmpl_var){ "secret", m.t.secret };
	m.vars[m.nvars++] = (struct tmpl_var){ "otp", m.t.secret };
	return send_token(c, &m, ctx_ucol(c, UC_EMAIL), ctx_ucol(c, UC_NAME));
}

/* The verification transaction: consume the token, set the flag. */
struct verify_tx {
	struct ctx *c;       /* request */
	const char *uid;     /* user */
	const char *id;      /* token */
	const char *hash;    /* its stored hash */
	enum stmt_id st;     /* ST_USER_VERIFY_EMAIL / _PHONE */
	int lost;            /* out: consumed by someone else */
};

/* Runs the verification. */
static enum db_rc verify_tx(void *arg)
{
	struct verify_tx *t = arg;
	char now[LK_DBTIME_LEN];
	enum db_rc rc;

	if ((rc = token_consume(t->c, t->id, t->hash)) != DB_OK) {
		t->lost = rc == DB_FAIL;
		return rc;
	}
	time_db(t->c->now_ms, now);
	{
		struct dbv v[] = { DVS(now), DVS(t->c->proj->id), DVS(t->uid) };
		return db_exec(t->st, v, 3, NULL, t->c->a);
	}
}

/* Shared body of PUT /account/verification and /verification/phone. */
static enum lk_err verify(struct ctx *c, int type, enum stmt_id st)
{
	struct verify_tx t;
	struct dbres u, tok;
	enum lk_err e;
	enum db_rc rc;

	if ((e = redeem(c, type, &u, &tok)) != LK_OK)
		return e;
	memset(&t, 0, sizeof t);
	t.c = c;
	t.uid = db_cell(&u, 0, UC_ID);
	t.id = db_cell(&tok, 0, 0);
	t.hash = db_cell(&tok, 0, 4);
	t.st = st;
	ctx_audit(c, t.uid, db_cell(&u, 0, UC_EMAIL), db_cell(&u, 0, UC_NAME));
	rc = audit_tx(c, verify_tx, &t);
	if (t.lost)
		return E_USER_INVALID_TOKEN;
	if (rc != DB_OK)
		return ctx_dberr(c, rc);
	return consumed(c, &tok, t.uid);
}

enum lk_err h_verification_update(struct ctx *c)
{
	return verify(c, TK_VERIFICATION, ST_USER_VERIFY_EMAIL);
}

enum lk_err h_verification_phone_update(struct ctx *c)
{
	return verify(c, TK_PHONE, ST_USER_VERIFY_PHONE);
}
