/* templates_strip.c: HTML to plain text for the text part of an admin's
 * custom email template (see tm_html_to_text in templates_int.h). A small
 * state machine, not an HTML parser: good enough for email markup, bounded
 * by its input, never reads past p[n). */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "templates_int.h"

#define ST_TAG_MAX 16      /* longest tag name we look at */
#define ST_ENTITY_MAX 12   /* longest entity, "&" to ";" inclusive */
#define ST_HREF_MAX 4096   /* longest link address we keep */

/* Stripping state. Line breaks and spaces are deferred until the next
 * visible character, so the text never starts or ends with blank lines. */
struct strip {
	struct buf *out;   /* destination, not owned */
	size_t start;      /* out->len when we began */
	int space;         /* 1: a space is pending */
	int breaks;        /* pending line breaks (0..2) */
	int in_a;          /* 1: inside <a href> */
	size_t label;      /* out->len where the current link's label began */
	struct buf href;   /* the current link's address, entities decoded */
};

/* Element kinds that matter for text. */
enum st_kind {
	ST_INLINE, /* anything else: no effect */
	ST_LINE,   /* br, tr, li: a line break */
	ST_BLOCK,  /* p, div, headings, lists, tables: a blank line */
	ST_CELL,   /* td, th: a space */
	ST_SKIP    /* head, style, script, title: contents dropped */
};

/* Tag names and their kinds. */
static const struct {
	const char *name;  /* lower-case tag name */
	enum st_kind kind; /* what it does */
} st_tags[] = {
	{ "br", ST_LINE }, { "tr", ST_LINE }, { "li", ST_LINE },
	{ "p", ST_BLOCK }, { "div", ST_BLOCK }, { "table", ST_BLOCK },
	{ "ul", ST_BLOCK }, { "ol", ST_BLOCK }, { "h1", ST_BLOCK },
	{ "h2", ST_BLOCK }, { "h3", ST_BLOCK }, { "h4", ST_BLOCK },
	{ "h5", ST_BLOCK }, { "h6", ST_BLOCK }, { "hr", ST_BLOCK },
	{ "blockquote", ST_BLOCK }, { "section", ST_BLOCK },
	{ "header", ST_BLOCK }, { "footer", ST_BLOCK },
	{ "td", ST_CELL }, { "th", ST_CELL },
	{ "head", ST_SKIP }, { "style", ST_SKIP }, { "script", ST_SKIP },
	{ "title", ST_SKIP },
};

/* Returns c lower-cased when it is an ASCII capital. */
static char
st_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Returns 1 when c is HTML white space. */
static int
st_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Appends visible text p[0..n), first flushing pending breaks or a space. */
static void
st_text(struct strip *s, const char *p, size_t n)
{
	if (s->out->len > s->start) {
		if (s->breaks > 0)
			buf_add(s->out, "\n\n", (size_t)s->breaks);
		else if (s->space)
			buf_addc(s->out, ' ');
	}
	s->breaks = s->space = 0;
	buf_add(s->out, p, n);
}

/* Asks for at least `want` line breaks before the next text. */
static void
st_break(struct strip *s, int want)
{
	if (s->breaks < want)
		s->breaks = want;
	s->space = 0;
}

/* Appends code point cp as UTF-8 to b; control characters other than tab
 * and newline, surrogates and out-of-range values are dropped. */
