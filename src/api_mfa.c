/* api_mfa.c: multi-factor authentication (spec 1.9, E38-E47; SECURITY.md
 * 3, 7, 8, 17). The TOTP key and the recovery codes live on the user row,
 * sealed under enc_key; challenges are rows of mfa_challenges. A factor is
 * recorded by one statement that also consumes what it used (the challenge,
 * the TOTP step) only while it is unused, or with the user row locked (FOR
 * UPDATE) for recovery codes, and its row count decides: one code, one
 * recovery code or one challenge elevates one session however many requests
 * race for it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "audit.h"
#include "config.h"
#include "crypto.h"
#include "factors.h"
#include "model.h"
#include "outbox.h"
#include "ratelimit.h"
#include "timeutil.h"
#include "token.h"
#include "totp.h"
#include "ua.h"

#define NCODES 6           /* recovery codes (spec 6.8) */
#define CODE_HEX 10        /* hex characters of one: 40 bits */
/* sealed JSON array of the codes: ["xxxxxxxxxx",...] */
#define CODES_JSON (NCODES * (CODE_HEX + 3) + 2)
#define CODES_SEALED (CODES_JSON + LK_SEAL_OVERHEAD)

/* The caller's flag column as 0/1. */
static int uflag(const struct ctx *c, int col)
{
	return strcmp(ctx_ucol(c, col), "1") == 0;
}

/* The caller's session factors, parsed (an unreadable list is empty). */
static void session_factors(const struct ctx *c, struct factors *f)
{
	const char *s = ctx_scol(c, AS_FACTORS);

	if (factors_parse(s, strlen(s), f) < 0)
		f->n = 0;
}

/* 1 when the path's `type` is the one authenticator there is. Appwrite's
 * validator takes any case, then only "totp" exists: *missing is set for
 * another spelling of it (E40 answers "Unknown type.", E41/E42 404). */
static int totp_type(const struct ctx *c, int *other_case)
{
	const char *t = ctx_str(c, "type");

	*other_case = t && strcasecmp(t, "totp") == 0 && strcmp(t, "totp") != 0;
	return t && strcmp(t, "totp") == 0;
}

/* The answer for a `type` that is not "totp"; see totp_type. */
static enum lk_err bad_type(struct ctx *c, int other_case, enum lk_err if_case)
{
	if (other_case)
		return if_case == E_ARGUMENT_INVALID ?
		    ctx_fail(c, E_ARGUMENT_INVALID, "Unknown type.") : if_case;
	return ctx_fail(c, E_ARGUMENT_INVALID,
	    "Invalid `type` param: Value must be one of (totp)");
}

/* The MFA columns of the caller's row (ST_MFA_GET / ST_MFA_LOCK). */
struct mfa_row {
	uint8_t key[TOTP_KEY_MAX]; /* the opened TOTP key */
	ssize_t klen;              /* its length, -1 when none */
	int verified;              /* totp_verified */
	long long last_step;       /* totp_last_step */
	char codes[NCODES][CODE_HEX + 1]; /* unused recovery codes */
	int ncodes;                /* how many, -1 when never generated */
};

/* Opens the sealed recovery codes: a JSON array of CODE_HEX-hex strings. */
static int open_codes(const char *sealed, size_t n, struct mfa_row *m)
{
	char json[CODES_JSON + 1];
	ssize_t len = crypto_open(cfg.enc_key, (const uint8_t *)sealed, n,
	    (uint8_t *)json, sizeof json - 1);
	const char *p;

	m->ncodes = 0;
	if (len < 0)
		return -1;
	json[len] = '\0';
	for (p = json; (p = strchr(p, '"')) != NULL && m->ncodes < NCODES; p += CODE_HEX + 2) {
		if (strlen(p) < CODE_HEX + 2 || p[CODE_HEX + 1] != '"' ||
		    strspn(p + 1, "0123456789abcdef") != CODE_HEX)
			return -1;
		memcpy(m->codes[m->ncodes], p + 1, CODE_HEX);
		m->codes[m->ncodes++][CODE_HEX] = '\0';
	}
	crypto_wipe(json, sizeof json);
	return 0;
}

