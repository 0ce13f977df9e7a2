/* outbox.c: writing messages to the outbox and the delivery process
 * (see outbox.h). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include <curl/curl.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "mail.h"
#include "outbox.h"
#include "project.h"
#include "sms.h"
#include "timeutil.h"

#define OUTBOX_MAX_ATTEMPTS 50     /* then the message is marked failed */
#define OUTBOX_LOCK_MS 60000       /* a claimed message is ours this long */
#define OUTBOX_BACKOFF_CAP_S 30    /* longest wait between attempts */
#define OUTBOX_IDLE_MS 200         /* poll interval when nothing is due */
#define OUTBOX_KEEP_MS (7LL * 86400 * 1000) /* sent/failed rows kept a week */

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
		l = http_env(c->r.envp, "HTTP_X_APPWRITE_LOCALE");
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

/* ---- the delivery process ---- */

static volatile sig_atomic_t stop_delivery; /* SIGTERM seen */

/* SIGTERM handler: finish the current message, then exit. */
static void on_stop(int sig)
{
	(void)sig;
	stop_delivery = 1;
}

/* Fills the SMTP settings for project p (its own when enabled, else the
 * server's) and the sender overrides of the message row r. */
static void smtp_for(const struct project *p, const struct dbres *r,
    struct smtp_conf *s)
{
	const char *tls = p->smtp_enabled && p->smtp_host[0] ? p->smtp_tls : cfg.smtp_tls;

	memset(s, 0, sizeof *s);
	if (p->smtp_enabled && p->smtp_host[0]) {
		s->host = p->smtp_host;
		s->port = p->smtp_port;
		s->username = p->smtp_username;
		s->password = p->smtp_password;
		s->sender_email = p->smtp_sender_email[0] ? p->smtp_sender_email : cfg.smtp_sender_email;
		s->sender_name = p->smtp_sender_name;
		s->reply_to = p->smtp_reply_to;
	} else {
		s->host = cfg.smtp_host;
		s->port = (int)cfg.smtp_port;
		s->username = cfg.smtp_username;
		s->password = cfg.smtp_password;
		s->sender_email = cfg.smtp_sender_email;
		s->sender_name = cfg.smtp_sender_name;
		s->reply_to = cfg.smtp_reply_to;
	}
	if (smtp_tls_parse(tls, &s->tls) < 0)
		s->tls = SMTP_TLS_NONE;
	if (*db_cell(r, 0, 7))
		s->sender_name = db_cell(r, 0, 7);
	if (*db_cell(r, 0, 8))
		s->sender_email = db_cell(r, 0, 8);
	if (*db_cell(r, 0, 9))
		s->reply_to = db_cell(r, 0, 9);
}

/* Fills the SMS settings for project p (its own provider, else the server's). */
static int sms_for(const struct project *p, struct sms_conf *s)
{
	memset(s, 0, sizeof *s);
	if (p->sms_provider[0]) {
		s->from = p->sms_from;
		s->user = p->sms_user;
		s->secret = p->sms_secret;
		s->template_id = p->sms_template_id;
		s->url = p->sms_url;
		return sms_provider_parse(p->sms_provider, &s->provider);
	}
	s->from = cfg.sms_from;
	s->user = cfg.sms_user;
	s->secret = cfg.sms_secret;
	s->template_id = cfg.sms_template_id;
	if (cfg.sms_provider && cfg.sms_provider[0]) {
		s->url = cfg.sms_url;
		return sms_provider_parse(cfg.sms_provider, &s->provider);
	}
	s->provider = SMS_WEBHOOK;
	s->url = cfg.sms_webhook;
	return cfg.sms_webhook && cfg.sms_webhook[0] ? 0 : -1;
}

/* Sends outbox row r. Returns 0 sent, -1 failed (*permanent when hopeless). */
static int send_row(const struct dbres *r, struct arena *a, char *err, size_t errn,
    int *permanent)
{
	const struct project *p = NULL;
	const char *sealed = db_cell(r, 0, 6);
	size_t sn = r->len[6];
	uint8_t *plain = arena_alloc(a, sn + 1);
	ssize_t pn;
	int rc = -1;

	*permanent = 0;
	if (project_get(db_cell(r, 0, 1), time_now_ms(), a, &p) != LK_OK || p == NULL) {
		snprintf(err, errn, "project unavailable");
		return -1;
	}
	if (sealed == NULL || plain == NULL ||
	    (pn = crypto_open(cfg.enc_key, (const uint8_t *)sealed, sn, plain, sn + 1)) < 0) {
		snprintf(err, errn, "message cannot be opened (enc_key changed?)");
		*permanent = 1;
		return -1;
	}
	plain[pn] = '\0';
	if (strcmp(db_cell(r, 0, 2), "email") == 0) {
		struct smtp_conf sc;
		struct mail_msg m;
		char mid[64];
		size_t hl = strlen((char *)plain);
		smtp_for(p, r, &sc);
		snprintf(mid, sizeof mid, "%s@latchkey", db_cell(r, 0, 0));
		m.to = db_cell(r, 0, 3);
		m.to_name = db_cell(r, 0, 4);
		m.subject = db_cell(r, 0, 5);
		m.html = (char *)plain;
		m.text = hl < (size_t)pn ? (char *)plain + hl + 1 : "";
		m.message_id = mid;
		rc = mail_send(&sc, &m, err, errn, permanent);
	} else {
		struct sms_conf sc;
		if (sms_for(p, &sc) < 0) {
			snprintf(err, errn, "no SMS provider configured");
			rc = -1;
		} else
			rc = sms_send(&sc, db_cell(r, 0, 3), (char *)plain, err, errn, permanent);
	}
	crypto_wipe(plain, (size_t)pn);
	return rc;
}

