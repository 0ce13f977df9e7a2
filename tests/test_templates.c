/* test_templates.c: check suite for src/templates.c, templates_i18n.c and
 * templates_strip.c. Every email and SMS type renders in every locale;
 * hostile values are escaped in HTML and raw in text; the phrase line,
 * locale resolution, admin overrides, the HTML-to-text stripper and
 * overflow are table-driven. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "buf.h"
#include "templates.h"
#include "templates_int.h"
#include "validate.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define OUT_MAX (256 * 1024) /* room for any rendered part */

/* The three outputs of tmpl_render. */
struct out {
	struct buf s; /* subject */
	struct buf h; /* HTML */
	struct buf t; /* text */
};

/* Initialises o with the given maxima. */
static void
out_init(struct out *o, size_t smax, size_t hmax, size_t tmax)
{
	buf_init(&o->s, smax);
	buf_init(&o->h, hmax);
	buf_init(&o->t, tmax);
}

/* Frees o. */
static void
out_free(struct out *o)
{
	buf_free(&o->s);
	buf_free(&o->h);
	buf_free(&o->t);
}

/* Returns the NUL-terminated contents of b ("" when never written). */
static const char *
str(const struct buf *b)
{
	return b->data ? b->data : "";
}

/* Renders t into a fresh o (default maxima); returns tmpl_render's result. */
static int
render(struct out *o, enum tmpl_type t, const char *loc,
    const struct tmpl_var *v, int nv, const char *sovr, const char *hovr)
{
	out_init(o, 4096, OUT_MAX, OUT_MAX);
	return tmpl_render(t, loc, v, nv, sovr, hovr, &o->s, &o->h, &o->t);
}

/* Every variable any type uses, with recognisable values. */
static const struct tmpl_var std_vars[] = {
	{ "user", "Zoë Quill" },
	{ "project", "Acme Cloud" },
	{ "team", "Core" },
	{ "owner", "Olga Owner" },
	{ "redirect", "https://app.example/cb?userId=u1&secret=s3cr3t" },
	{ "otp", "482910" },
	{ "agentDevice", "Pixel" },
	{ "agentClient", "Chrome Mobile" },
	{ "agentOs", "Android" },
	{ "phrase", "Brave otter" },
	{ "device", "Firefox" },
	{ "ipAddress", "203.0.113.9" },
	{ "country", "Iceland" },
	{ "date", "October 15" },
	{ "time", "10:20:30" },
};

/* ---- Every type in every locale ---- */

START_TEST(test_every_type_locale)
{
	enum tmpl_type t = (enum tmpl_type)(_i % TM__COUNT);
	const struct tm_locale_entry *e = &tm_locales[_i / TM__COUNT];
	char want[64];
	struct out o;

	ck_assert_int_eq(render(&o, t, e->code, std_vars, NELEM(std_vars),
	    NULL, NULL), 0);
	ck_assert_uint_gt(o.s.len, 0);
	ck_assert_ptr_null(strstr(str(&o.s), "{{"));
	ck_assert_ptr_null(strstr(str(&o.h), "{{"));
	ck_assert_ptr_null(strstr(str(&o.t), "{{"));
	ck_assert_ptr_null(strpbrk(str(&o.s), "\r\n"));
	ck_assert(val_utf8(str(&o.s), o.s.len));
	ck_assert(val_utf8(str(&o.h), o.h.len));
	ck_assert(val_utf8(str(&o.t), o.t.len));
	snprintf(want, sizeof(want), "dir=\"%s\"", e->loc->dir);
	ck_assert_ptr_nonnull(strstr(str(&o.h), want));
	snprintf(want, sizeof(want), "lang=\"%s\"", e->code);
	ck_assert_ptr_nonnull(strstr(str(&o.h), want));
	ck_assert_ptr_nonnull(strstr(str(&o.h), "Zoë Quill"));
	ck_assert_ptr_nonnull(strstr(str(&o.t), "Zoë Quill"));
	ck_assert_ptr_nonnull(strstr(str(&o.h), "Acme Cloud"));
	ck_assert_ptr_nonnull(strstr(str(&o.t), "Acme Cloud"));
	if (t == TM_VERIFICATION || t == TM_RECOVERY || t == TM_MAGIC_SESSION ||
	    t == TM_INVITATION) {
		ck_assert_ptr_nonnull(strstr(str(&o.h), "href=\"https://app.example"
		    "/cb?userId=u1&amp;secret=s3cr3t\""));
		ck_assert_ptr_nonnull(strstr(str(&o.t),
		    "https://app.example/cb?userId=u1&secret=s3cr3t\n"));
	}
	if (t == TM_OTP_SESSION || t == TM_MFA_CHALLENGE) {
		ck_assert_ptr_nonnull(strstr(str(&o.h), ">482910</p>"));
		ck_assert_ptr_nonnull(strstr(str(&o.t), "482910"));
	}
	if (t == TM_MAGIC_SESSION || t == TM_OTP_SESSION ||
	    t == TM_MFA_CHALLENGE)
		ck_assert_ptr_nonnull(strstr(str(&o.t), "Chrome Mobile"));
	if (t == TM_SESSION_ALERT) {
		ck_assert_ptr_nonnull(strstr(str(&o.t), "203.0.113.9"));
		ck_assert_ptr_nonnull(strstr(str(&o.h), "<li>"));
		ck_assert_ptr_nonnull(strstr(str(&o.t), "Iceland"));
		ck_assert_ptr_nonnull(strstr(str(&o.t), "10:20:30"));
	}
	if (t == TM_INVITATION) {
		ck_assert_ptr_nonnull(strstr(str(&o.t), "Olga Owner"));
		ck_assert_ptr_nonnull(strstr(str(&o.s), "Core"));
	}
	out_free(&o);
}
END_TEST

