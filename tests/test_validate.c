/* test_validate.c: check suite for src/validate.c. One table of good and bad
 * inputs per validator, run row by row with tcase_add_loop_test, plus the
 * length boundaries built at run time. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "lk_limits.h"
#include "validate.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* One row of a yes/no table. n == 0 means strlen(s). */
struct vcase {
	const char *s; /* input */
	size_t n;      /* explicit length for inputs with a NUL, else 0 */
	int want;      /* expected result */
};

/* Length of row c's input. */
static size_t
vlen(const struct vcase *c)
{
	return c->n ? c->n : strlen(c->s);
}

/* Fills buf with n copies of c followed by a NUL; returns buf. */
static char *
fill(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

/* ---- Key and CustomId ---- */

static const struct vcase key_cases[] = {
	{ "a", 0, 1 },
	{ "Z", 0, 1 },
	{ "0", 0, 1 },
	{ "user123", 0, 1 },
	{ "a.b", 0, 1 },
	{ "a-b", 0, 1 },
	{ "a_b", 0, 1 },
	{ "a..", 0, 1 },
	{ "5f3e2a1b0c9d8e7f6a5b", 0, 1 },
	{ "abcdefghijklmnopqrstuvwxyz0123456789", 0, 1 },  /* 36 */
	{ "abcdefghijklmnopqrstuvwxyz0123456789a", 0, 0 }, /* 37 */
	{ "", 0, 0 },
	{ ".a", 0, 0 },
	{ "-a", 0, 0 },
	{ "_a", 0, 0 },
	{ "$a", 0, 0 },
	{ "a b", 0, 0 },
	{ "a/b", 0, 0 },
	{ "a@b", 0, 0 },
	{ "a$", 0, 0 },
	{ "\xc3\xa9", 0, 0 },
	{ "a\0b", 3, 0 },
	{ "unique()", 0, 0 },
};

/* Each key_cases row. */
START_TEST(test_key)
{
	const struct vcase *c = &key_cases[_i];

	ck_assert_msg(val_key(c->s, vlen(c)) == c->want, "val_key(\"%s\")",
	    c->s);
}
END_TEST

static const struct vcase custom_id_cases[] = {
	{ "unique()", 0, 1 },
	{ "unique", 0, 1 },
	{ "myId", 0, 1 },
	{ "a.b-c_d", 0, 1 },
	{ "Unique()", 0, 0 },
	{ "unique( )", 0, 0 },
	{ "unique()x", 0, 0 },
	{ "unique(", 0, 0 },
	{ "unique()", 7, 0 },
	{ "", 0, 0 },
	{ "_id", 0, 0 },
	{ "$id", 0, 0 },
	{ "abcdefghijklmnopqrstuvwxyz0123456789a", 0, 0 },
};

/* Each custom_id_cases row. */
START_TEST(test_custom_id)
{
	const struct vcase *c = &custom_id_cases[_i];

	ck_assert_msg(val_custom_id(c->s, vlen(c)) == c->want,
	    "val_custom_id(\"%s\")", c->s);
}
END_TEST

/* ---- UTF-8 and Text ---- */

static const struct vcase utf8_cases[] = {
	{ "", 0, 1 },
	{ "abc", 0, 1 },
	{ "\0", 1, 1 },
	{ "\xc3\xa9", 0, 1 },                 /* U+00E9 */
	{ "\xc2\x80", 0, 1 },                 /* U+0080, smallest 2-byte */
	{ "\xdf\xbf", 0, 1 },                 /* U+07FF */
	{ "\xe0\xa0\x80", 0, 1 },             /* U+0800, smallest 3-byte */
	{ "\xe2\x82\xac", 0, 1 },             /* U+20AC euro */
	{ "\xed\x9f\xbf", 0, 1 },             /* U+D7FF below surrogates */
	{ "\xee\x80\x80", 0, 1 },             /* U+E000 above surrogates */
	{ "\xef\xbf\xbf", 0, 1 },             /* U+FFFF */
	{ "\xf0\x90\x80\x80", 0, 1 },         /* U+10000, smallest 4-byte */
	{ "\xf0\x9d\x84\x9e", 0, 1 },         /* U+1D11E */
	{ "\xf4\x8f\xbf\xbf", 0, 1 },         /* U+10FFFF */
	{ "a\xc3\xa9z\xe2\x82\xac", 0, 1 },
	{ "\xc0\x80", 0, 0 },                 /* overlong NUL */
	{ "\xc1\xbf", 0, 0 },                 /* overlong */
	{ "\xe0\x80\x80", 0, 0 },             /* overlong */
	{ "\xe0\x9f\xbf", 0, 0 },             /* overlong U+07FF */
	{ "\xed\xa0\x80", 0, 0 },             /* U+D800 surrogate */
	{ "\xed\xbf\xbf", 0, 0 },             /* U+DFFF surrogate */
	{ "\xf0\x80\x80\x80", 0, 0 },         /* overlong */
	{ "\xf0\x8f\xbf\xbf", 0, 0 },         /* overlong U+FFFF */
	{ "\xf4\x90\x80\x80", 0, 0 },         /* U+110000 */
	{ "\xf5\x80\x80\x80", 0, 0 },
	{ "\xf8\x88\x80\x80\x80", 0, 0 },     /* 5-byte form */
	{ "\xfe", 0, 0 },
	{ "\xff", 0, 0 },
	{ "\x80", 0, 0 },                     /* lone continuation */
	{ "a\xbf", 0, 0 },
	{ "\xc3", 0, 0 },                     /* truncated */
	{ "\xe2\x82", 0, 0 },
	{ "\xf0\x9d\x84", 0, 0 },
	{ "abc\xc3", 0, 0 },
	{ "\xc3\x41", 0, 0 },                 /* bad continuation */
	{ "\xe2\x28\xa1", 0, 0 },
	{ "\xf0\x9d\xc4\x9e", 0, 0 },
};

/* Each utf8_cases row. */
START_TEST(test_utf8)
{
	const struct vcase *c = &utf8_cases[_i];

	ck_assert_msg(val_utf8(c->s, vlen(c)) == c->want, "utf8 row %d", _i);
}
END_TEST

static const struct {
	const char *s; /* valid UTF-8 */
	size_t chars;  /* its code points */
} chars_cases[] = {
	{ "", 0 },
	{ "abc", 3 },
	{ "\xc3\xa9", 1 },
	{ "a\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e", 4 },
	{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 3 },
};

/* Each chars_cases row. */
START_TEST(test_utf8_chars)
{
	ck_assert_uint_eq(val_utf8_chars(chars_cases[_i].s,
	    strlen(chars_cases[_i].s)), chars_cases[_i].chars);
}
END_TEST

static const struct {
	const char *s;   /* input */
	size_t max;      /* Text(max) */
	int allow_empty; /* Text(max, 0) */
	int want;        /* expected */
} text_cases[] = {
	{ "", 10, 0, 0 },
	{ "", 10, 1, 1 },
	{ "", 0, 1, 1 },
	{ "a", 1, 0, 1 },
	{ "abc", 3, 0, 1 },
	{ "abcd", 3, 0, 0 },
	{ "abcd", 3, 1, 0 },
	/* four 2-byte characters: 8 bytes, 4 characters */
	{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 4, 0, 1 },
	{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 3, 0, 0 },
	{ "\xf0\x9d\x84\x9e", 1, 0, 1 },
	{ "\xff", 10, 0, 0 },
	{ "ab\xc3", 10, 0, 0 },
	{ "\xed\xa0\x80", 10, 1, 0 },
};

/* Each text_cases row. */
START_TEST(test_text)
{
	ck_assert_msg(val_text(text_cases[_i].s, strlen(text_cases[_i].s),
	    text_cases[_i].max, text_cases[_i].allow_empty) ==
	    text_cases[_i].want, "text row %d", _i);
}
END_TEST

/* ---- Email ---- */

static const struct vcase email_cases[] = {
	{ "john.doe+tag@example.com", 0, 1 },
	{ "a@b.co", 0, 1 },
	{ "A@B.CO", 0, 1 },
	{ "1@1.co", 0, 1 },
	{ "user_name@sub.domain.example.org", 0, 1 },
	{ "first.last@ex-ample.com", 0, 1 },
	{ "x@a--b.com", 0, 1 },
	{ "x@xn--80ak6aa92e.com", 0, 1 },
	{ "x@example.xn--p1ai", 0, 1 },
	{ "x@example.c0m", 0, 1 },
	{ "!#$%&'*+-/=?^_`{|}~@example.com", 0, 1 },
	{ "a.b.c@example.com", 0, 1 },
	{ "a@[127.0.0.1]", 0, 1 },
	{ "a@[IPv6:2001:db8::1]", 0, 1 },
	{ "a@[ipv6:::1]", 0, 1 },
	{ "", 0, 0 },
	{ "a", 0, 0 },
	{ "a@", 0, 0 },
	{ "@x.com", 0, 0 },
	{ "a@b", 0, 0 },
	{ "a@localhost", 0, 0 },
	{ "a..b@x.com", 0, 0 },
	{ ".a@x.com", 0, 0 },
	{ "a.@x.com", 0, 0 },
	{ ".@x.com", 0, 0 },
	{ "a@-x.com", 0, 0 },
	{ "a@x-.com", 0, 0 },
	{ "a@x.-com", 0, 0 },
	{ "a@x..com", 0, 0 },
	{ "a@.x.com", 0, 0 },
	{ "a@x.com.", 0, 0 },
	{ "a@x_y.com", 0, 0 },
	{ "a@x.123", 0, 0 },
	{ "a@1.2.3.4", 0, 0 },
	{ "a @x.com", 0, 0 },
	{ " a@x.com", 0, 0 },
	{ "a@x .com", 0, 0 },
	{ "a@x.com ", 0, 0 },
	{ "a@x.com\n", 0, 0 },
	{ "a\tb@x.com", 0, 0 },
	{ "\xc3\xa9@x.com", 0, 0 },
	{ "a@\xc3\xa9.com", 0, 0 },
	{ "a@x.c\xc3\xa9", 0, 0 },
	{ "a@@x.com", 0, 0 },
	{ "a@b@x.com", 0, 0 },
	{ "\"a\"@x.com", 0, 0 },
	{ "a(b)@x.com", 0, 0 },
	{ "a,b@x.com", 0, 0 },
	{ "a:b@x.com", 0, 0 },
	{ "a[b]@x.com", 0, 0 },
	{ "a\\b@x.com", 0, 0 },
	{ "a\0@x.com", 8, 0 },
	{ "a@x.com\0", 8, 0 },
	{ "a@[1.2.3]", 0, 0 },
	{ "a@[300.1.1.1]", 0, 0 },
	{ "a@[01.2.3.4]", 0, 0 },
	{ "a@[::1]", 0, 0 },
	{ "a@[IPv6:zz::1]", 0, 0 },
	{ "a@[IPv6:]", 0, 0 },
	{ "a@[IPv6:1.2.3.4]", 0, 0 },
	{ "a@[]", 0, 0 },
	{ "a@[127.0.0.1", 0, 0 },
	{ "a@127.0.0.1]", 0, 0 },
};

/* Each email_cases row. */
START_TEST(test_email)
{
	const struct vcase *c = &email_cases[_i];

	ck_assert_msg(val_email(c->s, vlen(c)) == c->want, "val_email(\"%s\")",
	    c->s);
}
END_TEST

/* Length limits: local part 64, label 63, total LK_EMAIL_MAX. */
START_TEST(test_email_lengths)
{
	char buf[LK_EMAIL_MAX + 64];
	char l64[65], l65[66], lab62[63], lab63[64], lab64[65];
	size_t n;

	fill(l64, 'a', 64);
	fill(l65, 'a', 65);
	fill(lab62, 'z', 62);
	fill(lab63, 'b', 63);
	fill(lab64, 'b', 64);

	n = (size_t)snprintf(buf, sizeof(buf), "%s@x.com", l64);
	ck_assert_int_eq(val_email(buf, n), 1);
	n = (size_t)snprintf(buf, sizeof(buf), "%s@x.com", l65);
	ck_assert_int_eq(val_email(buf, n), 0);
	n = (size_t)snprintf(buf, sizeof(buf), "a@%s.com", lab63);
	ck_assert_int_eq(val_email(buf, n), 1);
	n = (size_t)snprintf(buf, sizeof(buf), "a@%s.com", lab64);
	ck_assert_int_eq(val_email(buf, n), 0);
	n = (size_t)snprintf(buf, sizeof(buf), "a@x.%s", lab63);
	ck_assert_int_eq(val_email(buf, n), 1);
	n = (size_t)snprintf(buf, sizeof(buf), "a@x.%s", lab64);
	ck_assert_int_eq(val_email(buf, n), 0);

	/* 64 + 1 + (3 * 63 + 3 dots + 63) = 320 bytes exactly. */
	n = (size_t)snprintf(buf, sizeof(buf), "%s@%s.%s.%s.%s", l64, lab63,
	    lab63, lab63, lab63);
	ck_assert_uint_eq(n, LK_EMAIL_MAX);
	ck_assert_int_eq(val_email(buf, n), 1);
	/* 321 bytes with every label and the local part within bounds */
	n = (size_t)snprintf(buf, sizeof(buf), "%s@%s.%s.%s.%s.c", l64,
	    lab63, lab63, lab63, lab62);
	ck_assert_uint_eq(n, LK_EMAIL_MAX + 1);
	ck_assert_int_eq(val_email(buf, n), 0);
	/* a short local part leaves room for a longer domain */
	n = (size_t)snprintf(buf, sizeof(buf), "a@%s.%s.%s.%s.%s", lab63,
	    lab63, lab63, lab63, lab62);
	ck_assert_uint_eq(n, LK_EMAIL_MAX);
	ck_assert_int_eq(val_email(buf, n), 1);
}
END_TEST

/* ---- Phone and Password ---- */

static const struct vcase phone_cases[] = {
	{ "+1234567", 0, 1 },            /* 7 digits */
	{ "+123456789012345", 0, 1 },    /* 15 digits */
	{ "+14155552671", 0, 1 },
	{ "+919876543210", 0, 1 },
	{ "+9000000", 0, 1 },
	{ "+123456", 0, 0 },             /* 6 digits */
	{ "+1234567890123456", 0, 0 },   /* 16 digits */
	{ "+0123456789", 0, 0 },
	{ "1234567890", 0, 0 },
	{ "++1234567", 0, 0 },
	{ "+12345a7", 0, 0 },
	{ "+1 2345678", 0, 0 },
	{ "+1-234-567-89", 0, 0 },
	{ " +1234567", 0, 0 },
	{ "+1234567 ", 0, 0 },
	{ "+1234567\0", 9, 0 },
	{ "+", 0, 0 },
	{ "", 0, 0 },
	{ "+\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6\xd9\xa7", 0, 0 },
};

/* Each phone_cases row. */
START_TEST(test_phone)
{
	const struct vcase *c = &phone_cases[_i];

	ck_assert_msg(val_phone(c->s, vlen(c)) == c->want, "val_phone(\"%s\")",
	    c->s);
}
END_TEST

static const struct {
	size_t n; /* password length */
	int want; /* expected */
} password_cases[] = {
	{ 0, 0 }, { 1, 0 }, { 7, 0 }, { 8, 1 }, { 9, 1 }, { 100, 1 },
	{ 255, 1 }, { 256, 1 }, { 257, 0 }, { 1000, 0 },
};

/* Each password_cases row; content is irrelevant, NUL bytes included. */
START_TEST(test_password)
{
	char buf[1001];

	fill(buf, 'p', password_cases[_i].n);
	ck_assert_int_eq(val_password(buf, password_cases[_i].n),
	    password_cases[_i].want);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(val_password(buf, password_cases[_i].n),
	    password_cases[_i].want);
}
END_TEST

/* ---- URL ---- */

static const struct {
	const char *s;      /* input */
	int want;           /* expected result */
	const char *scheme; /* expected scheme when valid */
	const char *host;   /* expected host when valid */
	int port;           /* expected port when valid */
} url_cases[] = {
	{ "https://example.com", 1, "https", "example.com", -1 },
	{ "http://example.com/", 1, "http", "example.com", -1 },
	{ "https://example.com:8443/p?q=1#f", 1, "https", "example.com", 8443 },
	{ "HTTPS://EXAMPLE.COM", 1, "HTTPS", "EXAMPLE.COM", -1 },
	{ "http://localhost", 1, "http", "localhost", -1 },
	{ "http://localhost:3000/auth/ok", 1, "http", "localhost", 3000 },
	{ "http://127.0.0.1:80/x", 1, "http", "127.0.0.1", 80 },
	{ "http://[::1]:3000/", 1, "http", "::1", 3000 },
	{ "http://[2001:db8::1]/", 1, "http", "2001:db8::1", -1 },
	{ "http://user:pass@example.com/", 1, "http", "example.com", -1 },
	{ "http://user@example.com:0", 1, "http", "example.com", 0 },
	{ "http://@example.com", 1, "http", "example.com", -1 },
	{ "http://a.com:65535", 1, "http", "a.com", 65535 },
	{ "http://a.com:00080", 1, "http", "a.com", 80 },
	{ "appwrite-callback-6543://localhost/auth", 1,
	  "appwrite-callback-6543", "localhost", -1 },
	{ "my+app.v2://host", 1, "my+app.v2", "host", -1 },
	{ "https://example.com?next=http://x@y", 1, "https", "example.com", -1 },
	{ "https://example.com#@evil.com", 1, "https", "example.com", -1 },
	{ "https://example.com/@evil.com", 1, "https", "example.com", -1 },
	{ "https://evil.com@good.com/", 1, "https", "good.com", -1 },
	{ "https://a.b.example.co.uk/a/b/../c", 1, "https",
	  "a.b.example.co.uk", -1 },
	{ "http://example.com./", 1, "http", "example.com.", -1 },
	{ "http://my_host.local/", 1, "http", "my_host.local", -1 },
	{ "ftp://ftp.example.com/file.txt", 1, "ftp", "ftp.example.com", -1 },
	{ "https://example.com/p%20q?a=%7e", 1, "https", "example.com", -1 },
	{ "", 0, NULL, NULL, 0 },
	{ "example.com", 0, NULL, NULL, 0 },
	{ "//example.com", 0, NULL, NULL, 0 },
	{ "/path", 0, NULL, NULL, 0 },
	{ "https:/example.com", 0, NULL, NULL, 0 },
	{ "https:example.com", 0, NULL, NULL, 0 },
	{ "javascript:alert(1)", 0, NULL, NULL, 0 },
	{ "https://", 0, NULL, NULL, 0 },
	{ "https:///path", 0, NULL, NULL, 0 },
	{ "https://?q", 0, NULL, NULL, 0 },
	{ "https://:80", 0, NULL, NULL, 0 },
	{ "https://user@", 0, NULL, NULL, 0 },
	{ "https://user@/x", 0, NULL, NULL, 0 },
	{ "http://a.com@", 0, NULL, NULL, 0 },
	{ "1http://a.com", 0, NULL, NULL, 0 },
	{ "+http://a.com", 0, NULL, NULL, 0 },
	{ "ht_tp://a.com", 0, NULL, NULL, 0 },
	{ "ht tp://a.com", 0, NULL, NULL, 0 },
	{ "https://exa mple.com", 0, NULL, NULL, 0 },
	{ " https://example.com", 0, NULL, NULL, 0 },
	{ "https://example.com/a b", 0, NULL, NULL, 0 },
	{ "https://example.com/\t", 0, NULL, NULL, 0 },
	{ "https://example.com\n", 0, NULL, NULL, 0 },
	{ "https://example.com/\r\nX: y", 0, NULL, NULL, 0 },
	{ "https://example.com/\x7f", 0, NULL, NULL, 0 },
	{ "https://ex\xc3\xa4mple.com", 0, NULL, NULL, 0 },
	{ "https://example.com/\xc3\xa4", 0, NULL, NULL, 0 },
	{ "https://evil.com\\@good.com", 0, NULL, NULL, 0 },
	{ "https://good.com\\evil", 0, NULL, NULL, 0 },
	{ "https://example.com:", 0, NULL, NULL, 0 },
	{ "https://example.com:65536", 0, NULL, NULL, 0 },
	{ "https://example.com:99999", 0, NULL, NULL, 0 },
	{ "https://example.com:1234567", 0, NULL, NULL, 0 },
	{ "https://example.com:-1", 0, NULL, NULL, 0 },
	{ "https://example.com:8o", 0, NULL, NULL, 0 },
	{ "https://example.com:80:80", 0, NULL, NULL, 0 },
	{ "https://[::1", 0, NULL, NULL, 0 },
	{ "https://[]/", 0, NULL, NULL, 0 },
	{ "https://[zz::1]/", 0, NULL, NULL, 0 },
	{ "https://[127.0.0.1]/", 0, NULL, NULL, 0 },
	{ "https://[::1]x/", 0, NULL, NULL, 0 },
	{ "https://[::1]:99999", 0, NULL, NULL, 0 },
	{ "https://[::1%25eth0]/", 0, NULL, NULL, 0 },
	{ "https://::1/", 0, NULL, NULL, 0 },
	{ "https://exa%6dple.com/", 0, NULL, NULL, 0 },
	{ "https://.example.com", 0, NULL, NULL, 0 },
	{ "https://a..b.com", 0, NULL, NULL, 0 },
	{ "https://a[b].com", 0, NULL, NULL, 0 },
	{ "https://a!b.com", 0, NULL, NULL, 0 },
	{ "https://a b@c.com", 0, NULL, NULL, 0 },
	{ "https://us[er@x.com", 0, NULL, NULL, 0 },
	{ "https://a@b@good.com/", 0, NULL, NULL, 0 }, /* ambiguous userinfo */
	{ "https://us/er@x.com", 1, "https", "us", -1 },
};

/* Each url_cases row; valid rows also check the parsed parts. */
START_TEST(test_url)
{
	struct url_parts u;
	const char *s = url_cases[_i].s;

	memset(&u, 0, sizeof(u));
	ck_assert_msg(val_url(s, strlen(s), &u) == url_cases[_i].want,
	    "val_url(\"%s\")", s);
	if (!url_cases[_i].want)
		return;
	ck_assert_uint_eq(u.scheme_n, strlen(url_cases[_i].scheme));
	ck_assert_mem_eq(u.scheme, url_cases[_i].scheme, u.scheme_n);
	ck_assert_uint_eq(u.host_n, strlen(url_cases[_i].host));
	ck_assert_mem_eq(u.host, url_cases[_i].host, u.host_n);
	ck_assert_int_eq(u.port, url_cases[_i].port);
}
END_TEST

/* NUL bytes, a NULL out, and an over-long host. */
START_TEST(test_url_misc)
{
	char buf[400];
	char host[300];
	int n;

	ck_assert_int_eq(val_url("https://a\0b.com", 15, NULL), 0);
	ck_assert_int_eq(val_url("https://a.com/\0", 15, NULL), 0);
	ck_assert_int_eq(val_url("https://a.com", 13, NULL), 1);
	/* a prefix of the buffer is parsed, not the whole string */
	ck_assert_int_eq(val_url("https://a.com bad", 13, NULL), 1);

	n = snprintf(buf, sizeof(buf), "https://%s/", fill(host, 'h', 255));
	ck_assert_int_eq(val_url(buf, (size_t)n, NULL), 1);
	n = snprintf(buf, sizeof(buf), "https://%s/", fill(host, 'h', 256));
	ck_assert_int_eq(val_url(buf, (size_t)n, NULL), 0);
}
END_TEST

/* ---- Host match ---- */

static const struct {
	const char *pattern; /* platform hostname */
	const char *host;    /* URL host */
	int want;            /* expected */
} host_cases[] = {
	{ "*", "anything.com", 1 },
	{ "*", "localhost", 1 },
	{ "*", "", 0 },
	{ "*", "a/b", 0 },
	{ "*", "a:80", 0 },
	{ "*", "::1", 0 },
	{ "example.com", "example.com", 1 },
	{ "example.com", "EXAMPLE.com", 1 },
	{ "Example.COM", "example.com", 1 },
	{ "localhost", "localhost", 1 },
	{ "example.com", "www.example.com", 0 },
	{ "example.com", "example.co", 0 },
	{ "example.com", "example.comm", 0 },
	{ "example.com", "xexample.com", 0 },
	{ "example.com", "example.com.evil.com", 0 },
	{ "example.com", "example.com:443", 0 },
	{ "example.com", "example.com/", 0 },
	{ "example.com", "", 0 },
	{ "*.example.com", "www.example.com", 1 },
	{ "*.example.com", "a.b.example.com", 1 },
	{ "*.example.com", "WWW.EXAMPLE.COM", 1 },
	{ "*.Example.com", "www.example.COM", 1 },
	{ "*.example.com", "example.com", 0 },
	{ "*.example.com", ".example.com", 0 },
	{ "*.example.com", "evilexample.com", 0 },
	{ "*.example.com", "www.example.com.evil", 0 },
	{ "*.example.com", "www.example.co", 0 },
	{ "*.example.com", "a.example.com:80", 0 },
	{ "*.example.com", "evil.com/.example.com", 0 },
	{ "*.com", "a.com", 1 },
	{ "*example.com", "evilexample.com", 0 },
	{ "*example.com", "example.com", 0 },
	{ "a*.example.com", "ab.example.com", 0 },
	{ "*.", "a.", 0 },
	{ "*.", "*.", 1 },
	{ "", "x", 0 },
	{ "", "", 0 },
};

/* Each host_cases row. */
START_TEST(test_host_match)
{
	const char *p = host_cases[_i].pattern, *h = host_cases[_i].host;

	ck_assert_msg(val_host_match(p, strlen(p), h, strlen(h)) ==
	    host_cases[_i].want, "val_host_match(\"%s\", \"%s\")", p, h);
}
END_TEST

/* Hosts longer than 253 bytes never match. */
START_TEST(test_host_match_length)
{
	char host[300];

	fill(host, 'h', 253);
	ck_assert_int_eq(val_host_match("*", 1, host, 253), 1);
	ck_assert_int_eq(val_host_match(host, 253, host, 253), 1);
	fill(host, 'h', 254);
	ck_assert_int_eq(val_host_match("*", 1, host, 254), 0);
	ck_assert_int_eq(val_host_match(host, 254, host, 254), 0);
}
END_TEST

/* ---- IP literals ---- */

static const struct vcase ip_cases[] = {
	{ "0.0.0.0", 0, 1 },
	{ "127.0.0.1", 0, 1 },
	{ "255.255.255.255", 0, 1 },
	{ "1.2.3.4", 0, 1 },
	{ "10.0.100.200", 0, 1 },
	{ "::", 0, 1 },
	{ "::1", 0, 1 },
	{ "2001:db8::1", 0, 1 },
	{ "fe80::1:2:3:4", 0, 1 },
	{ "::ffff:192.168.0.1", 0, 1 },
	{ "2001:0db8:0000:0000:0000:ff00:0042:8329", 0, 1 },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 0, 1 },
	{ "FE80::ABCD", 0, 1 },
	{ "", 0, 0 },
	{ "1.2.3", 0, 0 },
	{ "1.2.3.4.5", 0, 0 },
	{ "256.1.1.1", 0, 0 },
	{ "1.2.3.256", 0, 0 },
	{ "1.2.3.999", 0, 0 },
	{ "01.2.3.4", 0, 0 },
	{ "1.2.3.04", 0, 0 },
	{ "1.2.3.00", 0, 0 },
	{ "1234.1.1.1", 0, 0 },
	{ "1.2.3.4 ", 0, 0 },
	{ " 1.2.3.4", 0, 0 },
	{ "1..2.3", 0, 0 },
	{ "1.2.3.", 0, 0 },
	{ ".1.2.3", 0, 0 },
	{ "a.b.c.d", 0, 0 },
	{ "0x7f.0.0.1", 0, 0 },
	{ "2130706433", 0, 0 },
	{ "1.2.3.4\0", 8, 0 },
	{ "::1\0", 4, 0 },
	{ "::1%eth0", 0, 0 },
	{ ":::", 0, 0 },
	{ "1::2::3", 0, 0 },
	{ "12345::1", 0, 0 },
	{ "gggg::1", 0, 0 },
	{ "[::1]", 0, 0 },
	{ "1:2:3:4:5:6:7:8:9", 0, 0 },
	{ "localhost", 0, 0 },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2550", 0, 0 },
	{ "0000:0000:0000:0000:0000:0000:0000:0000:0000:0000", 0, 0 },
};

