/* templates.c: renders the emails and SMS of spec/CONTRACT.md 8 from the
 * wording in templates_i18n.c. One expander does {{variable}} substitution
 * in four modes (see enum tm_mode): our wording is escaped for HTML,
 * variable values are escaped in HTML and raw in text and SMS, subjects
 * lose control bytes. Values are never re-scanned, so a user named
 * "{{redirect}}" stays a name. The HTML part is a common layout (inline
 * styles, a button for links, dir from the locale) around the type's body;
 * the text part is written from the same wording, not tag-stripped, except
 * for admin overrides, whose text part is the stripped override. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "crypto.h"
#include "templates.h"
#include "templates_int.h"
#include "validate.h"

#define TM_NAME_MAX 64 /* longest {{placeholder}} name we recognise */

/* What a type's body holds besides its paragraphs. */
struct tm_type {
	const char *name; /* Appwrite template key */
	int link;         /* 1: button and raw link to {{redirect}} */
	int code;         /* 1: the {{otp}} code shown large */
	int info;         /* 1: the requesting client line */
	int phrase;       /* 1: security phrase line when {{phrase}} is set */
};

/* Indexed by enum tmpl_type. */
static const struct tm_type tm_types[TM__COUNT] = {
	[TM_VERIFICATION] = { "verification", 1, 0, 0, 0 },
	[TM_RECOVERY] = { "recovery", 1, 0, 0, 0 },
	[TM_MAGIC_SESSION] = { "magicSession", 1, 0, 1, 1 },
	[TM_OTP_SESSION] = { "otpSession", 0, 1, 1, 1 },
	[TM_MFA_CHALLENGE] = { "mfaChallenge", 0, 1, 1, 0 },
	[TM_SESSION_ALERT] = { "sessionAlert", 0, 0, 0, 0 },
	[TM_INVITATION] = { "invitation", 1, 0, 0, 0 },
};

/* How tm_expand treats literal text and variable values. */
enum tm_mode {
	TM_HTML,   /* our wording: text and values escaped, {{b}} is <strong> */
	TM_MARKUP, /* HTML markup (layout, admin HTML): text verbatim, values escaped */
	TM_TEXT,   /* plain text and SMS: text and values raw, {{b}} is nothing */
	TM_LINE    /* subject: as TM_TEXT, control bytes dropped, tab is a space */
};

/* Everything a placeholder can resolve to. */
struct tm_ctx {
	const struct tm_locale *loc; /* wording and direction */
	const char *code;            /* locale code, for lang="" and {{locale}} */
	const struct tmpl_var *vars; /* caller's variables, not owned */
	int nvars;                   /* entries in vars */
	const char *subject;         /* rendered subject for {{subject}} */
	char year[12];               /* current UTC year for {{year}} */
};

/* Layout around every HTML body (rendered in TM_MARKUP mode). */
static const char tm_head[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"{{locale}}\" dir=\"{{direction}}\">\n"
    "<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>{{subject}}</title>\n</head>\n"
    "<body style=\"margin:0;padding:0;background-color:#f3f4f6;\">\n"
    "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" "
    "cellspacing=\"0\" border=\"0\" style=\"background-color:#f3f4f6;\">\n"
    "<tr><td align=\"center\" style=\"padding:24px 12px;\">\n"
    "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" "
    "cellspacing=\"0\" border=\"0\" dir=\"{{direction}}\" style=\"max-width:560px;"
    "background-color:#ffffff;border-radius:8px;\">\n"
    "<tr><td style=\"padding:32px;font-family:Helvetica,Arial,sans-serif;"
    "font-size:15px;line-height:1.6;color:#1f2937;text-align:start;\">\n";
static const char tm_tail[] =
    "</td></tr>\n</table>\n</td></tr>\n</table>\n</body>\n</html>\n";

/* Pieces of the HTML body (TM_MARKUP mode). */
#define TM_P "<p style=\"margin:0 0 16px;\">"
#define TM_P_MUTED "<p style=\"margin:0 0 16px;font-size:13px;color:#6b7280;\">"
#define TM_P_END "</p>\n"
static const char tm_button[] =
    "<p style=\"margin:24px 0;text-align:center;\"><a href=\"{{redirect}}\" "
    "style=\"display:inline-block;padding:12px 28px;background-color:#2563eb;"
    "color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold;\">";
static const char tm_rawlink[] =
    "<br><a href=\"{{redirect}}\" style=\"color:#2563eb;word-break:break-all;\" "
    "dir=\"ltr\">{{redirect}}</a>";
static const char tm_code[] =
    "<p dir=\"ltr\" style=\"margin:24px 0;text-align:center;font-family:Menlo,"
    "Consolas,monospace;font-size:30px;font-weight:bold;letter-spacing:6px;\">"
    "{{otp}}</p>\n";

/* Length of the well-formed UTF-8 sequence at s[0..n), or 0. */
static size_t
tm_utf8_len(const unsigned char *s, size_t n)
{
	size_t k; /* length announced by the lead byte */

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xf0)
		k = 4;
	else if (s[0] >= 0xe0)
		k = 3;
	else
		k = 2;
	if (k > n || !val_utf8((const char *)s, k))
		return 0;
	return k;
}

