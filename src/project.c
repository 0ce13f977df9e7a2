/* project.c: per-worker project cache (see project.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "project.h"

static struct project cache[LK_PROJECT_CACHE]; /* entries; id "" = free */
static unsigned next_slot;                     /* round-robin replacement */

/* Integer value of cell (row 0, col), 0 for NULL. */
static int ival(const struct dbres *r, int col)
{
	const char *v = db_cell(r, 0, col);

	return v ? (int)strtol(v, NULL, 10) : 0;
}

/* Copies cell (row 0, col) into dst (truncating; "" for NULL). */
static void copy(char *dst, size_t n, const struct dbres *r, int col)
{
	const char *v = db_cell(r, 0, col);

	snprintf(dst, n, "%s", v ? v : "");
}

/* Loads project id into p. Returns 1 found, 0 missing, -1 db error. */
static int load(struct project *p, const char *id, struct arena *a)
{
	struct dbres r, pl;
	struct dbv arg[] = { DVS(id) };
	int i;

	if (db_exec(ST_PROJECT_GET, arg, 1, &r, a) != DB_OK)
		return -1;
	if (r.nrows != 1)
		return 0;
	if (db_exec(ST_PLATFORMS_GET, arg, 1, &pl, a) != DB_OK)
		return -1;
	memset(p, 0, sizeof *p);
	snprintf(p->id, sizeof p->id, "%s", db_cell(&r, 0, 0));
	snprintf(p->name, sizeof p->name, "%s", db_cell(&r, 0, 1) ? db_cell(&r, 0, 1) : "");
	p->api_rest = ival(&r, 2);
	p->service_account = ival(&r, 3);
	p->limit = ival(&r, 4);
	p->max_sessions = ival(&r, 5);
	p->duration = ival(&r, 6);
	p->pw_history = ival(&r, 7);
	p->pw.dictionary = ival(&r, 8);
	p->personal_data = ival(&r, 9);
	p->session_alerts = ival(&r, 10);
	p->am[AM_NONE] = 1;
	p->am[AM_EMAIL_PASSWORD] = ival(&r, 11);
	p->am[AM_MAGIC_URL] = ival(&r, 12);
	p->am[AM_EMAIL_OTP] = ival(&r, 13);
	p->am[AM_ANONYMOUS] = ival(&r, 14);
	p->am[AM_PHONE] = ival(&r, 15);
	p->am[AM_JWT] = ival(&r, 16);
	p->invites = ival(&r, 17);
	p->invalidate_sessions = ival(&r, 18);
	p->recovery_oracle = ival(&r, 19);
	/* columns 20..35: locale, SMTP and SMS settings (002_delivery.sql) */
	copy(p->locale, sizeof p->locale, &r, 20);
	p->smtp_enabled = ival(&r, 21);
	copy(p->smtp_host, sizeof p->smtp_host, &r, 22);
	p->smtp_port = ival(&r, 23);
	copy(p->smtp_tls, sizeof p->smtp_tls, &r, 24);
	copy(p->smtp_username, sizeof p->smtp_username, &r, 25);
	copy(p->smtp_password, sizeof p->smtp_password, &r, 26);
	copy(p->smtp_sender_email, sizeof p->smtp_sender_email, &r, 27);
	copy(p->smtp_sender_name, sizeof p->smtp_sender_name, &r, 28);
	copy(p->smtp_reply_to, sizeof p->smtp_reply_to, &r, 29);
	copy(p->sms_provider, sizeof p->sms_provider, &r, 30);
	copy(p->sms_from, sizeof p->sms_from, &r, 31);
	copy(p->sms_user, sizeof p->sms_user, &r, 32);
	copy(p->sms_secret, sizeof p->sms_secret, &r, 33);
	copy(p->sms_template_id, sizeof p->sms_template_id, &r, 34);
	copy(p->sms_url, sizeof p->sms_url, &r, 35);
	copy(p->mock_numbers, sizeof p->mock_numbers, &r, 36);
	/* columns 37..42: the password policy (004_password_policy.sql) */
	p->pw.min_length = ival(&r, 37);
	p->pw.upper = ival(&r, 38);
	p->pw.lower = ival(&r, 39);
	p->pw.number = ival(&r, 40);
	p->pw.symbol = ival(&r, 41);
	p->pw.min_score = ival(&r, 42);
	if (p->max_sessions < 1)
		p->max_sessions = 1;
	for (i = 0; i < pl.nrows && i < LK_MAX_PLATFORMS; i++) {
		struct platform *f = &p->platforms[i];
		snprintf(f->type, sizeof f->type, "%s", db_cell(&pl, i, 0) ? db_cell(&pl, i, 0) : "");
		snprintf(f->hostname, sizeof f->hostname, "%s", db_cell(&pl, i, 1) ? db_cell(&pl, i, 1) : "");
		snprintf(f->key, sizeof f->key, "%s", db_cell(&pl, i, 2) ? db_cell(&pl, i, 2) : "");
	}
	p->nplatforms = i;
	return 1;
}

enum lk_err project_get(const char *id, int64_t now_ms, struct arena *a,
    const struct project **out)
{
	struct project *slot;
	int i, rc;

	*out = NULL;
	for (i = 0; i < LK_PROJECT_CACHE; i++)
		if (strcmp(cache[i].id, id) == 0 &&
		    now_ms - cache[i].loaded_ms < LK_PROJECT_TTL_MS) {
			*out = &cache[i];
			return LK_OK;
		}
	for (i = 0; i < LK_PROJECT_CACHE; i++)
		if (strcmp(cache[i].id, id) == 0)
			break;
	slot = &cache[i < LK_PROJECT_CACHE ? i : (int)(next_slot++ % LK_PROJECT_CACHE)];
	rc = load(slot, id, a);
	if (rc < 0) {
		slot->id[0] = '\0';
		return E_SERVICE_UNAVAILABLE;
	}
	if (rc == 0) {
		slot->id[0] = '\0';
		return LK_OK;
	}
	slot->loaded_ms = now_ms;
	*out = slot;
	return LK_OK;
}