/* Each ip_cases row. */
START_TEST(test_ip_literal)
{
	const struct vcase *c = &ip_cases[_i];

	ck_assert_msg(val_ip_literal(c->s, vlen(c)) == c->want,
	    "val_ip_literal(\"%s\")", c->s);
}
END_TEST

/* NULL inputs are invalid everywhere (and never dereferenced). */
START_TEST(test_null_inputs)
{
	ck_assert_int_eq(val_key(NULL, 0), 0);
	ck_assert_int_eq(val_custom_id(NULL, 0), 0);
	ck_assert_int_eq(val_utf8(NULL, 0), 1);
	ck_assert_uint_eq(val_utf8_chars(NULL, 0), 0);
	ck_assert_int_eq(val_text(NULL, 0, 5, 1), 1);
	ck_assert_int_eq(val_text(NULL, 0, 5, 0), 0);
	ck_assert_int_eq(val_email(NULL, 0), 0);
	ck_assert_int_eq(val_phone(NULL, 0), 0);
	ck_assert_int_eq(val_password(NULL, 0), 0);
	ck_assert_int_eq(val_url(NULL, 0, NULL), 0);
	ck_assert_int_eq(val_host_match(NULL, 0, NULL, 0), 0);
	ck_assert_int_eq(val_ip_literal(NULL, 0), 0);
}
END_TEST