/* Reads the caller's MFA columns (lock: FOR UPDATE, inside a transaction). */
static enum db_rc mfa_read(struct ctx *c, int lock, struct mfa_row *m)
{
	struct dbres r;
	struct dbv a[] = { DVS(c->proj->id), DVS(ctx_ucol(c, UC_ID)) };
	enum db_rc rc;

	memset(m, 0, sizeof *m);
	m->klen = -1;
	m->ncodes = -1;
	if ((rc = db_exec(lock ? ST_MFA_LOCK : ST_MFA_GET, a, 2, &r, c->a)) != DB_OK)
		return rc;
	if (r.nrows != 1)
		return DB_FAIL;
	if (db_cell(&r, 0, 0))
		m->klen = crypto_open(cfg.enc_key, (const uint8_t *)db_cell(&r, 0, 0),
		    r.len[0], m->key, sizeof m->key);
	m->verified = db_cell(&r, 0, 1) && strcmp(db_cell(&r, 0, 1), "1") == 0;
	m->last_step = db_cell(&r, 0, 2) ? strtoll(db_cell(&r, 0, 2), NULL, 10) : 0;
	if (db_cell(&r, 0, 3) && open_codes(db_cell(&r, 0, 3), r.len[3], m) < 0)
		m->ncodes = 0;
	return DB_OK;
}

/* Seals codes (n of them) for ST_RECOVERY_CODES_SET; returns its length. */
static ssize_t seal_codes(char codes[][CODE_HEX + 1], int n, uint8_t out[CODES_SEALED])
{
	char json[CODES_JSON + 1];
	size_t k = 0;
	ssize_t len;
	int i;

	json[k++] = '[';
	for (i = 0; i < n; i++)
		k += (size_t)snprintf(json + k, sizeof json - k, "%s\"%s\"", i ? "," : "",
		    codes[i]);
	json[k++] = ']';
	len = crypto_seal(cfg.enc_key, (const uint8_t *)json, k, out, CODES_SEALED);
	crypto_wipe(json, sizeof json);
	return len;
}

/* Answers {"recoveryCodes": [...]} (E43-E45). */
static enum lk_err codes_answer(struct ctx *c, char codes[][CODE_HEX + 1], int n)
{
	int i;

	ctx_json(c, 200);
	jw_obj(&c->w);
	jw_key(&c->w, "recoveryCodes");
	jw_arr(&c->w);
	for (i = 0; i < n; i++)
		jw_strc(&c->w, codes[i]);
	jw_arr_end(&c->w);
	jw_obj_end(&c->w);
	return LK_OK;
}

/* The Account answer after a change of the caller's row: col shows val and
 * $updatedAt is now. */
static enum lk_err account_answer(struct ctx *c, int col, const char *val)
{
	char *iso = arena_alloc(c->a, LK_ISOTIME_LEN);

	if (iso == NULL)
		return E_GENERAL_SERVER_ERROR;
	time_iso(c->now_ms, iso);
	c->user.cell[col] = val;
	c->user.cell[UC_UPDATED] = iso;
	return model_reply_user(c, &c->user, 200);
}

/* ---- E38 PATCH /account/mfa ---- */

/* Arguments of the MFA switch. */
struct switch_tx {
	struct ctx *c;        /* request */
	int on;               /* the new value */
	const char *factors;  /* the session's factors after it, or NULL */
	const char *now;      /* database time */
};

static enum db_rc switch_tx(void *arg)
{
	struct switch_tx *t = arg;
	struct ctx *c = t->c;
	struct dbv a[] = { DVI(t->on), DVS(t->now), DVS(c->proj->id), DVS(ctx_ucol(c, UC_ID)) };
	enum db_rc rc;

