/* api_mfa.c: multi-factor authentication (spec 1.9, E38-E45; SECURITY.md
 * 3, 7, 8, 17): switching MFA, the factors, the TOTP authenticator and the
 * recovery codes. The TOTP key and the codes live on the user row, sealed
 * under enc_key; what is checked and what it changes are decided with the
 * row locked (FOR UPDATE) or by one conditional statement whose row count
 * decides. Challenges (E46, E47) are api_mfa_challenge.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "api_mfa.h"
#include "audit.h"
#include "config.h"
#include "factors.h"
#include "ratelimit.h"
#include "timeutil.h"


/* The caller's session factors (an unreadable list counts as empty) with
 * the names in add[0..n) added once each, as the JSON stored in
 * sessions.factors (an arena string); NULL when a name is not one. */
const char *mfa_factors_plus(struct ctx *c, const char *const *add, int n)
{
	const char *s = ctx_scol(c, AS_FACTORS);
	struct factors f;
	char *out;
	int i;

	if (factors_parse(s, strlen(s), &f) < 0)
		f.n = 0;
	for (i = 0; i < n; i++)
		if (factors_add(&f, add[i]) < 0)
			return NULL;
	if ((out = arena_alloc(c->a, 256)) == NULL || factors_render(&f, out, 256) < 0)
		return NULL;
	return out;
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
enum db_rc mfa_read(struct ctx *c, int lock, struct mfa_row *m)
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
ssize_t mfa_seal_codes(char codes[][CODE_HEX + 1], int n, uint8_t out[CODES_SEALED])
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
	char now[LK_DBTIME_LEN];
	struct switch_tx t = { c, ctx_bool(c, "mfa"), NULL, now };
	int second = ctx_uflag(c, UC_EMAIL_VER) || ctx_uflag(c, UC_PHONE_VER) || ctx_uflag(c, UC_TOTP);
	const char *has[3];
	int n = 0;
	enum db_rc rc;

	/* the factors go to the session that switched MFA on: a JWT has none */
	if (!c->have_session)
		return E_USER_SESSION_NOT_FOUND;
	/* switching off what protects the account takes a fresh challenge */
	if (!t.on && ctx_uflag(c, UC_MFA) && second && !ctx_mfa_fresh(c))
		return E_USER_CHALLENGE_REQUIRED;
	if (t.on) {
		/* the enabling session keeps access: it gets every factor the user
		 * already has (E38) */
		if (ctx_uflag(c, UC_TOTP))
			has[n++] = "totp";
		if (ctx_uflag(c, UC_EMAIL_VER) && *ctx_ucol(c, UC_EMAIL))
			has[n++] = "email";
		if (ctx_uflag(c, UC_PHONE_VER) && *ctx_ucol(c, UC_PHONE))
			has[n++] = "phone";
		if ((t.factors = mfa_factors_plus(c, has, n)) == NULL)
			return E_GENERAL_SERVER_ERROR;
	}
	time_db(c->now_ms, now);
	ctx_audit(c, ctx_ucol(c, UC_ID), ctx_ucol(c, UC_EMAIL), ctx_ucol(c, UC_NAME));
	if ((rc = audit_tx(c, switch_tx, &t)) != DB_OK)
		return ctx_dberr(c, rc);
	return account_reply_changed(c, UC_MFA, t.on ? "1" : "0");
}

/* ---- E39 GET /account/mfa/factors ---- */

enum lk_err h_mfa_factors(struct ctx *c)
{
	ctx_json(c, 200);
	jw_obj(&c->w);
	jw_kbool(&c->w, "totp", ctx_uflag(c, UC_TOTP));
	jw_kbool(&c->w, "phone", *ctx_ucol(c, UC_PHONE) && ctx_uflag(c, UC_PHONE_VER));
	jw_kbool(&c->w, "email", *ctx_ucol(c, UC_EMAIL) && ctx_uflag(c, UC_EMAIL_VER));
	jw_kbool(&c->w, "recoveryCode", ctx_uflag(c, UC_RECOVERY));
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
	if (ctx_uflag(c, UC_TOTP))
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


/* E41: checks otp against the locked, unverified authenticator and takes
 * its step. Sets t->e (and t->guessed for a wrong code) on refusal. */
static enum db_rc check_totp(struct mfa_try *t)
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
	struct mfa_try *t = arg;
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
enum lk_err mfa_refused(struct ctx *c, enum lk_err e, int guessed)
{
	if (guessed)
		rl_attempts_fail(c, "mfa", ctx_ucol(c, UC_ID));
	return e;
}

enum lk_err h_mfa_authenticator_verify(struct ctx *c)
{
	static const char *const totp[] = { "totp" };
	struct mfa_try t = { c, ctx_str(c, "otp"), NULL, LK_OK, 0 };
	int other;
	enum lk_err e;
	enum db_rc rc;

	if (!totp_type(c, &other))
		return bad_type(c, other, E_USER_AUTHENTICATOR_NOT_FOUND);
	if (!c->have_session)
		return E_USER_SESSION_NOT_FOUND;
	if ((e = rl_attempts_check(c, "mfa", ctx_ucol(c, UC_ID))) != LK_OK)
		return e;
	if ((t.factors = mfa_factors_plus(c, totp, 1)) == NULL)
		return E_GENERAL_SERVER_ERROR;
	ctx_audit(c, ctx_ucol(c, UC_ID), ctx_ucol(c, UC_EMAIL), ctx_ucol(c, UC_NAME));
	if ((rc = audit_tx(c, enrol_tx, &t)) != DB_OK)
		return ctx_dberr(c, rc);
	if (t.e != LK_OK)
		return mfa_refused(c, t.e, t.guessed);
	return account_reply_changed(c, UC_TOTP, "1");
}

enum lk_err h_mfa_authenticator_delete(struct ctx *c)
{
	char now[LK_DBTIME_LEN];
	int other;
	enum db_rc rc;

	if (!totp_type(c, &other))
		return bad_type(c, other, E_USER_AUTHENTICATOR_NOT_FOUND);
	time_db(c->now_ms, now);
	{
		/* the row count tells whether there was one */
		struct dbv a[] = { DVS(now), DVS(c->proj->id), DVS(ctx_ucol(c, UC_ID)) };
		if ((rc = db_exec(ST_TOTP_DELETE, a, 3, NULL, c->a)) != DB_OK)
			return ctx_dberr(c, rc);
		if (db_affected() == 0)
			return E_USER_AUTHENTICATOR_NOT_FOUND;
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
	return mfa_seal_codes(codes, NCODES, sealed);
}

/* E43 (create: only where none exist) and E44 (replace: only where some
 * do): ST_RECOVERY_CODES_NEW or ST_RECOVERY_CODES_SET. */
static enum lk_err codes_write(struct ctx *c, int create)
{
	char codes[NCODES][CODE_HEX + 1], now[LK_DBTIME_LEN];
	uint8_t sealed[CODES_SEALED];
	ssize_t n;
	enum db_rc rc;

	if (create ? ctx_uflag(c, UC_RECOVERY) : !ctx_uflag(c, UC_RECOVERY))
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