/* Claims up to 10 due messages for `me`; their ids go to ids. Returns the
 * count, or -1 on a database error. */
static int claim(const char *me, struct arena *a, char ids[10][21])
{
	char now[LK_DBTIME_LEN], until[LK_DBTIME_LEN];
	int64_t t = time_now_ms();
	struct dbres r;
	int i, n = 0;

	time_db(t, now);
	time_db(t + OUTBOX_LOCK_MS, until);
	if (db_begin() != DB_OK)
		return -1;
	{
		struct dbv q[] = { DVS(now), DVS(now) };
		if (db_exec(ST_OUTBOX_DUE, q, 2, &r, a) != DB_OK)
			goto fail;
	}
	for (i = 0; i < r.nrows && i < 10; i++) {
		struct dbv u[] = { DVS(me), DVS(until), DVS(db_cell(&r, i, 0)) };
		if (db_exec(ST_OUTBOX_CLAIM, u, 3, NULL, a) != DB_OK)
			goto fail;
		snprintf(ids[n++], 21, "%s", db_cell(&r, i, 0));
	}
	if (db_commit() != DB_OK)
		return -1;
	return n;
fail:
	db_rollback();
	return -1;
}

const char *outbox_after_failure(int attempts, int permanent, long long *delay_s)
{
	/* 1, 2, 4, 8, 16 s, then every OUTBOX_BACKOFF_CAP_S */
	*delay_s = attempts >= 6 ? OUTBOX_BACKOFF_CAP_S : 1LL << (attempts > 1 ? attempts - 1 : 0);
	if (*delay_s > OUTBOX_BACKOFF_CAP_S)
		*delay_s = OUTBOX_BACKOFF_CAP_S;
	return permanent || attempts >= OUTBOX_MAX_ATTEMPTS ? "failed" : "pending";
}

/* Sends one claimed message and records the outcome. */
static void deliver(const char *me, const char *id, struct arena *a)
{
	char err[256] = "", now[LK_DBTIME_LEN], next[LK_DBTIME_LEN];
	struct dbres r;
	int permanent = 0, attempts;
	int64_t t;
	long long delay;
	const char *status;
	struct dbv g[] = { DVS(id), DVS(me) };

	if (db_exec(ST_OUTBOX_GET, g, 2, &r, a) != DB_OK || r.nrows != 1)
		return;
	if (send_row(&r, a, err, sizeof err, &permanent) == 0) {
		time_db(time_now_ms(), now);
		{
			struct dbv s[] = { DVS(now), DVS(id), DVS(me) };
			(void)db_exec(ST_OUTBOX_SENT, s, 3, NULL, a);
		}
		return;
	}
	attempts = (int)strtol(db_cell(&r, 0, 10), NULL, 10);
	status = outbox_after_failure(attempts, permanent, &delay);
	t = time_now_ms();
	time_db(t + delay * 1000, next);
	syslog(LOG_WARNING, "delivery: %s %s attempt %d: %s", db_cell(&r, 0, 2), id,
	    attempts, err);
	{
		struct dbv u[] = { DVS(status), DVS(next), DVS(err), DVS(id), DVS(me) };
		(void)db_exec(ST_OUTBOX_RETRY, u, 5, NULL, a);
	}
}

int outbox_run(void)
{
	struct sigaction sa;
	struct arena a;
	char me[128], host[64] = "localhost", like[80];
	char ids[10][21];
	int64_t last_gc = 0;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (arena_init(&a, LK_ARENA_SIZE) < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	gethostname(host, sizeof host - 1);
	snprintf(me, sizeof me, "%s:%d", host, (int)getpid());
	snprintf(like, sizeof like, "%s:%%", host);
	while (!stop_delivery) {
		int n, i;
		arena_reset(&a);
		if (db_ensure() != DB_OK) {
			usleep(500000);
			continue;
		}
		if (last_gc == 0) {
			/* messages a dead predecessor on this host had claimed */
			struct dbv rel[] = { DVS(like), DVS(me) };
			(void)db_exec(ST_OUTBOX_RELEASE_HOST, rel, 2, NULL, &a);
		}
		if (time_now_ms() - last_gc > 3600000) {
			char old[LK_DBTIME_LEN];
			time_db(time_now_ms() - OUTBOX_KEEP_MS, old);
			{
				struct dbv gc[] = { DVS(old) };
				(void)db_exec(ST_OUTBOX_GC, gc, 1, NULL, &a);
			}
			last_gc = time_now_ms();
		}
		n = claim(me, &a, ids);
		for (i = 0; i < n && !stop_delivery; i++)
			deliver(me, ids[i], &a);
		if (n <= 0)
			usleep(OUTBOX_IDLE_MS * 1000);
	}
	db_close();
	arena_free(&a);
	curl_global_cleanup();
	return 0;
}