	if ((rc = db_exec(ST_USER_SET_MFA, a, 4, NULL, c->a)) != DB_OK || t->factors == NULL)
		return rc;
	{
		struct dbv s[] = { DVS(t->factors), DVS(t->now), DVS(c->proj->id),
		    DVS(ctx_scol(c, AS_ID)) };
		return db_exec(ST_SESSION_SET_FACTORS, s, 4, NULL, c->a);
	}
}

enum lk_err h_mfa_update(struct ctx *c)
{
	char now[LK_DBTIME_LEN], *list;
	struct switch_tx t = { c, ctx_bool(c, "mfa"), NULL, now };
	int second = uflag(c, UC_EMAIL_VER) || uflag(c, UC_PHONE_VER) || uflag(c, UC_TOTP);
	struct factors f;
	enum db_rc rc;

	/* the factors go to the session that switched MFA on: a JWT has none */
	if (!c->have_session)
		return E_USER_SESSION_NOT_FOUND;
	/* switching off what protects the account takes a fresh challenge */
	if (!t.on && uflag(c, UC_MFA) && second && !ctx_mfa_fresh(c))
		return E_USER_CHALLENGE_REQUIRED;
	if (t.on) {
		/* the enabling session keeps access: it gets every factor the user
		 * already has (E38) */
		session_factors(c, &f);
		if (uflag(c, UC_TOTP))
			factors_add(&f, "totp");
		if (uflag(c, UC_EMAIL_VER) && *ctx_ucol(c, UC_EMAIL))
			factors_add(&f, "email");
		if (uflag(c, UC_PHONE_VER) && *ctx_ucol(c, UC_PHONE))
			factors_add(&f, "phone");
		if ((list = arena_alloc(c->a, 256)) == NULL || factors_render(&f, list, 256) < 0)
			return E_GENERAL_SERVER_ERROR;
		t.factors = list;
	}
	time_db(c->now_ms, now);
	ctx_audit(c, ctx_ucol(c, UC_ID), ctx_ucol(c, UC_EMAIL), ctx_ucol(c, UC_NAME));
	if ((rc = audit_tx(c, switch_tx, &t)) != DB_OK)
		return ctx_dberr(c, rc);
	return account_answer(c, UC_MFA, t.on ? "1" : "0");
}

/* ---- E39 GET /account/mfa/factors ---- */

enum lk_err h_mfa_factors(struct ctx *c)
{
	ctx_json(c, 200);
	jw_obj(&c->w);
	jw_kbool(&c->w, "totp", uflag(c, UC_TOTP));
	jw_kbool(&c->w, "phone", *ctx_ucol(c, UC_PHONE) && uflag(c, UC_PHONE_VER));
	jw_kbool(&c->w, "email", *ctx_ucol(c, UC_EMAIL) && uflag(c, UC_EMAIL_VER));
	jw_kbool(&c->w, "recoveryCode", uflag(c, UC_RECOVERY));
	jw_obj_end(&c->w);
	return LK_OK;
}

/* ---- E40-E42 the TOTP authenticator ---- */

enum lk_err h_mfa_authenticator_create(struct ctx *c)
{
	char b32[TOTP_SECRET_B32 + 1], uri[1200], now[LK_DBTIME_LEN];
	uint8_t key[TOTP_SECRET_BYTES], sealed[TOTP_SECRET_BYTES + LK_SEAL_OVERHEAD];
	ssize_t klen, slen;
	int other;
	enum db_rc rc;