static void
st_utf8(struct buf *b, uint32_t cp)
{
	char u[4];

	if (cp == 0 || (cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7f ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return;
	if (cp < 0x80) {
		buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 4);
	}
}

/* Parses the numeric entity body p[0..n) ("#233" or "#xE9"); returns the
 * code point, or 0 when malformed. */
static uint32_t
st_numeric(const char *p, size_t n)
{
	uint32_t cp = 0;
	size_t i = 1;
	int hex = 0, d;

	if (n > 1 && (p[1] == 'x' || p[1] == 'X'))
		hex = 1, i = 2;
	if (i >= n)
		return 0;
	for (; i < n; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (hex && st_lower(p[i]) >= 'a' && st_lower(p[i]) <= 'f')
			d = st_lower(p[i]) - 'a' + 10;
		else
			return 0;
		cp = cp * (hex ? 16u : 10u) + (uint32_t)d;
		if (cp > 0x10ffff)
			return 0;
	}
	return cp;
}

/* Decodes the entity at p[0..n) (p[0] == '&') into b. Returns the bytes
 * consumed, or 0 when it is not an entity we know (the '&' is then text). */
static size_t
st_entity(const char *p, size_t n, struct buf *b)
{
	static const struct {
		const char *name; /* between '&' and ';' */
		const char *text; /* replacement */
	} named[] = {
		{ "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" },
		{ "apos", "'" }, { "nbsp", " " },
	};
	size_t i, len, k; /* cursor; name length; table index */
	uint32_t cp;

	for (i = 1; i < n && i < ST_ENTITY_MAX && p[i] != ';'; i++)
		;
	if (i >= n || p[i] != ';' || i == 1)
		return 0;
	len = i - 1;
	if (p[1] == '#') {
		if ((cp = st_numeric(p + 1, len)) == 0)
			return 0;
		st_utf8(b, cp);
		return i + 1;
	}
	for (k = 0; k < sizeof(named) / sizeof(named[0]); k++)
		if (strlen(named[k].name) == len &&
		    memcmp(named[k].name, p + 1, len) == 0) {
			buf_adds(b, named[k].text);
			return i + 1;
		}
	return 0;
}

/* Kind of the tag named name[0..n) (already lower-cased). */
static enum st_kind
st_kind(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(st_tags) / sizeof(st_tags[0]); i++)
		if (strlen(st_tags[i].name) == n &&
		    memcmp(st_tags[i].name, name, n) == 0)
			return st_tags[i].kind;
	return ST_INLINE;
}

/* Returns 1 when name p[0..n) is "href" in any case. */
static int
st_is_href(const char *p, size_t n)
{
	return n == 4 && st_lower(p[0]) == 'h' && st_lower(p[1]) == 'r' &&
	    st_lower(p[2]) == 'e' && st_lower(p[3]) == 'f';
}

/* Appends p[0..n) to b with entities decoded. */
static void
st_decode(const char *p, size_t n, struct buf *b)
{
	size_t i = 0, used;

	while (i < n) {
		if (p[i] == '&' && (used = st_entity(p + i, n - i, b)) > 0) {
			i += used;
			continue;
		}
		buf_addc(b, p[i++]);
	}
}

/* Scans the attributes of a tag from p[i], stopping after '>'. When want_href,
 * the decoded value of href goes to s->href. Returns the offset after '>',
 * or 0 when the tag never closes. */
static size_t
st_attrs(struct strip *s, const char *p, size_t n, size_t i, int want_href)
{
	size_t a, ae, v, ve; /* attribute name start, end; value start, end */
	char q;              /* quote around the value, or 0 */

	while (i < n) {
		while (i < n && (st_ws(p[i]) || p[i] == '/'))
			i++;
		if (i < n && p[i] == '>')
			return i + 1;
		for (a = i; i < n && !st_ws(p[i]) && p[i] != '=' && p[i] != '>'; i++)
			;
		for (ae = i; i < n && st_ws(p[i]); i++)
			;
		if (i >= n || p[i] != '=') {
			if (i == a && i < n && p[i] != '>')
				i++; /* a stray byte: step over it */
			continue;
		}
		for (i++; i < n && st_ws(p[i]); i++)
			;
		q = (i < n && (p[i] == '"' || p[i] == '\'')) ? p[i++] : 0;
		for (v = i; i < n && (q ? p[i] != q : !st_ws(p[i]) && p[i] != '>'); i++)
			;
		ve = i;
		if (q && i < n)
			i++;
		if (want_href && st_is_href(p + a, ae - a)) {
			buf_reset(&s->href);
			st_decode(p + v, ve - v, &s->href);
		}
	}
	return 0;
}

/* Skips to the end of the closing tag </name...> from p[i]; returns the
 * offset after it, or n. */
static size_t
st_skip_to_close(const char *p, size_t n, size_t i, const char *name,
    size_t len)
{
	size_t j;

	for (; i + 2 + len <= n; i++) {
		if (p[i] != '<' || p[i + 1] != '/')
			continue;
		for (j = 0; j < len && st_lower(p[i + 2 + j]) == name[j]; j++)
			;
		if (j < len)
			continue;
		for (i += 2 + len; i < n && p[i] != '>'; i++)
			;
		return i < n ? i + 1 : n;
	}
	return n;
}