/* Appends the ASCII byte c as mode m wants it (escape is 1 when HTML
 * escaping applies). */
static void
tm_put_ascii(struct buf *out, unsigned char c, enum tm_mode m, int escape)
{
	if (c < 0x20 || c == 0x7f) {
		if (m == TM_LINE) {
			if (c == '\t')
				buf_addc(out, ' ');
		} else if (c == '\t' || c == '\n' || c == '\r')
			buf_addc(out, (char)c);
		return;
	}
	if (escape) {
		switch (c) {
		case '&': buf_adds(out, "&amp;"); return;
		case '<': buf_adds(out, "&lt;"); return;
		case '>': buf_adds(out, "&gt;"); return;
		case '"': buf_adds(out, "&quot;"); return;
		case '\'': buf_adds(out, "&#39;"); return;
		default: break;
		}
	}
	buf_addc(out, (char)c);
}

/* Appends p[0..n) as mode m wants it; value is 1 for a variable's value.
 * Invalid UTF-8 becomes U+FFFD so every output stays valid UTF-8. */
static void
tm_put(struct buf *out, const char *p, size_t n, enum tm_mode m, int value)
{
	const unsigned char *s = (const unsigned char *)p; /* cursor */
	size_t i = 0, k;                                   /* offset; sequence */
	int escape = m == TM_HTML || (m == TM_MARKUP && value);

	while (i < n) {
		if (s[i] < 0x80) {
			tm_put_ascii(out, s[i], m, escape);
			i++;
		} else if ((k = tm_utf8_len(s + i, n - i)) == 0) {
			buf_add(out, "\xef\xbf\xbd", 3);
			i++;
		} else {
			buf_add(out, s + i, k);
			i += k;
		}
	}
}

/* Returns 1 when the link v may go into an href: no control bytes and not
 * a script or data scheme. Redirect URLs are checked against the project's
 * platforms before they get here; this is a second line. */
static int
tm_link_ok(const char *v)
{
	static const char *const bad[] = { "javascript:", "vbscript:", "data:" };
	size_t i, j;

	for (i = 0; v[i] != '\0'; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return 0;
	while (*v == ' ')
		v++;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (j = 0; bad[i][j] != '\0'; j++)
			if ((v[j] | 0x20) != bad[i][j])
				break;
		if (bad[i][j] == '\0')
			return 0;
	}
	return 1;
}

/* Value of placeholder name[0..n): the caller's variable, else a built-in
 * (direction, locale, subject, year), else "". Never NULL. */
static const char *
tm_value(const struct tm_ctx *x, const char *name, size_t n)
{
	const char *v; /* caller's value */
	int i;

	for (i = 0; i < x->nvars; i++) {
		if (x->vars[i].name == NULL || strlen(x->vars[i].name) != n ||
		    memcmp(x->vars[i].name, name, n) != 0)
			continue;
		v = x->vars[i].value ? x->vars[i].value : "";
		if (n == 8 && memcmp(name, "redirect", 8) == 0 && !tm_link_ok(v))
			return "";
		return v;
	}
	if (n == 9 && memcmp(name, "direction", 9) == 0)
		return x->loc->dir;
	if (n == 6 && memcmp(name, "locale", 6) == 0)
		return x->code;
	if (n == 7 && memcmp(name, "subject", 7) == 0)
		return x->subject;
	if (n == 4 && memcmp(name, "year", 4) == 0)
		return x->year;
	return "";
}

/* Returns 1 when c may appear in a placeholder name. */
static int
tm_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' || c == '/';
}

/* Parses a placeholder at p[0..n) (p starts with "{{"): sets the name view
 * and returns the bytes consumed, or 0 when it is not one. */
