/* api_mfa_challenge.c: MFA challenges (E46, E47): asked for by a session,
 * answered once. An answer is recorded by one statement that marks the
 * challenge used, gives the session its factor and (TOTP) takes the step,
 * only while both are unused; recovery codes are taken out of the locked
 * user row. Its row count decides races: one answer elevates one session. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "api_mfa.h"
#include "audit.h"
#include "config.h"
#include "factors.h"
#include "model.h"
#include "outbox.h"
#include "ratelimit.h"
#include "timeutil.h"
#include "token.h"

/* ---- E46 POST /account/mfa/challenge ---- */

/* The factor names a challenge can name (case-insensitive, E46). */
static const char *const challenge_factors[] = { "email", "phone", "totp", "recoverycode" };

/* The challenge being made. */
struct challenge_tx {
	struct ctx *c;                /* request */
	const char *type;             /* factor as sent */
	struct token t;               /* id, code, its hash, times */
	int channel;                  /* 0 none, 1 email, 2 SMS */
	struct tmpl_var vars[8];      /* message variables */
	int nvars;
};

static enum db_rc challenge_tx(void *arg)
{
	struct challenge_tx *t = arg;
	struct ctx *c = t->c;
	char now[LK_DBTIME_LEN], expire[LK_DBTIME_LEN];
	const char *uid = ctx_ucol(c, UC_ID);
	enum db_rc rc;

	time_db(c->now_ms, now);
	time_db(t->t.expire_ms, expire);
	{
		struct dbv g[] = { DVS(c->proj->id), DVS(uid), DVS(now) };
		if ((rc = db_exec(ST_CHALLENGES_EXPIRED, g, 3, NULL, c->a)) != DB_OK)
			return rc;
	}
	{
		struct dbv a[] = { DVS(c->proj->id), DVS(t->t.id), DVS(uid),
		    DVS(c->have_session ? ctx_scol(c, AS_ID) : NULL), DVS(t->type),
		    DVS(t->channel ? t->t.hash : NULL), DVS(expire), DVS(now) };
		if ((rc = db_exec(ST_CHALLENGE_INSERT, a, 8, NULL, c->a)) != DB_OK)
			return rc;
	}
	if (t->channel == 1)
		return outbox_email(c, ctx_ucol(c, UC_EMAIL), ctx_ucol(c, UC_NAME),
		    TM_MFA_CHALLENGE, t->vars, t->nvars);
	if (t->channel == 2)
		return outbox_sms(c, ctx_ucol(c, UC_PHONE), SMS_TM_MFA, t->vars, t->nvars);
	return DB_OK;
}

enum lk_err h_mfa_challenge_create(struct ctx *c)
{
	const char *factor = ctx_str(c, "factor");
	struct challenge_tx t;
	char created[LK_ISOTIME_LEN], expire[LK_ISOTIME_LEN];
	size_t i;
	enum db_rc rc;

	memset(&t, 0, sizeof t);
	t.c = c;
	t.type = factor;
	for (i = 0; i < sizeof challenge_factors / sizeof challenge_factors[0]; i++)
		if (strcasecmp(factor, challenge_factors[i]) == 0)
			break;
	if (i == sizeof challenge_factors / sizeof challenge_factors[0])
		return ctx_fail(c, E_ARGUMENT_INVALID, "Invalid `factor` param: Value "
		    "must be one of (email, phone, totp, recoverycode)");
	if (i == 0) {
		if (!outbox_mail_ready(c))
			return E_SMTP_DISABLED;
		if (*ctx_ucol(c, UC_EMAIL) == '\0')
			return E_USER_EMAIL_NOT_FOUND;
		if (!ctx_uflag(c, UC_EMAIL_VER))
			return E_USER_EMAIL_NOT_VERIFIED;
		t.channel = 1;
	} else if (i == 1) {
		if (!outbox_sms_ready(c))
			return E_PHONE_DISABLED;
		if (*ctx_ucol(c, UC_PHONE) == '\0')
			return E_USER_PHONE_NOT_FOUND;
		if (!ctx_uflag(c, UC_PHONE_VER))
			return E_USER_PHONE_NOT_VERIFIED;
		t.channel = 2;
	}
	/* a 6-digit code for email and SMS, stored as its HMAC (token.c) */
	if (token_make(&t.t, 0, 0, 1, NULL, c->now_ms, (int)cfg.mfa_challenge_ttl) < 0)
		return E_GENERAL_SERVER_ERROR;
	t.vars[t.nvars++] = (struct tmpl_var){ "project", c->proj->name };
	t.vars[t.nvars++] = (struct tmpl_var){ "user", ctx_ucol(c, UC_NAME) };
	t.vars[t.nvars++] = (struct tmpl_var){ "otp", t.t.secret };
	t.vars[t.nvars++] = (struct tmpl_var){ "secret", t.t.secret };
	outbox_agent_vars(c, t.vars, &t.nvars);
	ctx_audit(c, ctx_ucol(c, UC_ID), ctx_ucol(c, UC_EMAIL), ctx_ucol(c, UC_NAME));
	rc = audit_tx(c, challenge_tx, &t);
	crypto_wipe(t.t.secret, sizeof t.t.secret);
	if (rc != DB_OK)
		return ctx_dberr(c, rc);
	time_iso(t.t.created_ms, created);
	time_iso(t.t.expire_ms, expire);
	ctx_json(c, 200);
	jw_obj(&c->w);
	jw_kstr(&c->w, "$id", t.t.id);
	jw_kstr(&c->w, "$createdAt", created);
	jw_kstr(&c->w, "userId", ctx_ucol(c, UC_ID));
	jw_kstr(&c->w, "expire", expire);
	jw_obj_end(&c->w);
	return LK_OK;
}