/* English subjects of spec/CONTRACT.md 8.2. */
static const struct {
	enum tmpl_type t;  /* type */
	const char *want;  /* subject with project "Acme", team "Core" */
} subject_cases[] = {
	{ TM_VERIFICATION, "Account Verification" },
	{ TM_RECOVERY, "Password Reset" },
	{ TM_MAGIC_SESSION, "Acme Login" },
	{ TM_OTP_SESSION, "OTP for Acme Login" },
	{ TM_MFA_CHALLENGE, "Verification Code for Acme" },
	{ TM_SESSION_ALERT, "Security alert: new session on your Acme account" },
	{ TM_INVITATION, "Invitation to Core Team at Acme" },
};

START_TEST(test_en_subjects)
{
	static const struct tmpl_var v[] = {
		{ "project", "Acme" }, { "team", "Core" },
	};
	struct out o;

	ck_assert_int_eq(render(&o, subject_cases[_i].t, "en", v, NELEM(v),
	    NULL, NULL), 0);
	ck_assert_str_eq(str(&o.s), subject_cases[_i].want);
	out_free(&o);
}
END_TEST

/* ---- Escaping ---- */

/* A hostile user name, its HTML form and (for the subject) its line form. */
static const struct {
	const char *value; /* raw value */
	const char *html;  /* what the HTML part must contain */
} escape_cases[] = {
	{ "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;" },
	{ "\"quoted\" & 'single'", "&quot;quoted&quot; &amp; &#39;single&#39;" },
	{ "a&amp;b", "a&amp;amp;b" },
	{ "{{redirect}}", "{{redirect}}" },
	{ "<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;" },
};

START_TEST(test_html_escaping)
{
	const struct tmpl_var v[] = {
		{ "user", escape_cases[_i].value }, { "project", escape_cases[_i].value },
		{ "redirect", "https://ok.example/" },
	};
	struct out o;

	ck_assert_int_eq(render(&o, TM_MAGIC_SESSION, "en", v, NELEM(v), NULL,
	    NULL), 0);
	ck_assert_ptr_nonnull(strstr(str(&o.h), escape_cases[_i].html));
	if (strchr(escape_cases[_i].value, '<') != NULL)
		ck_assert_ptr_null(strstr(str(&o.h), escape_cases[_i].value));
	/* text and subject carry the raw value, never re-expanded */
	ck_assert_ptr_nonnull(strstr(str(&o.t), escape_cases[_i].value));
	ck_assert_ptr_nonnull(strstr(str(&o.s), escape_cases[_i].value));
	ck_assert_ptr_null(strstr(str(&o.t), "Hello https://ok.example/"));
	out_free(&o);
}
END_TEST