	if (!totp_type(c, &other))
		return bad_type(c, other, E_ARGUMENT_INVALID);
	if (uflag(c, UC_TOTP))
		return E_USER_AUTHENTICATOR_ALREADY_VERIFIED;
	/* a new key replaces an unverified one; shown here and never again */
	if (totp_secret_new(b32) < 0 ||
	    (klen = totp_b32_decode(b32, strlen(b32), key, sizeof key)) != TOTP_SECRET_BYTES ||
	    (slen = crypto_seal(cfg.enc_key, key, (size_t)klen, sealed, sizeof sealed)) < 0 ||
	    totp_uri(uri, sizeof uri, c->proj->name, ctx_ucol(c, UC_EMAIL),
	    ctx_ucol(c, UC_PHONE), ctx_ucol(c, UC_ID), b32) < 0) {
		crypto_wipe(key, sizeof key);
		return E_GENERAL_SERVER_ERROR;
	}
	crypto_wipe(key, sizeof key);
	time_db(c->now_ms, now);
	{
		/* a verified one may have appeared since the session check read
		 * the row: the statement only replaces an unverified one */
		struct dbv a[] = { DVB(sealed, (size_t)slen), DVS(now), DVS(c->proj->id),
		    DVS(ctx_ucol(c, UC_ID)) };
		if ((rc = db_exec(ST_TOTP_CREATE, a, 4, NULL, c->a)) != DB_OK)
			return ctx_dberr(c, rc);
		if (db_affected() == 0)
			return E_USER_AUTHENTICATOR_ALREADY_VERIFIED;
	}
	ctx_json(c, 200);
	jw_obj(&c->w);
	jw_kstr(&c->w, "secret", b32);
	jw_kstr(&c->w, "uri", uri);
	jw_obj_end(&c->w);
	crypto_wipe(b32, sizeof b32);
	return LK_OK;
}

/* What a TOTP code is checked for. */
struct totp_tx {
	struct ctx *c;         /* request */
	const char *otp;       /* the code */
	const char *factors;   /* out: the session's factors after it */
	enum lk_err e;         /* out: why nothing was done */
	int guessed;           /* out: 1 when a code was compared and was wrong */
};

/* E41: checks otp against the locked, unverified authenticator and takes
 * its step. Sets t->e (and t->guessed for a wrong code) on refusal. */
static enum db_rc check_totp(struct totp_tx *t)
{
	struct ctx *c = t->c;
	struct mfa_row m;
	char now[LK_DBTIME_LEN];
	int64_t step = 0;
	enum db_rc rc;

	if ((rc = mfa_read(c, 1, &m)) != DB_OK)
		return rc;
	if (m.klen <= 0)
		t->e = E_USER_AUTHENTICATOR_NOT_FOUND;
	else if (m.verified)
		t->e = E_USER_AUTHENTICATOR_ALREADY_VERIFIED;
	else if (!totp_accept(m.key, (size_t)m.klen, t->otp, c->now_ms / 1000,
	    m.last_step, &step)) {
		t->e = E_USER_INVALID_TOKEN;
		t->guessed = 1;
	}
	crypto_wipe(&m, sizeof m);
	if (t->e != LK_OK)
		return DB_OK;
	time_db(c->now_ms, now);
	{
		struct dbv a[] = { DVI(step), DVS(now), DVS(c->proj->id), DVS(ctx_ucol(c, UC_ID)),
		    DVI(step) };
		if ((rc = db_exec(ST_TOTP_ACCEPT, a, 5, NULL, c->a)) != DB_OK)
			return rc;
		if (db_affected() == 0)
			t->e = E_USER_INVALID_TOKEN;   /* the step was taken meanwhile */
	}
	return DB_OK;
}

/* E41's transaction: the code, then the session's new factor. */
static enum db_rc enrol_tx(void *arg)
{
	struct totp_tx *t = arg;
	struct ctx *c = t->c;
	char now[LK_DBTIME_LEN];
	enum db_rc rc;

	if ((rc = check_totp(t)) != DB_OK || t->e != LK_OK) {
		c->audit_uid = NULL;     /* nothing happened: no audit row */
		return rc;
	}
	time_db(c->now_ms, now);
	{
		struct dbv s[] = { DVS(t->factors), DVS(now), DVS(c->proj->id),
		    DVS(ctx_scol(c, AS_ID)) };
		return db_exec(ST_SESSION_SET_FACTORS, s, 4, NULL, c->a);
	}
}

/* Returns e, counting it against the user when it answers a wrong code
 * (SECURITY.md 3). An unknown challenge or one another request consumed
 * first is no guess: a challenge ID is no secret, and the losers of a race
 * may well have sent the right code. */