/* Ends a link: its address follows the label in parentheses unless they
 * are the same; a link without a label becomes its address. */
static void
st_link_end(struct strip *s)
{
	const char *label = s->out->data ? s->out->data + s->label : "";
	size_t ln = s->out->len - s->label;

	s->in_a = 0;
	while (ln > 0 && (*label == ' ' || *label == '\n'))
		label++, ln--;
	if (s->href.err || s->href.len == 0 || s->href.data[0] == '#' ||
	    (ln == s->href.len && memcmp(label, s->href.data, ln) == 0))
		return;
	if (ln == 0) {
		st_text(s, s->href.data, s->href.len);
		return;
	}
	buf_add(s->out, " (", 2);
	buf_add(s->out, s->href.data, s->href.len);
	buf_addc(s->out, ')');
}

/* Returns 1 when c is an ASCII letter. */
static int
st_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Skips a comment or declaration at p[i] == '<', p[i + 1] == '!'. Returns
 * the offset after it, or 0 when it never closes. */
static size_t
st_bang(const char *p, size_t n, size_t i)
{
	size_t j = i + 2;

	if (j + 1 < n && p[j] == '-' && p[j + 1] == '-') {
		for (j += 2; j + 2 < n && memcmp(p + j, "-->", 3) != 0; j++)
			;
		return j + 2 < n ? j + 3 : n;
	}
	for (; j < n && p[j] != '>'; j++)
		;
	return j < n ? j + 1 : 0;
}

/* Applies what element `name` (kind k) does to the text. */
static void
st_element(struct strip *s, const char *name, size_t len, enum st_kind k,
    int closing)
{
	int is_a = len == 1 && name[0] == 'a';

	if (k == ST_LINE)
		st_break(s, 1);
	else if (k == ST_BLOCK)
		st_break(s, 2);
	else if (k == ST_CELL)
		s->space = 1;
	if (k == ST_LINE && !closing && len == 2 && name[0] == 'l')
		st_text(s, "- ", 2);
	if (is_a && closing && s->in_a)
		st_link_end(s);
	else if (is_a && !closing && s->href.len > 0) {
		s->in_a = 1;
		s->label = s->out->len;
	}
}

/* Handles the markup at p[i] == '<'. Returns the offset after it, or 0 when
 * it is not markup (the '<' is then text). */
static size_t
st_tag(struct strip *s, const char *p, size_t n, size_t i)
{
	char name[ST_TAG_MAX]; /* lower-cased tag name */
	size_t len = 0, j = i + 1, end;
	int closing = 0, want_href;
	enum st_kind k;

	if (j < n && p[j] == '!')
		return st_bang(p, n, i);
	if (j < n && p[j] == '/')
		closing = 1, j++;
	if (j >= n || !st_alpha(p[j]))
		return 0;
	for (; j < n && len < ST_TAG_MAX &&
	    (st_alpha(p[j]) || (p[j] >= '0' && p[j] <= '9')); j++)
		name[len++] = st_lower(p[j]);
	k = st_kind(name, len);
	want_href = !closing && len == 1 && name[0] == 'a';
	if (want_href)
		buf_reset(&s->href);
	if ((end = st_attrs(s, p, n, j, want_href)) == 0)
		return 0;
	if (k == ST_SKIP && !closing)
		return st_skip_to_close(p, n, end, name, len);
	st_element(s, name, len, k, closing);
	return end;
}

/* See templates_int.h. */
void
tm_html_to_text(const char *p, size_t n, struct buf *out)
{
	struct strip s;
	size_t i = 0, used;

	memset(&s, 0, sizeof(s));
	s.out = out;
	s.start = out->len;
	buf_init(&s.href, ST_HREF_MAX);
	while (i < n) {
		if (p[i] == '<' && (used = st_tag(&s, p, n, i)) > 0) {
			i = used;
			continue;
		}
		if (st_ws(p[i])) {
			s.space = 1;
			i++;
			continue;
		}
		if (p[i] == '&') {
			st_text(&s, "", 0);
			if ((used = st_entity(p + i, n - i, out)) > 0) {
				i += used;
				continue;
			}
		}
		st_text(&s, p + i, 1);
		i++;
	}
	if (out->len > s.start)
		buf_addc(out, '\n');
	buf_free(&s.href);
}