/* Redirect values and the href they must produce. */
static const struct {
	const char *value; /* redirect */
	const char *href;  /* expected attribute, with its quotes */
} redirect_cases[] = {
	{ "https://x.example/?a=1&b=2", "href=\"https://x.example/?a=1&amp;b=2\"" },
	{ "https://x.example/\"><script>x</script>'",
	    "href=\"https://x.example/&quot;&gt;&lt;script&gt;x&lt;/script&gt;&#39;\"" },
	{ "javascript:alert(1)", "href=\"\"" },
	{ "JavaScript:alert(1)", "href=\"\"" },
	{ " javascript:alert(1)", "href=\"\"" },
	{ "data:text/html,<b>x", "href=\"\"" },
	{ "java\tscript:alert(1)", "href=\"\"" },
	{ "appwrite-callback-abc://cb?secret=1", "href=\"appwrite-callback-abc://cb?secret=1\"" },
};

START_TEST(test_redirect_attr)
{
	const struct tmpl_var v[] = {
		{ "project", "P" }, { "redirect", redirect_cases[_i].value },
	};
	struct out o;

	ck_assert_int_eq(render(&o, TM_RECOVERY, "en", v, NELEM(v), NULL,
	    NULL), 0);
	ck_assert_ptr_nonnull(strstr(str(&o.h), redirect_cases[_i].href));
	ck_assert_ptr_null(strstr(str(&o.h), "<script>"));
	ck_assert_ptr_null(strstr(str(&o.h), "javascript:"));
	out_free(&o);
}
END_TEST

START_TEST(test_utf8_repair)
{
	const struct tmpl_var v[] = {
		{ "user", "ok\xff\xc3(end" }, { "project", "\xed\xa0\x80P" },
	};
	struct out o;

	ck_assert_int_eq(render(&o, TM_VERIFICATION, "de", v, NELEM(v), NULL,
	    NULL), 0);
	ck_assert(val_utf8(str(&o.h), o.h.len));
	ck_assert(val_utf8(str(&o.t), o.t.len));
	ck_assert_ptr_nonnull(strstr(str(&o.t), "ok\xef\xbf\xbd\xef\xbf\xbd(end"));
	out_free(&o);
}
END_TEST

/* ---- Missing variables and the phrase line ---- */

START_TEST(test_missing_vars)
{
	static const struct tmpl_var v[] = {
		{ "project", "Acme" }, { "user", NULL },
	};
	struct out o;

	ck_assert_int_eq(render(&o, TM_VERIFICATION, "en", v, NELEM(v), NULL,
	    NULL), 0);
	ck_assert_ptr_nonnull(strstr(str(&o.t), "Hello,\n"));
	ck_assert_ptr_nonnull(strstr(str(&o.h), "href=\"\""));
	ck_assert_ptr_null(strstr(str(&o.h), "{{"));
	out_free(&o);
	ck_assert_int_eq(render(&o, TM_SESSION_ALERT, "fr", NULL, 0, NULL,
	    NULL), 0);
	ck_assert_str_eq(str(&o.s),
	    "Alerte de sécurité : nouvelle session sur votre compte ");
	ck_assert_ptr_nonnull(strstr(str(&o.t), "Bonjour,\n"));
	out_free(&o);
}
END_TEST

/* Whether the security phrase line shows. */
static const struct {
	enum tmpl_type t;   /* type */
	const char *phrase; /* value, NULL = variable absent */
	int shown;          /* expected */
} phrase_cases[] = {
	{ TM_MAGIC_SESSION, "Brave otter", 1 },
	{ TM_MAGIC_SESSION, "", 0 },
	{ TM_MAGIC_SESSION, NULL, 0 },
	{ TM_OTP_SESSION, "Calm fox", 1 },
	{ TM_OTP_SESSION, "", 0 },
	{ TM_MFA_CHALLENGE, "Calm fox", 0 },
	{ TM_VERIFICATION, "Calm fox", 0 },
	{ TM_SESSION_ALERT, "Calm fox", 0 },
};