static size_t
tm_placeholder(const char *p, size_t n, const char **name, size_t *nlen)
{
	size_t i = 2, start; /* cursor; first name byte */

	while (i < n && p[i] == ' ')
		i++;
	start = i;
	while (i < n && i - start <= TM_NAME_MAX && tm_name_char(p[i]))
		i++;
	*name = p + start;
	*nlen = i - start;
	while (i < n && p[i] == ' ')
		i++;
	if (*nlen == 0 || *nlen > TM_NAME_MAX || i + 1 >= n || p[i] != '}' ||
	    p[i + 1] != '}')
		return 0;
	return i + 2;
}

/* Appends template p[0..n) to out with its placeholders resolved. */
static void
tm_expand(struct buf *out, const char *p, size_t n, const struct tm_ctx *x,
    enum tm_mode m)
{
	size_t i = 0, run = 0, used, nlen; /* cursor; literal bytes; placeholder */
	const char *name, *v;
	int html = m == TM_HTML || m == TM_MARKUP;

	while (i < n) {
		used = 0;
		if (p[i] == '{' && i + 1 < n && p[i + 1] == '{')
			used = tm_placeholder(p + i, n - i, &name, &nlen);
		if (used == 0) {
			run++, i++;
			continue;
		}
		tm_put(out, p + i - run, run, m, 0);
		run = 0;
		if (nlen == 1 && name[0] == 'b')
			buf_adds(out, html ? "<strong>" : "");
		else if (nlen == 2 && name[0] == '/' && name[1] == 'b')
			buf_adds(out, html ? "</strong>" : "");
		else {
			v = tm_value(x, name, nlen);
			tm_put(out, v, strlen(v), m, 1);
		}
		i += used;
	}
	tm_put(out, p + i - run, run, m, 0);
}

/* tm_expand over a NUL-terminated template. */
static void
tm_expands(struct buf *out, const char *s, const struct tm_ctx *x,
    enum tm_mode m)
{
	tm_expand(out, s, strlen(s), x, m);
}

/* Appends each '\n'-separated line of s as open + line + close, the line
 * expanded in mode m and open/close verbatim. */
static void
tm_lines(struct buf *out, const char *s, const char *open, const char *close,
    const struct tm_ctx *x, enum tm_mode m)
{
	const char *nl; /* end of the current line */

	while (s != NULL) {
		nl = strchr(s, '\n');
		buf_adds(out, open);
		tm_expand(out, s, nl ? (size_t)(nl - s) : strlen(s), x, m);
		buf_adds(out, close);
		s = nl ? nl + 1 : NULL;
	}
}

/* Fills *d with the wording of type t in x's locale, English for any
 * string the locale lacks. Returns d. */
static const struct tm_mail_text *
tm_mail(const struct tm_ctx *x, enum tmpl_type t, struct tm_mail_text *d)
{
	const struct tm_mail_text *l = &x->loc->mail[t];    /* locale's */
	const struct tm_mail_text *e = &tm_locale_en.mail[t]; /* English */

	d->subject = l->subject ? l->subject : e->subject;
	d->body = l->body ? l->body : e->body;
	d->button = l->button ? l->button : e->button;
	d->items = l->items ? l->items : e->items;
	d->footer = l->footer ? l->footer : e->footer;
	return d;
}

/* A locale-wide string of x's locale, else the English one. */
#define TM_STR(x, f) ((x)->loc->f ? (x)->loc->f : tm_locale_en.f)

/* Returns the greeting: by name, or the anonymous one without a name. */
static const char *
tm_hello(const struct tm_ctx *x)
{
	return *tm_value(x, "user", 4) ? TM_STR(x, hello) : TM_STR(x, hello_anon);
}

/* Returns 1 when type t shows the security phrase line for x. */
static int
tm_has_phrase(const struct tm_ctx *x, enum tmpl_type t)
{
	return tm_types[t].phrase && *tm_value(x, "phrase", 6) != '\0';
}