/* ---- E47 PUT /account/mfa/challenge ---- */

/* The answer to a challenge. */
struct answer_tx {
	struct mfa_try v;       /* request, otp, out: refusal */
	const char *id;         /* challengeId */
	char type[LK_FACTOR_NAME]; /* its factor, lower-cased */
	int64_t step;           /* totp: the step the code is good for */
	const char *factors;    /* out: the session's factors after it */
};

/* Checks an email or SMS code against the challenge's stored HMAC. */
static void answer_code(struct answer_tx *t, const char *stored)
{
	char h[65];

	token_code_hash(t->v.otp, h);
	if (stored == NULL || strlen(stored) != 64 || !crypto_ct_eq(h, stored, 64)) {
		t->v.e = E_USER_INVALID_TOKEN;
		t->v.guessed = 1;
	}
}

/* Checks a totp answer against the authenticator read with the challenge
 * (columns 5-7 of ST_CHALLENGE_READ); sets t->step, or t->v.e. No lock is
 * needed: ST_CHALLENGE_DONE_TOTP takes the step only if no one took it
 * first. */
static void answer_totp(struct answer_tx *t, const struct dbres *r)
{
	uint8_t key[TOTP_KEY_MAX];
	const char *sealed = db_cell(r, 0, 5), *ver = db_cell(r, 0, 6);
	ssize_t klen = sealed ? crypto_open(cfg.enc_key, (const uint8_t *)sealed,
	    r->len[5], key, sizeof key) : -1;
	long long last = db_cell(r, 0, 7) ? strtoll(db_cell(r, 0, 7), NULL, 10) : 0;

	t->v.e = E_USER_INVALID_TOKEN;
	if (klen > 0 && ver && strcmp(ver, "1") == 0) {
		if (totp_accept(key, (size_t)klen, t->v.otp, t->v.c->now_ms / 1000, last,
		    &t->step))
			t->v.e = LK_OK;
		else
			t->v.guessed = 1;
	}
	crypto_wipe(key, sizeof key);
}

/* Takes one recovery code out of the locked user's list. */
static enum db_rc use_recovery_code(struct answer_tx *t)
{
	struct ctx *c = t->v.c;
	struct mfa_row m;
	uint8_t sealed[CODES_SEALED];
	char now[LK_DBTIME_LEN];
	ssize_t n;
	int i, hit = -1;
	enum db_rc rc;

	if ((rc = mfa_read(c, 1, &m)) != DB_OK)
		return rc;
	crypto_wipe(m.key, sizeof m.key);
	for (i = 0; i < m.ncodes; i++)   /* look at all: no early exit */
		if (strlen(t->v.otp) == CODE_HEX &&
		    crypto_ct_eq(m.codes[i], t->v.otp, CODE_HEX))
			hit = i;
	if (hit < 0) {
		t->v.e = E_USER_INVALID_TOKEN;
		t->v.guessed = 1;
		crypto_wipe(&m, sizeof m);
		return DB_OK;
	}
	for (i = hit; i + 1 < m.ncodes; i++)
		memcpy(m.codes[i], m.codes[i + 1], sizeof m.codes[i]);
	m.ncodes--;
	n = m.ncodes ? mfa_seal_codes(m.codes, m.ncodes, sealed) : 0;
	crypto_wipe(&m, sizeof m);
	if (n < 0)
		return DB_FAIL;
	time_db(c->now_ms, now);
	{
		/* the last one used: none left, as if never generated (E43 may
		 * make new ones; factors says recoveryCode false) */
		struct dbv a[] = { n ? DVB(sealed, (size_t)n) : DVNULL, DVS(now),
		    DVS(c->proj->id), DVS(ctx_ucol(c, UC_ID)) };
		return db_exec(ST_RECOVERY_CODES_SET, a, 4, NULL, c->a);
	}
}

static enum db_rc answer_tx(void *arg)
{
	struct answer_tx *t = arg;
	struct ctx *c = t->v.c;
	char now[LK_DBTIME_LEN];
	int totp = strcmp(t->type, "totp") == 0;
	enum db_rc rc;