START_TEST(test_phrase)
{
	struct tmpl_var v[] = {
		{ "project", "Acme" }, { "phrase", phrase_cases[_i].phrase },
	};
	int nv = phrase_cases[_i].phrase ? 2 : 1;
	char want[64];
	struct out o;

	ck_assert_int_eq(render(&o, phrase_cases[_i].t, "en", v, nv, NULL,
	    NULL), 0);
	ck_assert_int_eq(strstr(str(&o.h), "Security phrase") != NULL,
	    phrase_cases[_i].shown);
	ck_assert_int_eq(strstr(str(&o.t), "Security phrase") != NULL,
	    phrase_cases[_i].shown);
	if (phrase_cases[_i].shown) {
		snprintf(want, sizeof(want), "<strong>%s</strong>",
		    phrase_cases[_i].phrase);
		ck_assert_ptr_nonnull(strstr(str(&o.h), want));
		snprintf(want, sizeof(want), "Security phrase: %s.",
		    phrase_cases[_i].phrase);
		ck_assert_ptr_nonnull(strstr(str(&o.t), want));
	}
	out_free(&o);
}
END_TEST

/* ---- Locales and type names ---- */

/* tmpl_locale(want, fallback) -> expected code. */
static const struct {
	const char *want;     /* requested */
	const char *fallback; /* project default */
	const char *got;      /* expected */
} locale_cases[] = {
	{ "en", NULL, "en" },
	{ "pt-br", NULL, "pt-br" },
	{ "PT-BR", NULL, "pt-br" },
	{ "pt_BR", NULL, "pt-br" },
	{ "pt-pt", NULL, "pt" },
	{ "de-at", NULL, "de" },
	{ "DE", NULL, "de" },
	{ "fr-ca", "de", "fr" },
	{ "es", "de", "es" },
	{ "ar-ae", NULL, "ar" },
	{ "xx", "fr", "fr" },
	{ "xx", "fr-ca", "fr" },
	{ "xx", "yy", "en" },
	{ "zh-cn", NULL, "en" },
	{ NULL, NULL, "en" },
	{ "", "de", "de" },
	{ NULL, "es", "es" },
	{ "e", NULL, "en" },
	{ "d", "d", "en" },
};

START_TEST(test_locale)
{
	ck_assert_str_eq(tmpl_locale(locale_cases[_i].want,
	    locale_cases[_i].fallback), locale_cases[_i].got);
}
END_TEST

START_TEST(test_type_names)
{
	static const char *const names[TM__COUNT] = {
		"verification", "recovery", "magicSession", "otpSession",
		"mfaChallenge", "sessionAlert", "invitation",
	};
	int t;

	for (t = 0; t < TM__COUNT; t++) {
		ck_assert_int_eq(tmpl_type_parse(names[t]), t);
		ck_assert_str_eq(tmpl_type_name((enum tmpl_type)t), names[t]);
	}
	ck_assert_int_eq(tmpl_type_parse("magicsession"), -1);
	ck_assert_int_eq(tmpl_type_parse(""), -1);
	ck_assert_int_eq(tmpl_type_parse(NULL), -1);
	ck_assert_str_eq(tmpl_type_name(TM__COUNT), "");
}
END_TEST

START_TEST(test_locale_complete)
{
	const struct tm_locale *l = tm_locales[_i].loc, *en = &tm_locale_en;
	int t;

	ck_assert(strcmp(l->dir, "ltr") == 0 || strcmp(l->dir, "rtl") == 0);
	ck_assert_ptr_nonnull(l->hello);
	ck_assert_ptr_nonnull(l->hello_anon);
	ck_assert_ptr_nonnull(l->link_help);
	ck_assert_ptr_nonnull(l->client_info);
	ck_assert_ptr_nonnull(l->phrase);
	ck_assert_ptr_nonnull(l->thanks);
	ck_assert_ptr_nonnull(l->signature);
	ck_assert_ptr_nonnull(strstr(l->phrase, "{{phrase}}"));
	for (t = 0; t < TM__COUNT; t++) {
		ck_assert_ptr_nonnull(l->mail[t].subject);
		ck_assert_ptr_nonnull(l->mail[t].body);
		ck_assert_ptr_nonnull(l->mail[t].footer);
		ck_assert_int_eq(l->mail[t].button != NULL,
		    en->mail[t].button != NULL);
		ck_assert_int_eq(l->mail[t].items != NULL,
		    en->mail[t].items != NULL);
	}
	for (t = 0; t < SMS_TM__COUNT; t++) {
		ck_assert_ptr_nonnull(l->sms[t]);
		ck_assert_ptr_nonnull(strstr(l->sms[t], "{{secret}}"));
	}
}
END_TEST