/* Appends the HTML body of type t (inside the layout). */
static void
tm_html_body(struct buf *h, enum tmpl_type t, const struct tm_mail_text *m,
    const struct tm_ctx *x)
{
	tm_lines(h, tm_hello(x), TM_P, TM_P_END, x, TM_HTML);
	tm_lines(h, m->body, TM_P, TM_P_END, x, TM_HTML);
	if (tm_types[t].link) {
		tm_expands(h, tm_button, x, TM_MARKUP);
		tm_expands(h, m->button, x, TM_HTML);
		buf_adds(h, "</a>" TM_P_END TM_P_MUTED);
		tm_expands(h, TM_STR(x, link_help), x, TM_HTML);
		tm_expands(h, tm_rawlink, x, TM_MARKUP);
		buf_adds(h, TM_P_END);
	}
	if (tm_types[t].code)
		tm_expands(h, tm_code, x, TM_MARKUP);
	if (m->items != NULL) {
		buf_adds(h, "<ul style=\"margin:0 0 16px;padding:0 20px;\">\n");
		tm_lines(h, m->items, "<li>", "</li>\n", x, TM_HTML);
		buf_adds(h, "</ul>\n");
	}
	if (tm_types[t].info)
		tm_lines(h, TM_STR(x, client_info), TM_P_MUTED, TM_P_END, x,
		    TM_HTML);
	if (tm_has_phrase(x, t))
		tm_lines(h, TM_STR(x, phrase), TM_P, TM_P_END, x, TM_HTML);
	tm_lines(h, m->footer, TM_P_MUTED, TM_P_END, x, TM_HTML);
	buf_adds(h, TM_P);
	tm_expands(h, TM_STR(x, thanks), x, TM_HTML);
	buf_adds(h, "<br>");
	tm_expands(h, TM_STR(x, signature), x, TM_HTML);
	buf_adds(h, TM_P_END);
}

/* Appends the plain-text body of type t: the same wording, values raw. */
static void
tm_text_body(struct buf *o, enum tmpl_type t, const struct tm_mail_text *m,
    const struct tm_ctx *x)
{
	tm_lines(o, tm_hello(x), "", "\n\n", x, TM_TEXT);
	tm_lines(o, m->body, "", "\n\n", x, TM_TEXT);
	if (tm_types[t].link) {
		tm_expands(o, m->button, x, TM_TEXT);
		tm_expands(o, ":\n{{redirect}}\n\n", x, TM_TEXT);
	}
	if (tm_types[t].code)
		tm_expands(o, "    {{otp}}\n\n", x, TM_TEXT);
	if (m->items != NULL) {
		tm_lines(o, m->items, "- ", "\n", x, TM_TEXT);
		buf_adds(o, "\n");
	}
	if (tm_types[t].info)
		tm_lines(o, TM_STR(x, client_info), "", "\n\n", x, TM_TEXT);
	if (tm_has_phrase(x, t))
		tm_lines(o, TM_STR(x, phrase), "", "\n\n", x, TM_TEXT);
	tm_lines(o, m->footer, "", "\n\n", x, TM_TEXT);
	tm_lines(o, TM_STR(x, thanks), "", "\n", x, TM_TEXT);
	tm_lines(o, TM_STR(x, signature), "", "\n", x, TM_TEXT);
}

/* Returns the locale entry whose code equals s[0..n) case-insensitively
 * ('_' matching '-'), or NULL. */
static const struct tm_locale_entry *
tm_find(const char *s, size_t n)
{
	size_t i, j; /* entry; byte */
	char c;

	for (i = 0; i < tm_nlocales; i++) {
		if (strlen(tm_locales[i].code) != n)
			continue;
		for (j = 0; j < n; j++) {
			c = s[j] == '_' ? '-' : s[j];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (c != tm_locales[i].code[j])
				break;
		}
		if (j == n)
			return &tm_locales[i];
	}
	return NULL;
}

/* The entry for s exactly, else for its first two letters, else NULL. */
static const struct tm_locale_entry *
tm_resolve(const char *s)
{
	const struct tm_locale_entry *e;
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0)
		return NULL;
	if ((e = tm_find(s, n)) != NULL)
		return e;
	return n > 2 ? tm_find(s, 2) : NULL;
}

/* The locale code to render in (see templates.h); never NULL. */
const char *
tmpl_locale(const char *want, const char *fallback)
{
	const struct tm_locale_entry *e;

	if ((e = tm_resolve(want)) != NULL || (e = tm_resolve(fallback)) != NULL)
		return e->code;
	return "en";
}

/* Type named like Appwrite's template key, or -1. */
int
tmpl_type_parse(const char *name)
{
	int t;

	if (name == NULL)
		return -1;
	for (t = 0; t < TM__COUNT; t++)
		if (strcmp(name, tm_types[t].name) == 0)
			return t;
	return -1;
}

/* Appwrite template key of t, "" when t is out of range. */
const char *
tmpl_type_name(enum tmpl_type t)
{
	return (unsigned)t < TM__COUNT ? tm_types[t].name : "";
}

