/* test_mail.c: check suite for src/mail.c. mail_build is checked for its
 * shape (headers, CRLF only, line lengths, boundaries), its encodings (RFC
 * 2047 words and quoted-printable bodies decode back to the input, with
 * decoders in mail_helpers.c) and its refusals. The mail_send cases are
 * in test_mail_send.c, linked into the same program. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "check_run.h"
#include "buf.h"
#include "crypto.h"
#include "mail.h"
#include "mail_helpers.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MSG_MAX (1024 * 1024) /* room for any built message */
#define NOW_MS 1700000000000LL /* Tue, 14 Nov 2023 22:13:20 UTC */

/* A configuration and message every case starts from. */
struct smtp_conf
std_conf(void)
{
	struct smtp_conf c = {
		.host = "127.0.0.1", .port = 0, .tls = SMTP_TLS_NONE,
		.username = NULL, .password = NULL,
		.sender_email = "noreply@example.com", .sender_name = "Latchkey",
		.reply_to = "help@example.com", .timeout_s = 5,
	};
	return c;
}

/* See std_conf. */
struct mail_msg
std_msg(void)
{
	struct mail_msg m = {
		.to = "zoe@example.net", .to_name = "Zoë Quill",
		.subject = "Password Reset",
		.html = "<p>Hello Zoë,</p>\n<p><a href=\"https://x/?a=1&amp;b=2\">Reset</a></p>\n",
		.text = "Hello Zoë,\n\nReset: https://x/?a=1&b=2\n",
		.message_id = "msg-1@example.com",
	};
	return m;
}

/* ---- mail_build ---- */

START_TEST(test_build_shape)
{
	struct smtp_conf c = std_conf();
	struct mail_msg m = std_msg();
	struct buf b, h, want;
	struct mh_parts p;
	const char *hdr_end;

	buf_init(&b, MSG_MAX);
	buf_init(&h, 4096);
	buf_init(&want, MSG_MAX);
	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(mail_build(&c, &m, NOW_MS, &b), 0);
	ck_assert(mh_crlf_only(mh_str(&b), b.len));
	ck_assert_uint_le(mh_max_line(mh_str(&b), b.len), 998);
	hdr_end = strstr(mh_str(&b), "\r\n\r\n");
	ck_assert_ptr_nonnull(hdr_end);
	ck_assert_uint_le(mh_max_line(mh_str(&b), (size_t)(hdr_end - mh_str(&b))), 78);
	ck_assert(mh_header(mh_str(&b), "Date", &h));
	ck_assert_str_eq(mh_str(&h), "Tue, 14 Nov 2023 22:13:20 +0000");
	ck_assert(mh_header(mh_str(&b), "From", &h));
	ck_assert_str_eq(mh_str(&h), "\"Latchkey\" <noreply@example.com>");
	ck_assert(mh_header(mh_str(&b), "To", &h));
	ck_assert_str_eq(mh_str(&h), "=?UTF-8?B?Wm/DqyBRdWlsbA==?= <zoe@example.net>");
	ck_assert(mh_header(mh_str(&b), "Reply-To", &h));
	ck_assert_str_eq(mh_str(&h), "help@example.com");
	ck_assert(mh_header(mh_str(&b), "Subject", &h));
	ck_assert_str_eq(mh_str(&h), "Password Reset");
	ck_assert(mh_header(mh_str(&b), "Message-ID", &h));
	ck_assert_str_eq(mh_str(&h), "<msg-1@example.com>");
	ck_assert(mh_header(mh_str(&b), "MIME-Version", &h));
	ck_assert_str_eq(mh_str(&h), "1.0");
	ck_assert_int_eq(mh_parts_parse(mh_str(&b), &p), 2);
	ck_assert_str_eq(mh_str(&p.type[0]), "text/plain; charset=UTF-8");
	ck_assert_str_eq(mh_str(&p.type[1]), "text/html; charset=UTF-8");
	mh_crlf_norm(m.text, &want);
	ck_assert_str_eq(mh_str(&p.body[0]), mh_str(&want));
	mh_crlf_norm(m.html, &want);
	ck_assert_str_eq(mh_str(&p.body[1]), mh_str(&want));
	ck_assert_uint_eq(strlen(p.boundary), 36);
	ck_assert_ptr_null(strstr(m.text, p.boundary));
	mh_parts_free(&p);
	buf_free(&b);
	buf_free(&h);
	buf_free(&want);
}
END_TEST

