/* model.c: response models (see model.h). */
#include <string.h>

#include "model.h"
#include "ua.h"

/* Cell or "" for NULL. */
static const char *cell(const struct dbres *r, int row, int col)
{
	const char *v = db_cell(r, row, col);

	return v ? v : "";
}

/* Writes key: true/false from a "0"/"1" cell. */
static void kbool(struct jw *w, const char *k, const struct dbres *r, int row, int col)
{
	jw_kbool(w, k, strcmp(cell(r, row, col), "1") == 0);
}

/* Writes key: raw JSON cell, or `def` when NULL/empty. */
static void kraw(struct jw *w, const char *k, const struct dbres *r, int row,
    int col, const char *def)
{
	const char *v = cell(r, row, col);

	jw_key(w, k);
	if (*v == '\0' || strcmp(v, "[]") == 0)
		v = def;
	jw_raw(w, v, strlen(v));
}

void model_prefs(struct jw *w, const struct dbres *u, int row)
{
	const char *v = cell(u, row, UC_PREFS);

	if (*v == '\0' || strcmp(v, "[]") == 0)
		v = "{}";
	jw_raw(w, v, strlen(v));
}

/* Writes one Target of ST_TARGETS_BY_USER. */
void model_target(struct jw *w, const struct dbres *t, int row, const char *uid)
{
	jw_obj(w);
	jw_kstr(w, "$id", cell(t, row, 0));
	jw_kstr(w, "$createdAt", cell(t, row, 1));
	jw_kstr(w, "$updatedAt", cell(t, row, 2));
	jw_kstr(w, "name", cell(t, row, 3));
	jw_kstr(w, "userId", uid);
	jw_key(w, "providerId");
	if (db_cell(t, row, 4))
		jw_strc(w, db_cell(t, row, 4));
	else
		jw_null(w);
	jw_kstr(w, "providerType", cell(t, row, 5));
	jw_kstr(w, "identifier", cell(t, row, 6));
	kbool(w, "expired", t, row, 7);
	jw_obj_end(w);
}

void model_targets(struct jw *w, const struct dbres *t, const char *uid)
{
	int i;

	jw_arr(w);
	for (i = 0; i < t->nrows; i++)
		model_target(w, t, i, uid);
	jw_arr_end(w);
}

/* Writes a stored JSON cell as it is ("[]" when NULL or empty). */
static void kraw_value(struct jw *w, const struct dbres *r, int row, int col)
{
	const char *v = cell(r, row, col);

	if (*v == '\0')
		v = "[]";
	jw_raw(w, v, strlen(v));
}

void model_account(struct jw *w, const struct dbres *u, int row,
    const struct dbres *targets)
{
	jw_obj(w);
	jw_kstr(w, "$id", cell(u, row, UC_ID));
	jw_kstr(w, "$createdAt", cell(u, row, UC_CREATED));
	jw_kstr(w, "$updatedAt", cell(u, row, UC_UPDATED));
	jw_kstr(w, "name", cell(u, row, UC_NAME));
	jw_kstr(w, "registration", cell(u, row, UC_REGISTRATION));
	kbool(w, "status", u, row, UC_STATUS);
	kraw(w, "labels", u, row, UC_LABELS, "[]");
	jw_kstr(w, "passwordUpdate", cell(u, row, UC_PASSWORD_UPDATE));
	jw_kstr(w, "email", cell(u, row, UC_EMAIL));
	jw_kstr(w, "phone", cell(u, row, UC_PHONE));
	kbool(w, "emailVerification", u, row, UC_EMAIL_VER);
	kbool(w, "phoneVerification", u, row, UC_PHONE_VER);
	kbool(w, "mfa", u, row, UC_MFA);
	jw_key(w, "prefs");
	model_prefs(w, u, row);
	jw_key(w, "targets");
	if (targets)
		model_targets(w, targets, cell(u, row, UC_ID));
	else
		kraw_value(w, u, row, UC_TARGETS);
	jw_kstr(w, "accessedAt", cell(u, row, UC_ACCESSED));
	jw_obj_end(w);
}

/* Writes the 12 device fields from stored columns starting at first. */
static void device_cols(struct jw *w, const struct dbres *s, int row, int first)
{
	static const char *const names[] = { "osCode", "osName", "osVersion",
	    "clientType", "clientCode", "clientName", "clientVersion",
	    "clientEngine", "clientEngineVersion", "deviceName", "deviceBrand",
	    "deviceModel" };
	int i;

	for (i = 0; i < 12; i++)
		jw_kstr(w, names[i], cell(s, row, first + i));
}