START_TEST(test_rtl)
{
	struct out o;

	ck_assert_int_eq(render(&o, TM_OTP_SESSION, "ar-eg", std_vars,
	    NELEM(std_vars), NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(str(&o.h), "<html lang=\"ar\" dir=\"rtl\">"));
	ck_assert_ptr_nonnull(strstr(str(&o.h), "<p dir=\"ltr\""));
	out_free(&o);
}
END_TEST

/* ---- Admin overrides ---- */

START_TEST(test_override)
{
	static const struct tmpl_var v[] = {
		{ "user", "Bob <b> & \"Co\"" }, { "project", "Acme" },
		{ "redirect", "https://x.example/?a=1&b=2" },
	};
	struct out o;

	ck_assert_int_eq(render(&o, TM_RECOVERY, "de", v, NELEM(v),
	    "Reset {{ project }} for {{user}}\r\nBcc: x@example.com{{nope}}",
	    "<style>p{color:red}</style><p>Hi {{user}},</p>"
	    "<p>Go <a href=\"{{redirect}}\">here</a> {{b}}now{{/b}}.</p>"
	    "<p>{{unknown}}{{ broken</p>"), 0);
	ck_assert_str_eq(str(&o.s),
	    "Reset Acme for Bob <b> & \"Co\"Bcc: x@example.com");
	ck_assert_ptr_nonnull(strstr(str(&o.h), "<html lang=\"de\" dir=\"ltr\">"));
	ck_assert_ptr_nonnull(strstr(str(&o.h),
	    "<p>Hi Bob &lt;b&gt; &amp; &quot;Co&quot;,</p>"));
	ck_assert_ptr_nonnull(strstr(str(&o.h),
	    "<a href=\"https://x.example/?a=1&amp;b=2\">here</a> <strong>now</strong>."));
	ck_assert_ptr_nonnull(strstr(str(&o.h), "<p>{{ broken</p>"));
	ck_assert_str_eq(str(&o.t), "Hi Bob <b> & \"Co\",\n\n"
	    "Go here (https://x.example/?a=1&b=2) now.\n\n{{ broken\n");
	out_free(&o);

	/* a whole document is used as it is; subject alone can be overridden */
	ck_assert_int_eq(render(&o, TM_OTP_SESSION, "en", v, NELEM(v), NULL,
	    "<!DOCTYPE html><html><body>Code for {{user}}</body></html>"), 0);
	ck_assert_str_eq(str(&o.s), "OTP for Acme Login");
	ck_assert_str_eq(str(&o.h), "<!DOCTYPE html><html><body>Code for "
	    "Bob &lt;b&gt; &amp; &quot;Co&quot;</body></html>");
	ck_assert_str_eq(str(&o.t), "Code for Bob <b> & \"Co\"\n");
	out_free(&o);
	ck_assert_int_eq(render(&o, TM_OTP_SESSION, "en", v, NELEM(v),
	    "{{subject}}{{year}}", NULL), 0);
	ck_assert_uint_eq(o.s.len, 4);
	ck_assert_ptr_nonnull(strstr(str(&o.h), "Requested from"));
	out_free(&o);
}
END_TEST

/* HTML -> text cases for tm_html_to_text. */
static const struct {
	const char *html; /* input */
	const char *text; /* expected output */
} strip_cases[] = {
	{ "", "" },
	{ "   \n ", "" },
	{ "plain", "plain\n" },
	{ "<p>a</p><p>b</p>", "a\n\nb\n" },
	{ "a<br>b<br/>c", "a\nb\nc\n" },
	{ "  a \n\t b  ", "a b\n" },
	{ "<style>x{}</style>t", "t\n" },
	{ "<head><title>T</title></head><body>x</body>", "x\n" },
	{ "<SCRIPT>alert(1)</SCRIPT >y", "y\n" },
	{ "<!-- c -->t<!--x", "t\n" },
	{ "<a href=\"http://u/?a=1&amp;b=2\">go</a>", "go (http://u/?a=1&b=2)\n" },
	{ "<a href='http://u'>http://u</a>", "http://u\n" },
	{ "<a class=x HREF = http://u>go</a>", "go (http://u)\n" },
	{ "<a href=\"#top\">top</a>", "top\n" },
	{ "<a href=\"http://u\"><img src=x></a>", "http://u\n" },
	{ "<a>no href</a>", "no href\n" },
	{ "<a href=\"http://a\">x</a> <a name=y>z</a>", "x (http://a) z\n" },
	{ "&lt;b&gt; &amp; &quot;q&quot; &#39;s&#39; &#233; &#x41; &nbsp;.",
	    "<b> & \"q\" 's' é A  .\n" },
	{ "&bogus; & &#; &#xZZ; &amp", "&bogus; & &#; &#xZZ; &amp\n" },
	{ "&#0;&#xD800;&#1114112;&#1;x", "&#0;&#1114112;x\n" },
	{ "1 < 2 and 3 > 2", "1 < 2 and 3 > 2\n" },
	{ "<ul><li>a</li><li>b</li></ul>after", "- a\n- b\n\nafter\n" },
	{ "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
	    "a b\nc\n" },
	{ "<unclosed", "<unclosed\n" },
	{ "<p title=\"a>b\">q</p>", "q\n" },
	{ "x<p>", "x\n" },
	{ "<h1>T</h1>body<hr>end", "T\n\nbody\n\nend\n" },
};

START_TEST(test_strip)
{
	struct buf b;

	buf_init(&b, 4096);
	tm_html_to_text(strip_cases[_i].html, strlen(strip_cases[_i].html), &b);
	ck_assert_int_eq(b.err, 0);
	ck_assert_str_eq(str(&b), strip_cases[_i].text);
	buf_free(&b);
}
END_TEST

/* ---- SMS ---- */

START_TEST(test_sms_every)
{
	static const struct tmpl_var v[] = {
		{ "secret", "123456" }, { "project", "A&B <x>" },
	};
	enum sms_tmpl_type t = (enum sms_tmpl_type)(_i % SMS_TM__COUNT);
	struct buf b;

	buf_init(&b, 1024);
	ck_assert_int_eq(tmpl_render_sms(t, tm_locales[_i / SMS_TM__COUNT].code,
	    v, NELEM(v), NULL, &b), 0);
	ck_assert_ptr_nonnull(strstr(str(&b), "123456"));
	ck_assert_ptr_nonnull(strstr(str(&b), "A&B <x>"));
	ck_assert_ptr_null(strstr(str(&b), "{{"));
	ck_assert(val_utf8(str(&b), b.len));
	buf_free(&b);
}
END_TEST

START_TEST(test_sms_misc)
{
	static const struct tmpl_var v[] = {
		{ "secret", "123456" }, { "project", "Acme" },
	};
	struct buf b;

	buf_init(&b, 1024);
	ck_assert_int_eq(tmpl_render_sms(SMS_TM_LOGIN, "en", v, NELEM(v), NULL,
	    &b), 0);
	ck_assert_str_eq(str(&b), "123456 is your Acme sign-in code.");
	buf_reset(&b);
	ck_assert_int_eq(tmpl_render_sms(SMS_TM_MFA, "xx", v, NELEM(v),
	    "Code {{secret}}{{unknown}} for <{{project}}>", &b), 0);
	ck_assert_str_eq(str(&b), "Code 123456 for <Acme>");
	buf_free(&b);
	buf_init(&b, 10);
	ck_assert_int_eq(tmpl_render_sms(SMS_TM_VERIFICATION, "en", v, NELEM(v),
	    NULL, &b), -1);
	buf_free(&b);
	ck_assert_int_eq(tmpl_render_sms(SMS_TM__COUNT, "en", v, NELEM(v), NULL,
	    &b), -1);
	ck_assert_int_eq(tmpl_render_sms(SMS_TM_LOGIN, "en", v, NELEM(v), NULL,
	    NULL), -1);
}
END_TEST

/* ---- Limits and bad arguments ---- */

/* Output maxima that must make tmpl_render fail. */
static const struct {
	size_t smax, hmax, tmax; /* maxima of subject, HTML, text */
	int ovr;                 /* 1: use an HTML override */
} overflow_cases[] = {
	{ 3, OUT_MAX, OUT_MAX, 0 },
	{ 4096, 200, OUT_MAX, 0 },
	{ 4096, OUT_MAX, 50, 0 },
	{ 4096, 100, OUT_MAX, 1 },
	{ 4096, OUT_MAX, 5, 1 },
	{ 3, OUT_MAX, OUT_MAX, 1 },
};

START_TEST(test_overflow)
{
	struct out o;
	int rc;

	out_init(&o, overflow_cases[_i].smax, overflow_cases[_i].hmax,
	    overflow_cases[_i].tmax);
	rc = tmpl_render(TM_MAGIC_SESSION, "en", std_vars, NELEM(std_vars),
	    NULL, overflow_cases[_i].ovr ? "<p>{{user}} and more text</p>" : NULL,
	    &o.s, &o.h, &o.t);
	ck_assert_int_eq(rc, -1);
	out_free(&o);
}
END_TEST

START_TEST(test_bad_args)
{
	struct out o;

	out_init(&o, 4096, OUT_MAX, OUT_MAX);
	ck_assert_int_eq(tmpl_render(TM__COUNT, "en", NULL, 0, NULL, NULL,
	    &o.s, &o.h, &o.t), -1);
	ck_assert_int_eq(tmpl_render((enum tmpl_type)-1, "en", NULL, 0, NULL,
	    NULL, &o.s, &o.h, &o.t), -1);
	ck_assert_int_eq(tmpl_render(TM_RECOVERY, "en", std_vars, -1, NULL,
	    NULL, &o.s, &o.h, &o.t), -1);
	ck_assert_int_eq(tmpl_render(TM_RECOVERY, "en", NULL, 0, NULL, NULL,
	    NULL, &o.h, &o.t), -1);
	ck_assert_int_eq(tmpl_render(TM_RECOVERY, "en", NULL, 0, NULL, NULL,
	    &o.s, NULL, &o.t), -1);
	ck_assert_int_eq(tmpl_render(TM_RECOVERY, "en", NULL, 0, NULL, NULL,
	    &o.s, &o.h, NULL), -1);
	/* vars == NULL with a count renders as if none were given */
	ck_assert_int_eq(tmpl_render(TM_RECOVERY, NULL, NULL, 3, NULL, NULL,
	    &o.s, &o.h, &o.t), 0);
	ck_assert_str_eq(str(&o.s), "Password Reset");
	out_free(&o);
}
END_TEST

/* Builds the suite. */
static Suite *
templates_suite(void)
{
	Suite *s = suite_create("templates");
	TCase *tc;

	tc = check_tcase("render");
	tcase_add_loop_test(tc, test_every_type_locale, 0,
	    (int)(TM__COUNT * tm_nlocales));
	tcase_add_loop_test(tc, test_en_subjects, 0, NELEM(subject_cases));
	tcase_add_test(tc, test_missing_vars);
	tcase_add_loop_test(tc, test_phrase, 0, NELEM(phrase_cases));
	tcase_add_test(tc, test_rtl);
	suite_add_tcase(s, tc);

	tc = check_tcase("escaping");
	tcase_add_loop_test(tc, test_html_escaping, 0, NELEM(escape_cases));
	tcase_add_loop_test(tc, test_redirect_attr, 0, NELEM(redirect_cases));
	tcase_add_test(tc, test_utf8_repair);
	suite_add_tcase(s, tc);

	tc = check_tcase("locale");
	tcase_add_loop_test(tc, test_locale, 0, NELEM(locale_cases));
	tcase_add_test(tc, test_type_names);
	tcase_add_loop_test(tc, test_locale_complete, 0, (int)tm_nlocales);
	suite_add_tcase(s, tc);

	tc = check_tcase("override");
	tcase_add_test(tc, test_override);
	tcase_add_loop_test(tc, test_strip, 0, NELEM(strip_cases));
	suite_add_tcase(s, tc);

	tc = check_tcase("sms");
	tcase_add_loop_test(tc, test_sms_every, 0,
	    (int)(SMS_TM__COUNT * tm_nlocales));
	tcase_add_test(tc, test_sms_misc);
	suite_add_tcase(s, tc);

	tc = check_tcase("limits");
	tcase_add_loop_test(tc, test_overflow, 0, NELEM(overflow_cases));
	tcase_add_test(tc, test_bad_args);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; exit status 1 when any test failed. */
int
main(void)
{
	return check_run(templates_suite());
}