static enum lk_err refused(struct ctx *c, enum lk_err e, int guessed)
{
	if (guessed)
		rl_attempts_fail(c, "mfa", ctx_ucol(c, UC_ID));
	return e;
}

enum lk_err h_mfa_authenticator_verify(struct ctx *c)
{
	struct totp_tx t = { c, ctx_str(c, "otp"), NULL, LK_OK, 0 };
	struct factors f;
	char *list;
	int other;
	enum lk_err e;
	enum db_rc rc;

	if (!totp_type(c, &other))
		return bad_type(c, other, E_USER_AUTHENTICATOR_NOT_FOUND);
	if (!c->have_session)
		return E_USER_SESSION_NOT_FOUND;
	if ((e = rl_attempts_check(c, "mfa", ctx_ucol(c, UC_ID))) != LK_OK)
		return e;
	session_factors(c, &f);
	factors_add(&f, "totp");
	if ((list = arena_alloc(c->a, 256)) == NULL || factors_render(&f, list, 256) < 0)
		return E_GENERAL_SERVER_ERROR;
	t.factors = list;
	ctx_audit(c, ctx_ucol(c, UC_ID), ctx_ucol(c, UC_EMAIL), ctx_ucol(c, UC_NAME));
	if ((rc = audit_tx(c, enrol_tx, &t)) != DB_OK)
		return ctx_dberr(c, rc);
	if (t.e != LK_OK)
		return refused(c, t.e, t.guessed);
	return account_answer(c, UC_TOTP, "1");
}

enum lk_err h_mfa_authenticator_delete(struct ctx *c)
{
	char now[LK_DBTIME_LEN];
	struct mfa_row m;
	int other;
	enum db_rc rc;

	if (!totp_type(c, &other))
		return bad_type(c, other, E_USER_AUTHENTICATOR_NOT_FOUND);
	if ((rc = mfa_read(c, 0, &m)) != DB_OK)
		return ctx_dberr(c, rc);
	crypto_wipe(m.key, sizeof m.key);
	if (m.klen < 0)
		return E_USER_AUTHENTICATOR_NOT_FOUND;
	time_db(c->now_ms, now);
	{
		struct dbv a[] = { DVS(now), DVS(c->proj->id), DVS(ctx_ucol(c, UC_ID)) };
		if ((rc = db_exec(ST_TOTP_DELETE, a, 3, NULL, c->a)) != DB_OK)
			return ctx_dberr(c, rc);
	}
	c->status = 204;
	return LK_OK;
}

/* ---- E43-E45 recovery codes ---- */

/* Makes NCODES new codes and their sealed form. */
static ssize_t new_codes(char codes[][CODE_HEX + 1], uint8_t sealed[CODES_SEALED])
{
	int i;

	for (i = 0; i < NCODES; i++)
		if (crypto_random_hex(codes[i], CODE_HEX) < 0)
			return -1;
	return seal_codes(codes, NCODES, sealed);
}

/* E43 (create: only where none exist) and E44 (replace: only where some
 * do): ST_RECOVERY_CODES_NEW or ST_RECOVERY_CODES_SET. */
static enum lk_err codes_write(struct ctx *c, int create)
{
	char codes[NCODES][CODE_HEX + 1], now[LK_DBTIME_LEN];
	uint8_t sealed[CODES_SEALED];
	ssize_t n;
	enum db_rc rc;

	if (create ? uflag(c, UC_RECOVERY) : !uflag(c, UC_RECOVERY))
		return create ? E_USER_RECOVERY_CODES_ALREADY_EXISTS :
		    E_USER_RECOVERY_CODES_NOT_FOUND;
	if ((n = new_codes(codes, sealed)) < 0)
		return E_GENERAL_SERVER_ERROR;
	time_db(c->now_ms, now);
	{
		struct dbv a[] = { DVB(sealed, (size_t)n), DVS(now), DVS(c->proj->id),
		    DVS(ctx_ucol(c, UC_ID)) };
		if ((rc = db_exec(create ? ST_RECOVERY_CODES_NEW : ST_RECOVERY_CODES_SET,
		    a, 4, NULL, c->a)) != DB_OK)
			return ctx_dberr(c, rc);
		/* two concurrent creations: one wins, the other sees the codes */
		if (db_affected() == 0)
			return create ? E_USER_RECOVERY_CODES_ALREADY_EXISTS :
			    E_USER_RECOVERY_CODES_NOT_FOUND;
	}
	codes_answer(c, codes, NCODES);
	crypto_wipe(codes, sizeof codes);
	return LK_OK;
}