/* now_ms -> Date header. */
static const struct {
	int64_t ms;       /* input */
	const char *date; /* expected value */
} date_cases[] = {
	{ 0, "Thu, 01 Jan 1970 00:00:00 +0000" },
	{ NOW_MS, "Tue, 14 Nov 2023 22:13:20 +0000" },
	{ 951782400999LL, "Tue, 29 Feb 2000 00:00:00 +0000" },
	{ 4102444799000LL, "Thu, 31 Dec 2099 23:59:59 +0000" },
	{ -5, "Thu, 01 Jan 1970 00:00:00 +0000" },
};

START_TEST(test_date)
{
	struct smtp_conf c = std_conf();
	struct mail_msg m = std_msg();
	struct buf b, h;

	buf_init(&b, MSG_MAX);
	buf_init(&h, 256);
	ck_assert_int_eq(mail_build(&c, &m, date_cases[_i].ms, &b), 0);
	ck_assert(mh_header(mh_str(&b), "Date", &h));
	ck_assert_str_eq(mh_str(&h), date_cases[_i].date);
	buf_free(&b);
	buf_free(&h);
}
END_TEST

/* Bodies that must survive quoted-printable unchanged (up to CRLF). */
static const char *const qp_cases[] = {
	"",
	"hello",
	"line1\nline2\n",
	"crlf\r\nline\r\n",
	"lone\rcr and \r\r\n",
	"trailing space \nand tab\t\nend ",
	"a=b==c=\n=",
	".leading dot\n.\n..\n.",
	"From me\nFrom: you\n",
	"\x01\x02\x1b[0m\x7f bytes",
	"=_lk0123456789abcdef0123456789abcdef fake boundary",
	"tab\tin\tthe\tmiddle",
	"Zoë — 日本語 — \xf0\x9f\x98\x80 — العربية",
	"\xff\xfe raw 8-bit",
	"x\n\n\n\ny",
};

/* Checks that body s comes back from both parts. */
static void
qp_check(const char *s)
{
	struct smtp_conf c = std_conf();
	struct mail_msg m = std_msg();
	struct buf b, want;
	struct mh_parts p;

	buf_init(&b, MSG_MAX);
	buf_init(&want, MSG_MAX);
	memset(&p, 0, sizeof(p));
	m.text = s;
	m.html = s;
	ck_assert_int_eq(mail_build(&c, &m, NOW_MS, &b), 0);
	ck_assert(mh_crlf_only(mh_str(&b), b.len));
	ck_assert_int_eq(mh_parts_parse(mh_str(&b), &p), 2);
	mh_crlf_norm(s, &want);
	ck_assert_uint_eq(p.body[0].len, want.len);
	ck_assert_mem_eq(mh_str(&p.body[0]), mh_str(&want), want.len);
	ck_assert_mem_eq(mh_str(&p.body[1]), mh_str(&want), want.len);
	mh_parts_free(&p);
	buf_free(&b);
	buf_free(&want);
}

START_TEST(test_qp_roundtrip)
{
	qp_check(qp_cases[_i]);
}
END_TEST

START_TEST(test_qp_long)
{
	static const char *const units[] = { "x", "é", "= ", " ", "\xe2\x82\xac.",
		"." };
	struct buf s;
	int i;

	buf_init(&s, MSG_MAX);
	for (i = 0; i < 3000; i++)
		buf_adds(&s, units[_i]);
	buf_adds(&s, "\nend\n");
	for (i = 0; i < 500; i++)
		buf_adds(&s, units[_i]);
	qp_check(mh_str(&s));
	buf_free(&s);
}
END_TEST

/* Subjects: whether they must be encoded, and that they decode back. */
static const struct {
	const char *subject; /* input */
	int encoded;         /* 1: RFC 2047 words expected */
} subject_cases[] = {
	{ "Password Reset", 0 },
	{ "", 0 },
	{ "Kontobestätigung", 1 },
	{ "OTP for Zoë's 日本語 project Login", 1 },
	{ "=?UTF-8?B?SGk=?= looks encoded", 1 },
	{ "A very long ASCII subject line that goes on and on well past the "
	  "seventy-eight column limit of a header line, twice over at least", 1 },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xf0\x9f\x98\x80"
	  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 1 },
	{ "تنبيه أمني: جلسة جديدة في حسابك على مشروع طويل الاسم جدًا جدًا جدًا", 1 },
};

