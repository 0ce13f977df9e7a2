/* test_mail_send.c: the mail_send half of the mail suite (test_mail.c
 * holds mail_build and main). Each case forks the SMTP sink of
 * mail_helpers.c on 127.0.0.1 and checks what arrives, or how a failure is
 * classified: 5xx replies permanent; 4xx replies, refused connections,
 * timeouts and a missing STARTTLS temporary. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "crypto.h"
#include "mail.h"
#include "mail_helpers.h"
#include "check_run.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MSG_MAX (1024 * 1024) /* room for any message */

/* ---- mail_send against the sink ---- */

/* Runs mail_send(c, m) against a sink in `mode` and collects its record.
 * Returns mail_send's result. */
static int
send_via(enum mh_sink_mode mode, struct smtp_conf *c, const struct mail_msg *m,
    struct buf *cmds, struct buf *data, char *err, size_t errn, int *perm)
{
	struct mh_sink k;
	int rc;

	ck_assert_int_eq(mh_sink_start(&k, mode), 0);
	c->port = k.port;
	rc = mail_send(c, m, err, errn, perm);
	mh_sink_finish(&k, cmds, data);
	return rc;
}

START_TEST(test_send_ok)
{
	struct smtp_conf c = std_conf();
	struct mail_msg m = std_msg();
	struct buf cmds, data, h, want;
	struct mh_parts p;
	char err[128];
	int perm = -1;

	buf_init(&cmds, MSG_MAX);
	buf_init(&data, MSG_MAX);
	buf_init(&h, 4096);
	buf_init(&want, MSG_MAX);
	memset(&p, 0, sizeof(p));
	m.subject = "Kontobestätigung für Zoë";
	m.text = ".dot line\n..two dots\n.\nend\n";
	ck_assert_int_eq(send_via(MH_SINK_OK, &c, &m, &cmds, &data, err,
	    sizeof(err), &perm), 0);
	ck_assert_int_eq(perm, 0);
	ck_assert_str_eq(err, "");
	ck_assert_ptr_nonnull(strstr(mh_str(&cmds), "MAIL FROM:<noreply@example.com>"));
	ck_assert_ptr_nonnull(strstr(mh_str(&cmds), "RCPT TO:<zoe@example.net>\r\n"));
	ck_assert_ptr_null(strstr(mh_str(&cmds), "AUTH"));
	ck_assert(mh_crlf_only(mh_str(&data), data.len));
	ck_assert(mh_header(mh_str(&data), "Message-ID", &h));
	ck_assert_str_eq(mh_str(&h), "<msg-1@example.com>");
	ck_assert(mh_header(mh_str(&data), "Subject", &h));
	ck_assert_int_eq(mh_words_decode(mh_str(&h), &want), 0);
	ck_assert_str_eq(mh_str(&want), m.subject);
	ck_assert_int_eq(mh_parts_parse(mh_str(&data), &p), 2);
	mh_crlf_norm(m.text, &want);
	ck_assert_str_eq(mh_str(&p.body[0]), mh_str(&want));
	mh_crlf_norm(m.html, &want);
	ck_assert_str_eq(mh_str(&p.body[1]), mh_str(&want));
	mh_parts_free(&p);
	buf_free(&cmds);
	buf_free(&data);
	buf_free(&h);
	buf_free(&want);
}
END_TEST

START_TEST(test_send_auth)
{
	struct smtp_conf c = std_conf();
	struct mail_msg m = std_msg();
	struct buf cmds, data;
	const char *a, *e;
	uint8_t dec[128];
	ssize_t n;
	int perm = -1;

	buf_init(&cmds, MSG_MAX);
	buf_init(&data, MSG_MAX);
	c.username = "sink-user";
	c.password = "pa ss:word";
	ck_assert_int_eq(send_via(MH_SINK_AUTH, &c, &m, &cmds, &data, NULL, 0,
	    &perm), 0);
	ck_assert_int_eq(perm, 0);
	a = strstr(mh_str(&cmds), "AUTHDATA ");
	if (a != NULL)
		a += 9;
	else if ((a = strstr(mh_str(&cmds), "AUTH PLAIN ")) != NULL)
		a += 11;
	ck_assert_ptr_nonnull(a);
	e = strstr(a, "\r\n");
	ck_assert_ptr_nonnull(e);
	n = crypto_b64_decode(a, (size_t)(e - a), dec, sizeof(dec), 0);
	ck_assert_int_eq(n, 1 + 9 + 1 + 10);
	ck_assert_mem_eq(dec, "\0sink-user\0pa ss:word", (size_t)n);
	ck_assert_uint_gt(data.len, 0);
	buf_free(&cmds);
	buf_free(&data);
}
END_TEST