/* Fills x for rendering in `locale` (unknown codes render English). */
static void
tm_ctx_init(struct tm_ctx *x, const char *locale, const struct tmpl_var *vars,
    int nvars)
{
	const struct tm_locale_entry *e = tm_resolve(locale);
	time_t now = time(NULL);
	struct tm tmv;

	x->loc = e ? e->loc : &tm_locale_en;
	x->code = e ? e->code : "en";
	x->vars = vars;
	x->nvars = vars ? nvars : 0;
	x->subject = "";
	if (gmtime_r(&now, &tmv) == NULL || tmv.tm_year < 0 || tmv.tm_year > 8099)
		tmv.tm_year = 70;
	snprintf(x->year, sizeof(x->year), "%04d", tmv.tm_year + 1900);
}

/* Returns 1 when p[0..n) starts with the lower-case ASCII word w, in any
 * case. */
static int
tm_starts_ci(const char *p, size_t n, const char *w)
{
	size_t i;
	char c;

	for (i = 0; w[i] != '\0'; i++) {
		if (i >= n)
			return 0;
		c = p[i] >= 'A' && p[i] <= 'Z' ? (char)(p[i] - 'A' + 'a') : p[i];
		if (c != w[i])
			return 0;
	}
	return 1;
}

/* Returns 1 when the HTML p[0..n) is a whole document (has "<html" or a
 * doctype), which an override then is used as, without our layout. */
static int
tm_is_document(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == '<' && (tm_starts_ci(p + i, n - i, "<html") ||
		    tm_starts_ci(p + i, n - i, "<!doctype")))
			return 1;
	return 0;
}

/* Appends the admin's HTML override, rendered, to html (inside our layout
 * unless it is a whole document) and its stripped form to text. */
static void
tm_override(const char *ovr, const struct tm_ctx *x, struct buf *html,
    struct buf *text)
{
	struct buf r; /* rendered override; holds secrets, wiped */

	buf_init(&r, html->max);
	tm_expands(&r, ovr, x, TM_MARKUP);
	if (r.err) {
		html->err = 1;
		goto out;
	}
	if (tm_is_document(r.data, r.len))
		buf_add(html, r.data, r.len);
	else {
		tm_expands(html, tm_head, x, TM_MARKUP);
		buf_add(html, r.data, r.len);
		tm_expands(html, tm_tail, x, TM_MARKUP);
	}
	tm_html_to_text(r.data, r.len, text);
out:
	if (r.data != NULL)
		crypto_wipe(r.data, r.cap);
	buf_free(&r);
}

/* Renders email t into subject, html and text (appending). The subject
 * is rendered first so {{subject}} can appear in the HTML <title>. */
int
tmpl_render(enum tmpl_type t, const char *locale, const struct tmpl_var *vars,
    int nvars, const char *subject_ovr, const char *html_ovr,
    struct buf *subject, struct buf *html, struct buf *text)
{
	struct tm_ctx x;
	struct tm_mail_text m; /* wording of t with English fill-ins */
	size_t s0;             /* where our subject starts in `subject` */

	if ((unsigned)t >= TM__COUNT || subject == NULL || html == NULL ||
	    text == NULL || nvars < 0)
		return -1;
	tm_ctx_init(&x, locale, vars, nvars);
	tm_mail(&x, t, &m);
	s0 = subject->len;
	tm_expands(subject, subject_ovr ? subject_ovr : m.subject, &x, TM_LINE);
	if (subject->err)
		return -1;
	x.subject = subject->data ? subject->data + s0 : "";
	if (html_ovr != NULL)
		tm_override(html_ovr, &x, html, text);
	else {
		tm_expands(html, tm_head, &x, TM_MARKUP);
		tm_html_body(html, t, &m, &x);
		tm_expands(html, tm_tail, &x, TM_MARKUP);
		tm_text_body(text, t, &m, &x);
	}
	return html->err || text->err ? -1 : 0;
}

/* Renders SMS t (or the override) into out, values raw. 0 or -1. */
int
tmpl_render_sms(enum sms_tmpl_type t, const char *locale,
    const struct tmpl_var *vars, int nvars, const char *ovr, struct buf *out)
{
	struct tm_ctx x;
	const char *tpl; /* template text */

	if ((unsigned)t >= SMS_TM__COUNT || out == NULL || nvars < 0)
		return -1;
	tm_ctx_init(&x, locale, vars, nvars);
	tpl = ovr ? ovr : x.loc->sms[t] ? x.loc->sms[t] : tm_locale_en.sms[t];
	tm_expands(out, tpl, &x, TM_TEXT);
	return out->err ? -1 : 0;
}