START_TEST(test_subject_encoding)
{
	struct smtp_conf c = std_conf();
	struct mail_msg m = std_msg();
	struct buf b, h, d;
	const char *hdr_end;

	buf_init(&b, MSG_MAX);
	buf_init(&h, 8192);
	buf_init(&d, 8192);
	m.subject = subject_cases[_i].subject;
	ck_assert_int_eq(mail_build(&c, &m, NOW_MS, &b), 0);
	hdr_end = strstr(mh_str(&b), "\r\n\r\n");
	ck_assert_uint_le(mh_max_line(mh_str(&b), (size_t)(hdr_end - mh_str(&b))), 78);
	ck_assert(mh_header(mh_str(&b), "Subject", &h));
	ck_assert_int_eq(strstr(mh_str(&h), "=?UTF-8?B?") == mh_str(&h),
	    subject_cases[_i].encoded);
	ck_assert_int_eq(mh_words_decode(mh_str(&h), &d), 0);
	ck_assert_str_eq(mh_str(&d), subject_cases[_i].subject);
	buf_free(&b);
	buf_free(&h);
	buf_free(&d);
}
END_TEST

/* Sender display names and the From header they give. */
static const struct {
	const char *name;    /* sender_name */
	const char *from;    /* expected From value, NULL = encoded */
} from_cases[] = {
	{ "", "noreply@example.com" },
	{ NULL, "noreply@example.com" },
	{ "Acme", "\"Acme\" <noreply@example.com>" },
	{ "Say \"hi\" \\o/, ok", "\"Say \\\"hi\\\" \\\\o/, ok\" <noreply@example.com>" },
	{ "Zoë's Café", NULL },
	{ "=?UTF-8?B?SGk=?=", NULL },
};

START_TEST(test_from)
{
	struct smtp_conf c = std_conf();
	struct mail_msg m = std_msg();
	struct buf b, h, d;
	char *lt;

	buf_init(&b, MSG_MAX);
	buf_init(&h, 4096);
	buf_init(&d, 4096);
	c.sender_name = from_cases[_i].name;
	ck_assert_int_eq(mail_build(&c, &m, NOW_MS, &b), 0);
	ck_assert(mh_header(mh_str(&b), "From", &h));
	if (from_cases[_i].from != NULL)
		ck_assert_str_eq(mh_str(&h), from_cases[_i].from);
	else {
		lt = strstr(h.data, " <noreply@example.com>");
		ck_assert_ptr_nonnull(lt);
		*lt = '\0';
		ck_assert_int_eq(mh_words_decode(mh_str(&h), &d), 0);
		ck_assert_str_eq(mh_str(&d), from_cases[_i].name);
	}
	buf_free(&b);
	buf_free(&h);
	buf_free(&d);
}
END_TEST

/* Which field a refusal case spoils. */
enum field { F_TO, F_TO_NAME, F_SUBJECT, F_SENDER, F_SENDER_NAME, F_REPLY_TO,
	F_MSGID };

/* Inputs mail_build must refuse. */
static const struct {
	enum field f;    /* field */
	const char *v;   /* value */
} refuse_cases[] = {
	{ F_TO, "zoe@example.net\r\nBcc: evil@example.org" },
	{ F_TO, "zoe@example.net\n" },
	{ F_TO, "not-an-address" },
	{ F_TO, "" },
	{ F_TO, NULL },
	{ F_TO, "Zoë <zoe@example.net>" },
	{ F_TO_NAME, "Zoë\r\nBcc: evil@example.org" },
	{ F_TO_NAME, "Zoë\n" },
	{ F_TO_NAME, "tab\tname" },
	{ F_SUBJECT, "Hi\r\nBcc: evil@example.org" },
	{ F_SUBJECT, "Hi\r" },
	{ F_SUBJECT, "Hi\n" },
	{ F_SUBJECT, "bad \xff utf-8" },
	{ F_SUBJECT, "nul-ish \x01" },
	{ F_SENDER, "noreply@example.com\r\n" },
	{ F_SENDER, "" },
	{ F_SENDER, NULL },
	{ F_SENDER, "a@-b" },
	{ F_SENDER, "a b@localhost" },
	{ F_SENDER, "a@[localhost" },
	{ F_TO, "zoe@localhost" },
	{ F_SENDER_NAME, "Acme\r\nX-Evil: 1" },
	{ F_SENDER_NAME, "Acme\x7f" },
	{ F_REPLY_TO, "help@example.com\nBcc: x@y.z" },
	{ F_REPLY_TO, "help" },
	{ F_MSGID, "id@example.com\r\nX: y" },
	{ F_MSGID, "<id@example.com>" },
	{ F_MSGID, "a@b@c" },
	{ F_MSGID, "@example.com" },
	{ F_MSGID, "id@" },
	{ F_MSGID, "has space@example.com" },
};

