/* outbox.c: writing messages to the outbox and the delivery process
 * (see outbox.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "outbox.h"
#include "ua.h"
#include "timeutil.h"

#define OUTBOX_MAX_ATTEMPTS 50     /* then the message is marked failed */
#define OUTBOX_BACKOFF_CAP_S 30    /* longest wait between attempts */

static const char *const sms_names[SMS_TM__COUNT] = { "login", "verification", "mfaChallenge" };

int outbox_mail_ready(const struct ctx *c)
{
	return (c->proj->smtp_enabled && c->proj->smtp_host[0]) ||
	    (cfg.smtp_host && cfg.smtp_host[0]);
}

int outbox_sms_ready(const struct ctx *c)
{
	return c->proj->sms_provider[0] || (cfg.sms_provider && cfg.sms_provider[0]) ||
	    (cfg.sms_webhook && cfg.sms_webhook[0]);
}

const char *outbox_locale(struct ctx *c)
{
	const char *l = ctx_str(c, "locale");

	if (l == NULL || *l == '\0')
		l = http_env(&c->r, "HTTP_X_APPWRITE_LOCALE");
	return tmpl_locale(l ? l : "", c->proj->locale);
}

/* Loads the project's custom template (channel, type, locale) into r;
 * returns 1 when there is one. */
static int custom_template(struct ctx *c, const char *channel, const char *type,
    const char *locale, struct dbres *r)
{
	struct dbv a[] = { DVS(c->proj->id), DVS(channel), DVS(type), DVS(locale) };

	return db_exec(ST_TEMPLATE_GET, a, 4, r, c->a) == DB_OK && r->nrows == 1;
}

/* Seals plain[0..n) and inserts the outbox row. */
static enum db_rc insert(struct ctx *c, const char *channel, const char *to,
    const char *to_name, const char *subject, const uint8_t *plain, size_t n,
    const struct dbres *custom)
{
	char id[21], now[LK_DBTIME_LEN];
	uint8_t *sealed = arena_alloc(c->a, n + LK_SEAL_OVERHEAD);
	ssize_t sn;
	const char *sname = "", *semail = "", *reply = "";

	if (sealed == NULL || crypto_unique_id(id) < 0 ||
	    (sn = crypto_seal(cfg.enc_key, plain, n, sealed, n + LK_SEAL_OVERHEAD)) < 0)
		return DB_FAIL;
	if (custom) {
		sname = db_cell(custom, 0, 2) ? db_cell(custom, 0, 2) : "";
		semail = db_cell(custom, 0, 3) ? db_cell(custom, 0, 3) : "";
		reply = db_cell(custom, 0, 4) ? db_cell(custom, 0, 4) : "";
	}
	time_db(c->now_ms, now);
	{
		struct dbv a[] = { DVS(id), DVS(c->proj->id), DVS(channel), DVS(to),
		    DVS(to_name ? to_name : ""), DVS(subject), DVB(sealed, (size_t)sn),
		    DVS(sname), DVS(semail), DVS(reply), DVS(now), DVS(now) };
		return db_exec(ST_OUTBOX_INSERT, a, 12, NULL, c->a);
	}
}

enum db_rc outbox_email(struct ctx *c, const char *to, const char *to_name,
    enum tmpl_type t, const struct tmpl_var *vars, int nvars)
{
	struct buf subject, html, text, plain;
	struct dbres custom;
	const char *locale = outbox_locale(c);
	char *name = arena_strndup(c->a, to_name ? to_name : "", to_name ? strlen(to_name) : 0);
	char *q;
	int have = c->proj->smtp_enabled &&
	    custom_template(c, "email", tmpl_type_name(t), locale, &custom);
	enum db_rc rc = DB_FAIL;

	/* a display name is a header value: no control bytes */
	for (q = name; q && *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = ' ';
	buf_init(&subject, 998);
	buf_init(&html, 512 * 1024);
	buf_init(&text, 512 * 1024);
	buf_init(&plain, 1024 * 1024 + 1);
	if (tmpl_render(t, locale, vars, nvars, have ? db_cell(&custom, 0, 0) : NULL,
	    have ? db_cell(&custom, 0, 1) : NULL, &subject, &html, &text) < 0)
		goto out;
	/* sealed body: HTML, a NUL, then the text part */
	buf_add(&plain, html.data ? html.data : "", html.len);
	buf_addc(&plain, '\0');
	buf_add(&plain, text.data ? text.data : "", text.len);
	if (plain.err)
		goto out;
	rc = insert(c, "email", to, name ? name : "", subject.data ? subject.data : "",
	    (const uint8_t *)plain.data, plain.len, have ? &custom : NULL);
out:
	crypto_wipe(plain.data, plain.cap);
	crypto_wipe(html.data, html.cap);
	crypto_wipe(text.data, text.cap);
	buf_free(&subject);
	buf_free(&html);
	buf_free(&text);
	buf_free(&plain);
	return rc;
}

enum db_rc outbox_sms(struct ctx *c, const char *to, enum sms_tmpl_type t,
    const struct tmpl_var *vars, int nvars)
{
	struct buf msg;
	struct dbres custom;
	const char *locale = outbox_locale(c);
	int have = custom_template(c, "sms", sms_names[t], locale, &custom);
	enum db_rc rc = DB_FAIL;

	buf_init(&msg, 2048);
	if (tmpl_render_sms(t, locale, vars, nvars, have ? db_cell(&custom, 0, 1) : NULL,
	    &msg) == 0 && !msg.err)
		rc = insert(c, "sms", to, "", "", (const uint8_t *)(msg.data ? msg.data : ""),
		    msg.len, NULL);
	crypto_wipe(msg.data, msg.cap);
	buf_free(&msg);
	return rc;
}

const char *outbox_after_failure(int attempts, int permanent, long long *delay_s)
{
	/* 1, 2, 4, 8, 16 s, then every OUTBOX_BACKOFF_CAP_S */
	*delay_s = attempts >= 6 ? OUTBOX_BACKOFF_CAP_S : 1LL << (attempts > 1 ? attempts - 1 : 0);
	if (*delay_s > OUTBOX_BACKOFF_CAP_S)
		*delay_s = OUTBOX_BACKOFF_CAP_S;
	return permanent || attempts >= OUTBOX_MAX_ATTEMPTS ? "failed" : "pending";
}

void outbox_agent_vars(struct ctx *c, struct tmpl_var *vars, int *n)
{
	struct ua_info *u = arena_alloc(c->a, sizeof *u);

	if (u == NULL)
		return;
	ua_parse(c->ua, strlen(c->ua), u);
	vars[(*n)++] = (struct tmpl_var){ "agentDevice", u->device_brand[0] ? u->device_brand : "UNKNOWN" };
	vars[(*n)++] = (struct tmpl_var){ "agentClient", u->client_name[0] ? u->client_name : "UNKNOWN" };
	vars[(*n)++] = (struct tmpl_var){ "agentOs", u->os_name[0] ? u->os_name : "UNKNOWN" };
}
