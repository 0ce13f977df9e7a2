/* api_tokens.c: passwordless sign-in (spec/ACCOUNT_ENDPOINTS.md E22-E24,
 * E29-E31): email codes, magic URLs and phone codes, and turning a token
 * into a session. Messages go through the outbox in the same transaction
 * as the token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "audit.h"
#include "config.h"
#include "crypto.h"
#include "identity.h"
#include "outbox.h"
#include "ratelimit.h"
#include "timeutil.h"
#include "token.h"

/* What a token request needs in its transaction. */
struct tok_tx {
	struct ctx *c;          /* request */
	const char *uid;        /* the user (existing or new) */
	int create;             /* 1: insert the user first */
	const char *email;      /* new user's email, or NULL */
	const char *phone;      /* new user's phone, or NULL */
	struct token t;         /* the token */
	int channel;            /* 0 none (mock number), 1 email, 2 SMS */
	const char *to;         /* recipient */
	const char *to_name;    /* recipient name */
	enum tmpl_type et;      /* email template */
	enum sms_tmpl_type st;  /* SMS template */
	struct tmpl_var vars[10]; /* template variables */
	int nvars;              /* how many */
	int dup;                /* out: the user insert clashed */
};

/* Inserts the user (when new) and its target, the token and the message. */
static enum db_rc tok_tx(void *arg)
{
	struct tok_tx *t = arg;
	struct ctx *c = t->c;
	enum db_rc rc;

	if (t->create) {
		struct new_user n = { t->uid, NULL, t->email, t->phone, NULL, NULL,
		    t->email ? "email" : "sms" };
		if ((rc = account_insert_user(c, &n)) != DB_OK) {
			t->dup = rc == DB_DUP;
			return rc;
		}
	}
	if ((rc = token_insert(c, t->uid, &t->t)) != DB_OK)
		return rc;
	if (t->channel == 1)
		return outbox_email(c, t->to, t->to_name, t->et, t->vars, t->nvars);
	if (t->channel == 2)
		return outbox_sms(c, t->to, t->st, t->vars, t->nvars);
	return DB_OK;
}

/* Finds the user by email or phone (ST_USER_BY_EMAIL / _BY_PHONE) into u. */
static enum lk_err find_user(struct ctx *c, enum stmt_id st, const char *key,
    struct dbres *u)
{
	struct dbv a[] = { DVS(c->proj->id), DVS(key) };
	enum db_rc rc = db_exec(st, a, 2, u, c->a);

	return rc == DB_OK ? LK_OK : ctx_dberr(c, rc);
}

/* Checks the user limit and picks the new user's ID from userId. */
static enum lk_err new_user_id(struct ctx *c, char gen[21], const char **uid)
{
	enum lk_err e;

	if ((e = account_check_user_limit(c)) != LK_OK)
		return e;
	*uid = ctx_str(c, "userId");
	if (strcmp(*uid, "unique()") == 0) {
		if (crypto_unique_id(gen) < 0)
			return E_GENERAL_SERVER_ERROR;
		*uid = gen;
	}
	return LK_OK;
}

/* Runs the transaction and answers 201 with the Token. shown: what a
 * privileged caller sees as `secret`. */
static enum lk_err finish(struct ctx *c, struct tok_tx *t, const char *shown,
    const char *phrase, const char *email, const char *name)
{
	char created[LK_ISOTIME_LEN], expire[LK_ISOTIME_LEN];
	enum db_rc rc;

	ctx_audit(c, arena_strndup(c->a, t->uid, strlen(t->uid)), email, name);
	rc = audit_tx(c, tok_tx, t);

	if (rc == DB_DUP && t->dup)
		return E_DOCUMENT_ALREADY_EXISTS;
	if (rc != DB_OK) {
		crypto_wipe(t->t.secret, sizeof t->t.secret);
		return ctx_dberr(c, rc);
	}
	time_iso(t->t.created_ms, created);
	time_iso(t->t.expire_ms, expire);
	ctx_json(c, 201);
	token_model(c, t->t.id, created, t->uid, shown, expire, phrase);
	crypto_wipe(t->t.secret, sizeof t->t.secret);
	return LK_OK;
}

/* Shared body of the email code and magic URL routes. */
static enum lk_err email_token(struct ctx *c, int magic)
{
	char *email = ctx_lower(c, "email"), gen[21];
	const char *phrase = ctx_bool(c, "phrase") ? token_phrase(c->a) : "";
	const char *url = ctx_str(c, "url");
	struct tok_tx t;
	struct dbres u, idr;
	enum lk_err e;