START_TEST(test_refuse)
{
	struct smtp_conf c = std_conf();
	struct mail_msg m = std_msg();
	const char *v = refuse_cases[_i].v;
	struct buf b;

	switch (refuse_cases[_i].f) {
	case F_TO: m.to = v; break;
	case F_TO_NAME: m.to_name = v; break;
	case F_SUBJECT: m.subject = v; break;
	case F_SENDER: c.sender_email = v; break;
	case F_SENDER_NAME: c.sender_name = v; break;
	case F_REPLY_TO: c.reply_to = v; break;
	case F_MSGID: m.message_id = v; break;
	}
	buf_init(&b, MSG_MAX);
	ck_assert_int_eq(mail_build(&c, &m, NOW_MS, &b), -1);
	buf_free(&b);
}
END_TEST

START_TEST(test_build_misc)
{
	struct smtp_conf c = std_conf();
	struct mail_msg m = std_msg();
	struct buf b, b2, h, h2;

	buf_init(&b, MSG_MAX);
	buf_init(&b2, MSG_MAX);
	buf_init(&h, 4096);
	buf_init(&h2, 4096);
	/* NULL arguments */
	ck_assert_int_eq(mail_build(NULL, &m, NOW_MS, &b), -1);
	ck_assert_int_eq(mail_build(&c, NULL, NOW_MS, &b), -1);
	ck_assert_int_eq(mail_build(&c, &m, NOW_MS, NULL), -1);
	/* no Reply-To without one; NULL bodies and names are empty */
	c.reply_to = NULL;
	m.text = m.html = m.to_name = m.subject = NULL;
	ck_assert_int_eq(mail_build(&c, &m, NOW_MS, &b), 0);
	ck_assert(!mh_header(mh_str(&b), "Reply-To", &h));
	ck_assert(mh_header(mh_str(&b), "To", &h));
	ck_assert_str_eq(mh_str(&h), "zoe@example.net");
	/* an admin's sender may use a one-label domain (the default) */
	c.sender_email = "latchkey@localhost";
	c.reply_to = "postmaster@relay";
	c.sender_name = "";
	m.message_id = NULL;
	buf_reset(&b);
	ck_assert_int_eq(mail_build(&c, &m, NOW_MS, &b), 0);
	ck_assert(mh_header(mh_str(&b), "From", &h));
	ck_assert_str_eq(mh_str(&h), "latchkey@localhost");
	ck_assert(mh_header(mh_str(&b), "Reply-To", &h));
	ck_assert_str_eq(mh_str(&h), "postmaster@relay");
	ck_assert(mh_header(mh_str(&b), "Message-ID", &h));
	ck_assert_ptr_nonnull(strstr(mh_str(&h), "@localhost>"));
	c = std_conf();
	c.reply_to = NULL;
	/* the Message-ID: given, completed with the sender domain, or random */
	m = std_msg();
	m.message_id = "outbox-42";
	buf_reset(&b);
	ck_assert_int_eq(mail_build(&c, &m, NOW_MS, &b), 0);
	ck_assert(mh_header(mh_str(&b), "Message-ID", &h));
	ck_assert_str_eq(mh_str(&h), "<outbox-42@example.com>");
	m.message_id = "";
	buf_reset(&b);
	ck_assert_int_eq(mail_build(&c, &m, NOW_MS, &b), 0);
	ck_assert_int_eq(mail_build(&c, &m, NOW_MS, &b2), 0);
	ck_assert(mh_header(mh_str(&b), "Message-ID", &h));
	ck_assert(mh_header(mh_str(&b2), "Message-ID", &h2));
	ck_assert_uint_eq(h.len, 1 + 32 + 1 + 11 + 1);
	ck_assert_str_ne(mh_str(&h), mh_str(&h2));
	/* boundaries differ between builds */
	ck_assert(mh_header(mh_str(&b), "Content-Type", &h));
	ck_assert(mh_header(mh_str(&b2), "Content-Type", &h2));
	ck_assert_str_ne(mh_str(&h), mh_str(&h2));
	buf_free(&b);
	buf_free(&b2);
	buf_free(&h);
	buf_free(&h2);
}
END_TEST

