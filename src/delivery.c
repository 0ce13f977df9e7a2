/* delivery.c: the delivery process (latchkey-delivery): claims due outbox
 * rows, sends them over SMTP or to the SMS provider, records the outcome
 * and backs off on failure (outbox_after_failure). A separate program so
 * that request workers never load libcurl and its TLS stack. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <curl/curl.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "delivery.h"
#include "mail.h"
#include "outbox.h"
#include "project.h"
#include "sms.h"
#include "timeutil.h"

#define OUTBOX_LOCK_MS 60000       /* a claimed message is ours this long */
#define OUTBOX_IDLE_MS 200         /* poll interval when nothing is due */
#define OUTBOX_KEEP_MS (7LL * 86400 * 1000) /* sent/failed rows kept a week */

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

int delivery_run(void)
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