/* Builds the validate suite. */
static Suite *
validate_suite(void)
{
	Suite *s = suite_create("validate");
	TCase *tc;

	tc = check_tcase("ids");
	tcase_add_loop_test(tc, test_key, 0, NELEM(key_cases));
	tcase_add_loop_test(tc, test_custom_id, 0, NELEM(custom_id_cases));
	suite_add_tcase(s, tc);

	tc = check_tcase("text");
	tcase_add_loop_test(tc, test_utf8, 0, NELEM(utf8_cases));
	tcase_add_loop_test(tc, test_utf8_chars, 0, NELEM(chars_cases));
	tcase_add_loop_test(tc, test_text, 0, NELEM(text_cases));
	suite_add_tcase(s, tc);

	tc = check_tcase("email");
	tcase_add_loop_test(tc, test_email, 0, NELEM(email_cases));
	tcase_add_test(tc, test_email_lengths);
	suite_add_tcase(s, tc);

	tc = check_tcase("phone_password");
	tcase_add_loop_test(tc, test_phone, 0, NELEM(phone_cases));
	tcase_add_loop_test(tc, test_password, 0, NELEM(password_cases));
	suite_add_tcase(s, tc);

	tc = check_tcase("url");
	tcase_add_loop_test(tc, test_url, 0, NELEM(url_cases));
	tcase_add_test(tc, test_url_misc);
	suite_add_tcase(s, tc);

	tc = check_tcase("host");
	tcase_add_loop_test(tc, test_host_match, 0, NELEM(host_cases));
	tcase_add_test(tc, test_host_match_length);
	suite_add_tcase(s, tc);

	tc = check_tcase("ip");
	tcase_add_loop_test(tc, test_ip_literal, 0, NELEM(ip_cases));
	tcase_add_test(tc, test_null_inputs);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; exit status 1 when any test failed. */
int
main(void)
{
	return check_run(validate_suite());
}