void model_session(struct jw *w, const struct dbres *s, int row, int current,
    const char *secret)
{
	const char *cc = cell(s, row, SC_COUNTRY);

	jw_obj(w);
	jw_kstr(w, "$id", cell(s, row, SC_ID));
	jw_kstr(w, "$createdAt", cell(s, row, SC_CREATED));
	jw_kstr(w, "$updatedAt", cell(s, row, SC_UPDATED));
	jw_kstr(w, "userId", cell(s, row, SC_USER_ID));
	jw_kstr(w, "expire", cell(s, row, SC_EXPIRE));
	jw_kstr(w, "provider", cell(s, row, SC_PROVIDER));
	jw_kstr(w, "providerUid", cell(s, row, SC_PROVIDER_UID));
	jw_kstr(w, "providerAccessToken", cell(s, row, SC_PAT));
	jw_kstr(w, "providerAccessTokenExpiry", cell(s, row, SC_PAT_EXPIRY));
	jw_kstr(w, "providerRefreshToken", cell(s, row, SC_PRT));
	jw_kstr(w, "ip", cell(s, row, SC_IP));
	device_cols(w, s, row, SC_OS_CODE);
	jw_kstr(w, "countryCode", *cc ? cc : "--");
	/* no GeoIP database yet: every country is unknown */
	jw_kstr(w, "countryName", "Unknown");
	jw_kbool(w, "current", current);
	kraw(w, "factors", s, row, SC_FACTORS, "[]");
	jw_kstr(w, "secret", secret ? secret : "");
	jw_kstr(w, "mfaUpdatedAt", cell(s, row, SC_MFA_UPDATED));
	jw_obj_end(w);
}

void model_log(struct jw *w, const struct dbres *l, int row)
{
	struct ua_info u;
	const char *ua = cell(l, row, 6);

	ua_parse(ua, strlen(ua), &u);
	jw_obj(w);
	jw_kstr(w, "event", cell(l, row, 0));
	jw_kstr(w, "userId", cell(l, row, 1));
	jw_kstr(w, "userEmail", cell(l, row, 2));
	jw_kstr(w, "userName", cell(l, row, 3));
	jw_kstr(w, "mode", cell(l, row, 4));
	jw_kstr(w, "ip", cell(l, row, 5));
	jw_kstr(w, "time", cell(l, row, 7));
	jw_kstr(w, "osCode", u.os_code);
	jw_kstr(w, "osName", u.os_name);
	jw_kstr(w, "osVersion", u.os_version);
	jw_kstr(w, "clientType", u.client_type);
	jw_kstr(w, "clientCode", u.client_code);
	jw_kstr(w, "clientName", u.client_name);
	jw_kstr(w, "clientVersion", u.client_version);
	jw_kstr(w, "clientEngine", u.client_engine);
	jw_kstr(w, "clientEngineVersion", u.client_engine_version);
	jw_kstr(w, "deviceName", u.device_name);
	jw_kstr(w, "deviceBrand", u.device_brand);
	jw_kstr(w, "deviceModel", u.device_model);
	jw_kstr(w, "countryCode", "--");
	jw_kstr(w, "countryName", "Unknown");
	jw_obj_end(w);
}

void model_identity(struct jw *w, const struct dbres *r, int row)
{
	static const char *const names[] = { "$id", "$createdAt", "$updatedAt",
	    "userId", "provider", "providerUid", "providerEmail",
	    "providerAccessToken", "providerAccessTokenExpiry",
	    "providerRefreshToken" };
	int i;

	jw_obj(w);
	for (i = 0; i < 10; i++)
		jw_kstr(w, names[i], cell(r, row, i));
	jw_obj_end(w);
}

enum lk_err model_reply_user(struct ctx *c, const struct dbres *u, int status)
{
	struct dbres t;
	struct dbv a[] = { DVS(c->proj->id), DVS(db_cell(u, 0, UC_ID)) };
	enum db_rc rc;

	/* users.targets is NULL only for rows written before migration 003
	 * or after a hand edit of targets: read the table then */
	if (db_cell(u, 0, UC_TARGETS) == NULL &&
	    (rc = db_exec(ST_TARGETS_BY_USER, a, 2, &t, c->a)) != DB_OK)
		return ctx_dberr(c, rc);
	ctx_json(c, status);
	model_account(&c->w, u, 0, db_cell(u, 0, UC_TARGETS) ? NULL : &t);
	return LK_OK;
}

enum lk_err model_reply_account(struct ctx *c, const char *uid, int status)
{
	struct dbres u;
	struct dbv a[] = { DVS(c->proj->id), DVS(uid) };
	enum db_rc rc;

	if ((rc = db_exec(ST_USER_GET, a, 2, &u, c->a)) != DB_OK)
		return ctx_dberr(c, rc);
	if (u.nrows != 1)
		return E_USER_NOT_FOUND;
	return model_reply_user(c, &u, status);
}