START_TEST(test_build_overflow)
{
	struct smtp_conf c = std_conf();
	struct mail_msg m = std_msg();
	struct buf b;
	size_t full;

	buf_init(&b, MSG_MAX);
	ck_assert_int_eq(mail_build(&c, &m, NOW_MS, &b), 0);
	full = b.len;
	buf_free(&b);
	buf_init(&b, full - 1);
	ck_assert_int_eq(mail_build(&c, &m, NOW_MS, &b), -1);
	buf_free(&b);
	buf_init(&b, 40);
	ck_assert_int_eq(mail_build(&c, &m, NOW_MS, &b), -1);
	buf_free(&b);
	buf_init(&b, full);
	ck_assert_int_eq(mail_build(&c, &m, NOW_MS, &b), 0);
	buf_free(&b);
}
END_TEST

/* smtp_tls_parse inputs. */
static const struct {
	const char *s;      /* input */
	int rc;             /* expected return */
	enum smtp_tls tls;  /* expected mode when rc == 0 */
} tls_cases[] = {
	{ "none", 0, SMTP_TLS_NONE },
	{ "starttls", 0, SMTP_TLS_STARTTLS },
	{ "STARTTLS", 0, SMTP_TLS_STARTTLS },
	{ "tls", 0, SMTP_TLS_IMPLICIT },
	{ "implicit", 0, SMTP_TLS_IMPLICIT },
	{ "ssl", 0, SMTP_TLS_IMPLICIT },
	{ "SSL", 0, SMTP_TLS_IMPLICIT },
	{ "", -1, SMTP_TLS_NONE },
	{ "start-tls", -1, SMTP_TLS_NONE },
	{ "tls ", -1, SMTP_TLS_NONE },
	{ NULL, -1, SMTP_TLS_NONE },
};

START_TEST(test_tls_parse)
{
	enum smtp_tls t = (enum smtp_tls)99;

	ck_assert_int_eq(smtp_tls_parse(tls_cases[_i].s, &t), tls_cases[_i].rc);
	if (tls_cases[_i].rc == 0)
		ck_assert_int_eq(t, tls_cases[_i].tls);
	else
		ck_assert_int_eq(t, 99);
	ck_assert_int_eq(smtp_tls_parse("none", NULL), -1);
}
END_TEST

/* Builds the suite. */
static Suite *
mail_suite(void)
{
	Suite *s = suite_create("mail");
	TCase *tc;

	tc = check_tcase("build");
	tcase_add_test(tc, test_build_shape);
	tcase_add_loop_test(tc, test_date, 0, NELEM(date_cases));
	tcase_add_test(tc, test_build_misc);
	tcase_add_test(tc, test_build_overflow);
	tcase_add_loop_test(tc, test_tls_parse, 0, NELEM(tls_cases));
	suite_add_tcase(s, tc);

	tc = check_tcase("encoding");
	tcase_add_loop_test(tc, test_qp_roundtrip, 0, NELEM(qp_cases));
	tcase_add_loop_test(tc, test_qp_long, 0, 6);
	tcase_add_loop_test(tc, test_subject_encoding, 0, NELEM(subject_cases));
	tcase_add_loop_test(tc, test_from, 0, NELEM(from_cases));
	suite_add_tcase(s, tc);

	tc = check_tcase("refuse");
	tcase_add_loop_test(tc, test_refuse, 0, NELEM(refuse_cases));
	suite_add_tcase(s, tc);

	suite_add_tcase(s, mail_send_tcase());
	return s;
}

/* Runs the suite; exit status 1 when any test failed. */
int
main(void)
{
	int rc;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return EXIT_FAILURE;
	rc = check_run(mail_suite());
	curl_global_cleanup();
	return rc;
}