/* Failures and whether retrying may help. */
static const struct {
	enum mh_sink_mode mode; /* how the sink answers */
	int permanent;          /* expected *permanent */
	const char *reply;      /* text expected in err */
} fail_cases[] = {
	{ MH_SINK_RCPT_550, 1, "550" },
	{ MH_SINK_RCPT_451, 0, "451" },
};

START_TEST(test_send_refused_rcpt)
{
	struct smtp_conf c = std_conf();
	struct mail_msg m = std_msg();
	struct buf cmds, data;
	char err[256];
	int perm = -1;

	buf_init(&cmds, MSG_MAX);
	buf_init(&data, MSG_MAX);
	c.password = "hunter2-secret";
	ck_assert_int_eq(send_via(fail_cases[_i].mode, &c, &m, &cmds, &data,
	    err, sizeof(err), &perm), -1);
	ck_assert_int_eq(perm, fail_cases[_i].permanent);
	ck_assert_ptr_nonnull(strstr(err, fail_cases[_i].reply));
	ck_assert_ptr_null(strstr(err, "hunter2"));
	ck_assert_ptr_null(strstr(err, "Reset"));
	ck_assert_uint_eq(data.len, 0);
	buf_free(&cmds);
	buf_free(&data);
}
END_TEST

START_TEST(test_send_connection)
{
	struct smtp_conf c = std_conf();
	struct mail_msg m = std_msg();
	struct buf cmds, data;
	char err[256];
	int perm = -1;
	time_t t0;

	/* nobody listening: temporary */
	c.port = mh_closed_port();
	ck_assert_int_gt(c.port, 0);
	ck_assert_int_eq(mail_send(&c, &m, err, sizeof(err), &perm), -1);
	ck_assert_int_eq(perm, 0);
	ck_assert_uint_gt(strlen(err), 0);
	/* a server that never answers: timeout, temporary */
	buf_init(&cmds, MSG_MAX);
	buf_init(&data, MSG_MAX);
	c.timeout_s = 1;
	t0 = time(NULL);
	perm = -1;
	ck_assert_int_eq(send_via(MH_SINK_SILENT, &c, &m, &cmds, &data, err,
	    sizeof(err), &perm), -1);
	ck_assert_int_eq(perm, 0);
	ck_assert_int_le(time(NULL) - t0, 5);
	/* STARTTLS required but not offered: nothing is sent in clear */
	c = std_conf();
	c.tls = SMTP_TLS_STARTTLS;
	perm = -1;
	ck_assert_int_eq(send_via(MH_SINK_OK, &c, &m, &cmds, &data, err,
	    sizeof(err), &perm), -1);
	ck_assert_int_eq(perm, 0);
	ck_assert_ptr_null(strstr(mh_str(&cmds), "MAIL FROM"));
	ck_assert_uint_eq(data.len, 0);
	buf_free(&cmds);
	buf_free(&data);
}
END_TEST

/* Configurations or messages mail_send refuses before connecting. */
static const struct {
	const char *host; /* SMTP host */
	int port;         /* port */
	const char *to;   /* recipient */
	int permanent;    /* expected *permanent */
} bad_cases[] = {
	{ NULL, 25, "zoe@example.net", 0 },
	{ "", 25, "zoe@example.net", 0 },
	{ "mail.example.com/x", 25, "zoe@example.net", 0 },
	{ "user@mail.example.com", 25, "zoe@example.net", 0 },
	{ "mail example", 25, "zoe@example.net", 0 },
	{ "::1:zz", 25, "zoe@example.net", 0 },
	{ "127.0.0.1", 70000, "zoe@example.net", 0 },
	{ "127.0.0.1", -1, "zoe@example.net", 0 },
	{ "127.0.0.1", 25, "not-an-address", 1 },
	{ "127.0.0.1", 25, "zoe@example.net\r\nRCPT TO:<x@y.z>", 1 },
};

START_TEST(test_send_bad)
{
	struct smtp_conf c = std_conf();
	struct mail_msg m = std_msg();
	char err[256];
	int perm = -1;

	c.host = bad_cases[_i].host;
	c.port = bad_cases[_i].port;
	m.to = bad_cases[_i].to;
	ck_assert_int_eq(mail_send(&c, &m, err, sizeof(err), &perm), -1);
	ck_assert_int_eq(perm, bad_cases[_i].permanent);
	ck_assert_uint_gt(strlen(err), 0);
	ck_assert_int_eq(mail_send(&c, &m, NULL, 0, NULL), -1);
}
END_TEST


/* Returns the "send" test case of the mail suite. */
TCase *
mail_send_tcase(void)
{
	TCase *tc = check_tcase("send");

	tcase_add_test(tc, test_send_ok);
	tcase_add_test(tc, test_send_auth);
	tcase_add_loop_test(tc, test_send_refused_rcpt, 0, NELEM(fail_cases));
	tcase_add_test(tc, test_send_connection);
	tcase_add_loop_test(tc, test_send_bad, 0, NELEM(bad_cases));
	return tc;
}