	if (!outbox_mail_ready(c))
		return E_SMTP_DISABLED;
	if (email == NULL)
		return E_GENERAL_SERVER_ERROR;
	memset(&t, 0, sizeof t);
	t.c = c;
	if ((e = find_user(c, ST_USER_BY_EMAIL, email, &u)) != LK_OK)
		return e;
	if (u.nrows == 1) {
		t.uid = db_cell(&u, 0, UC_ID);
		t.to_name = db_cell(&u, 0, UC_NAME);
	} else {
		struct dbv a[] = { DVS(c->proj->id), DVS(email), DVS("") };
		if (db_exec(ST_IDENTITY_BY_EMAIL, a, 3, &idr, c->a) != DB_OK)
			return E_SERVICE_UNAVAILABLE;
		if (idr.nrows)
			return magic ? E_USER_EMAIL_ALREADY_EXISTS : E_BAD_REQUEST;
		if ((e = new_user_id(c, gen, &t.uid)) != LK_OK)
			return e;
		t.create = 1;
		t.email = email;
		t.to_name = "";
	}
	if ((magic ? token_make(&t.t, TK_MAGIC, 64, 0, NULL, c->now_ms, (int)cfg.magic_url_ttl)
	    : token_make(&t.t, TK_EMAIL_OTP, 0, 1, NULL, c->now_ms, (int)cfg.otp_ttl)) < 0)
		return E_GENERAL_SERVER_ERROR;
	t.channel = 1;
	t.to = email;
	t.et = magic ? TM_MAGIC_SESSION : TM_OTP_SESSION;
	t.vars[t.nvars++] = (struct tmpl_var){ "user", t.to_name };
	t.vars[t.nvars++] = (struct tmpl_var){ "project", c->proj->name };
	t.vars[t.nvars++] = (struct tmpl_var){ "phrase", phrase };
	outbox_agent_vars(c, t.vars, &t.nvars);
	if (magic) {
		char exp[LK_ISOTIME_LEN], *link, deflt[sizeof cfg.public_origin + 32];
		/* the configured endpoint, never the request's Host (SECURITY.md 19) */
		snprintf(deflt, sizeof deflt, "%s/console/auth/magic-url", cfg.public_origin);
		time_iso(t.t.expire_ms, exp);
		link = token_link(c->a, url && *url ? url : deflt, t.uid, t.t.secret, exp,
		    c->proj->id);
		if (link == NULL)
			return E_ARGUMENT_INVALID;
		t.vars[t.nvars++] = (struct tmpl_var){ "redirect", link };
	} else
		t.vars[t.nvars++] = (struct tmpl_var){ "otp", t.t.secret };
	return finish(c, &t, t.t.secret, phrase, email,
	    u.nrows == 1 ? db_cell(&u, 0, UC_NAME) : "");
}

enum lk_err h_tokens_email(struct ctx *c)
{
	return email_token(c, 0);
}

enum lk_err h_tokens_magic_url(struct ctx *c)
{
	return email_token(c, 1);
}

enum lk_err h_tokens_phone(struct ctx *c)
{
	const char *phone = ctx_str(c, "phone"), *mock;
	char gen[21], shown[256];
	struct tok_tx t;
	struct dbres u;
	enum lk_err e;

	if (!outbox_sms_ready(c))
		return E_PHONE_DISABLED;
	memset(&t, 0, sizeof t);
	t.c = c;
	if ((e = find_user(c, ST_USER_BY_PHONE, phone, &u)) != LK_OK)
		return e;
	if (u.nrows == 1)
		t.uid = db_cell(&u, 0, UC_ID);
	else {
		if ((e = new_user_id(c, gen, &t.uid)) != LK_OK)
			return e;
		t.create = 1;
		t.phone = phone;
	}
	mock = token_mock_otp(c, phone);
	if (token_make(&t.t, TK_PHONE, 0, 1, mock, c->now_ms, (int)cfg.otp_ttl) < 0)
		return E_GENERAL_SERVER_ERROR;
	t.channel = mock ? 0 : 2;
	t.to = phone;
	t.st = SMS_TM_LOGIN;
	t.vars[t.nvars++] = (struct tmpl_var){ "project", c->proj->name };
	t.vars[t.nvars++] = (struct tmpl_var){ "secret", t.t.secret };
	t.vars[t.nvars++] = (struct tmpl_var){ "otp", t.t.secret };
	/* keys see the encoded {"id","secret"} form (CONTRACT 4.3 Token) */
	if (ident_token_encode(t.uid, t.t.secret, shown, sizeof shown) < 0)
		return E_GENERAL_SERVER_ERROR;
	e = finish(c, &t, shown, "", u.nrows == 1 ? db_cell(&u, 0, UC_EMAIL) : "",
	    u.nrows == 1 ? db_cell(&u, 0, UC_NAME) : "");
	crypto_wipe(shown, sizeof shown);
	return e;
}