	time_db(c->now_ms, now);
	{
		struct dbv a[] = { DVS(ctx_scol(c, AS_ID)), DVS(t->factors), DVS(now), DVS(now),
		    DVI(t->step), DVS(c->proj->id), DVS(t->id), DVS(ctx_ucol(c, UC_ID)),
		    DVI(t->step) };
		if (totp)
			rc = db_exec(ST_CHALLENGE_DONE_TOTP, a, 9, NULL, c->a);
		else {
			struct dbv b[] = { a[0], a[1], a[2], a[3], a[5], a[6], a[7] };
			rc = db_exec(ST_CHALLENGE_DONE, b, 7, NULL, c->a);
		}
		if (rc != DB_OK)
			return rc;
	}
	/* no row changed: another answer used the challenge (or the TOTP step)
	 * first */
	if (db_affected() == 0)
		t->v.e = E_USER_INVALID_TOKEN;
	else if (strcmp(t->type, "recoverycode") == 0 && (rc = use_recovery_code(t)) != DB_OK)
		return rc;
	if (t->v.e == LK_OK)
		return DB_OK;
	/* refused: the rollback leaves the challenge unused (a wrong recovery
	 * code keeps it, as a wrong code does), and no audit row is written */
	c->audit_uid = NULL;
	return DB_FAIL;
}

enum lk_err h_mfa_challenge_answer(struct ctx *c)
{
	struct answer_tx t;
	struct dbres r;
	char now[LK_DBTIME_LEN], hash[65];
	long long window;
	const char *uid = ctx_ucol(c, UC_ID), *sid;
	enum lk_err e;
	enum db_rc rc;

	memset(&t, 0, sizeof t);
	t.v.c = c;
	t.v.otp = ctx_str(c, "otp");
	t.id = ctx_str(c, "challengeId");
	/* the factor goes to the session that answers: a JWT has none */
	if (!c->have_session)
		return E_USER_SESSION_NOT_FOUND;
	time_db(c->now_ms, now);
	rl_attempts_key(c, "mfa", uid, hash, &window);
	{
		struct dbv a[] = { DVS(now), DVS(t.id), DVS(hash), DVI(window),
		    DVS(c->proj->id), DVS(ctx_scol(c, AS_ID)), DVS(uid) };
		if ((rc = db_exec(ST_CHALLENGE_READ, a, 7, &r, c->a)) != DB_OK)
			return ctx_dberr(c, rc);
	}
	if (r.nrows != 1)       /* the session ended since the request began */
		return E_USER_SESSION_NOT_FOUND;
	if ((e = rl_attempts_verdict(c, db_cell(&r, 0, 4))) != LK_OK)
		return e;
	/* unknown, another user's, expired, or asked by another session */
	sid = db_cell(&r, 0, 2);
	if (db_cell(&r, 0, 0) == NULL || strcmp(db_cell(&r, 0, 3), "1") != 0 ||
	    (sid && strcmp(sid, ctx_scol(c, AS_ID)) != 0) ||
	    strlen(db_cell(&r, 0, 0)) >= sizeof t.type || db_cell(&r, 0, 8) == NULL)
		return mfa_refused(c, E_USER_INVALID_TOKEN, 0);
	{
		const char *ty = db_cell(&r, 0, 0);
		size_t i;
		for (i = 0; ty[i]; i++)
			t.type[i] = (char)(ty[i] >= 'A' && ty[i] <= 'Z' ? ty[i] + 32 : ty[i]);
		t.type[i] = '\0';
	}
	/* a wrong TOTP, email or SMS code is known before the transaction */
	if (strcmp(t.type, "totp") == 0)
		answer_totp(&t, &r);
	else if (strcmp(t.type, "recoverycode") != 0)
		answer_code(&t, db_cell(&r, 0, 1));
	if (t.v.e != LK_OK)
		return mfa_refused(c, t.v.e, t.v.guessed);
	/* the challenge's factor joins the session's (once: SECURITY.md 17) */
	{
		const char *add[] = { t.type };
		if ((t.factors = mfa_factors_plus(c, add, 1)) == NULL)
			return E_GENERAL_SERVER_ERROR;
	}
	ctx_audit(c, uid, ctx_ucol(c, UC_EMAIL), ctx_ucol(c, UC_NAME));
	rc = audit_tx(c, answer_tx, &t);
	if (t.v.e != LK_OK)
		return mfa_refused(c, t.v.e, t.v.guessed);
	if (rc != DB_OK)
		return ctx_dberr(c, rc);
	/* the current session as it now is: the row read with the challenge,
	 * with what the transaction changed */
	{
		struct dbres sr = r;
		char *iso = arena_alloc(c->a, LK_ISOTIME_LEN);
		if (iso == NULL)
			return E_GENERAL_SERVER_ERROR;
		time_iso(c->now_ms, iso);
		sr.cell = r.cell + 8;
		sr.len = r.len + 8;
		sr.ncols = r.ncols - 8;
		sr.cell[SC_FACTORS] = t.factors;
		sr.cell[SC_MFA_UPDATED] = iso;
		sr.cell[SC_UPDATED] = iso;
		ctx_json(c, 200);
		model_session(&c->w, &sr, 0, 0, NULL);
	}
	return LK_OK;
}