enum lk_err h_mfa_codes_create(struct ctx *c)
{
	return codes_write(c, 1);
}

enum lk_err h_mfa_codes_update(struct ctx *c)
{
	return codes_write(c, 0);
}

enum lk_err h_mfa_codes_get(struct ctx *c)
{
	struct mfa_row m;
	enum db_rc rc;

	if ((rc = mfa_read(c, 0, &m)) != DB_OK)
		return ctx_dberr(c, rc);
	crypto_wipe(m.key, sizeof m.key);
	if (m.ncodes <= 0)
		return E_USER_RECOVERY_CODES_NOT_FOUND;
	codes_answer(c, m.codes, m.ncodes);
	crypto_wipe(&m, sizeof m);
	return LK_OK;
}

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
		if (!uflag(c, UC_EMAIL_VER))
			return E_USER_EMAIL_NOT_VERIFIED;
		t.channel = 1;
	} else if (i == 1) {
		if (!outbox_sms_ready(c))
			return E_PHONE_DISABLED;
		if (*ctx_ucol(c, UC_PHONE) == '\0')
			return E_USER_PHONE_NOT_FOUND;
		if (!uflag(c, UC_PHONE_VER))
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
	{
		struct ua_info *u = arena_alloc(c->a, sizeof *u);
		if (u) {
			ua_parse(c->ua, strlen(c->ua), u);
			t.vars[t.nvars++] = (struct tmpl_var){ "agentDevice",
			    u->device_brand[0] ? u->device_brand : "UNKNOWN" };
			t.vars[t.nvars++] = (struct tmpl_var){ "agentClient",
			    u->client_name[0] ? u->client_name : "UNKNOWN" };
			t.vars[t.nvars++] = (struct tmpl_var){ "agentOs",
			    u->os_name[0] ? u->os_name : "UNKNOWN" };
		}
	}
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
	struct totp_tx v;       /* request, otp, out: refusal */
	const char *id;         /* challengeId */
	char type[LK_FACTOR_NAME]; /* its factor, lower-cased */
	int64_t step;           /* totp: the step the code is good for */
	const char *factors;    /* out: the session's factors after it */
};

/* Checks an email or SMS code against the challenge's stored HMAC. */
static void answer_code(struct answer_tx *t, const char *stored)
{
	uint8_t mac[32];
	char h[65];

	crypto_hmac_sha256(cfg.secret_key, strlen(cfg.secret_key), t->v.otp,
	    strlen(t->v.otp), mac);
	crypto_hex(mac, sizeof mac, h);
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
	n = m.ncodes ? seal_codes(m.codes, m.ncodes, sealed) : 0;
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
	struct factors f;
	char *list, now[LK_DBTIME_LEN], hash[65];
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
		return refused(c, E_USER_INVALID_TOKEN, 0);
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
		return refused(c, t.v.e, t.v.guessed);
	/* the challenge's factor joins the session's (once: SECURITY.md 17) */
	session_factors(c, &f);
	if (factors_add(&f, t.type) < 0 ||
	    (list = arena_alloc(c->a, 256)) == NULL || factors_render(&f, list, 256) < 0)
		return E_GENERAL_SERVER_ERROR;
	t.factors = list;
	ctx_audit(c, uid, ctx_ucol(c, UC_EMAIL), ctx_ucol(c, UC_NAME));
	rc = audit_tx(c, answer_tx, &t);
	if (t.v.e != LK_OK)
		return refused(c, t.v.e, t.v.guessed);
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