/* Consumption of the token inside the session transaction. */
struct consume_tx {
	struct ctx *c;        /* request */
	const char *uid;      /* owner */
	const char *id;       /* token ID */
	const char *hash;     /* its stored hash */
	enum stmt_id verify;  /* ST_USER_VERIFY_EMAIL/PHONE, or ST__COUNT for none */
	int lost;             /* out: somebody consumed it first */
};

/* Deletes the token (once), marks the address verified and drops the
 * user's other sign-in tokens (SECURITY.md 15). */
static enum db_rc consume_tx(void *arg)
{
	struct consume_tx *t = arg;
	struct ctx *c = t->c;
	char now[LK_DBTIME_LEN];
	enum db_rc rc;

	if ((rc = token_consume(c, t->id, t->hash)) != DB_OK) {
		t->lost = rc == DB_FAIL;
		return rc;
	}
	time_db(c->now_ms, now);
	if (t->verify != ST__COUNT) {
		struct dbv v[] = { DVS(now), DVS(c->proj->id), DVS(t->uid) };
		if ((rc = db_exec(t->verify, v, 3, NULL, c->a)) != DB_OK)
			return rc;
	}
	{
		struct dbv d[] = { DVS(c->proj->id), DVS(t->uid) };
		return db_exec(ST_TOKENS_DELETE_SIGNIN, d, 2, NULL, c->a);
	}
}

enum lk_err h_sessions_token(struct ctx *c)
{
	const char *uid = ctx_str(c, "userId"), *secret = ctx_str(c, "secret");
	const char *provider, *factors;
	struct consume_tx t;
	struct dbres u, tok;
	enum lk_err e;
	int type;

	if ((e = rl_attempts_check(c, "token", uid)) != LK_OK)
		return e;
	if ((e = find_user(c, ST_USER_GET, uid, &u)) != LK_OK ||
	    (u.nrows == 1 && (e = token_find(c, uid, secret, &tok)) != LK_OK))
		return e;
	if (u.nrows != 1 || tok.nrows != 1) {
		rl_attempts_fail(c, "token", uid);
		return E_USER_INVALID_TOKEN;
	}
	type = (int)strtol(db_cell(&tok, 0, 1), NULL, 10);
	memset(&t, 0, sizeof t);
	t.verify = ST__COUNT;
	switch (type) {
	case TK_MAGIC: provider = "magic-url"; factors = "[\"email\"]"; t.verify = ST_USER_VERIFY_EMAIL; break;
	case TK_EMAIL_OTP: provider = "token"; factors = "[\"email\"]"; t.verify = ST_USER_VERIFY_EMAIL; break;
	case TK_PHONE: provider = "phone"; factors = "[\"phone\"]"; t.verify = ST_USER_VERIFY_PHONE; break;
	case TK_OAUTH: provider = "oauth2"; factors = "[\"email\"]"; break;
	case TK_GENERIC: provider = "token"; factors = "[\"token\"]"; break;
	default:
		rl_attempts_fail(c, "token", uid);
		return E_USER_INVALID_TOKEN;
	}
	if (strcmp(db_cell(&u, 0, UC_STATUS), "1") != 0)
		return E_USER_BLOCKED;
	t.c = c;
	t.uid = db_cell(&u, 0, UC_ID);
	t.id = db_cell(&tok, 0, 0);
	t.hash = db_cell(&tok, 0, 4);
	ctx_audit(c, t.uid, db_cell(&u, 0, UC_EMAIL), db_cell(&u, 0, UC_NAME));
	e = session_issue(c, t.uid, provider, "", factors, consume_tx, &t);
	if (e != LK_OK && t.lost)
		return E_USER_INVALID_TOKEN;
	if (e == LK_OK) {
		/* alerts for phone, OAuth2 and server tokens, not email links/codes */
		if (type == TK_PHONE || type == TK_OAUTH || type == TK_GENERIC)
			session_alert(c, t.uid, db_cell(&u, 0, UC_EMAIL), db_cell(&u, 0, UC_NAME));
	}
	return e;
}
