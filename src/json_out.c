/* json_out.c: JSON writer with a scope stack (see json_out.h). */
#include <stdio.h>
#include <string.h>

#include "json_out.h"

void jw_init(struct jw *w, struct buf *b)
{
	w->b = b;
	w->depth = 0;
	w->first[0] = 1;
	w->after_key = 0;
}

/* Writes the separator a new value needs in the current scope. */
static void jw_sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->depth > 0) {
		if (!w->first[w->depth])
			buf_addc(w->b, ',');
		w->first[w->depth] = 0;
	}
}

/* Opens a scope with the given bracket. */
static void jw_open(struct jw *w, char c)
{
	jw_sep(w);
	if (w->depth >= LK_MAX_JSON_DEPTH) {
		w->b->err = 1;
		return;
	}
	buf_addc(w->b, c);
	w->first[++w->depth] = 1;
}

/* Closes the current scope. */
static void jw_close(struct jw *w, char c)
{
	if (w->depth <= 0) {
		w->b->err = 1;
		return;
	}
	w->depth--;
	buf_addc(w->b, c);
}

void jw_obj(struct jw *w) { jw_open(w, '{'); }
void jw_obj_end(struct jw *w) { jw_close(w, '}'); }
void jw_arr(struct jw *w) { jw_open(w, '['); }
void jw_arr_end(struct jw *w) { jw_close(w, ']'); }

/* Returns the length of the valid UTF-8 sequence at p (1..4), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len, i;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
	else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
	else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
	else return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

void json_escape(struct buf *b, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, run = 0, k;
	char esc[8];

	while (i < n) {
		unsigned c = s[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			run++, i++;
			continue;
		}
		buf_add(b, s + i - run, run);
		run = 0;
		if (c >= 0x80) {
			if ((k = utf8_seq(s + i, n - i)) == 0) {
				buf_add(b, "\xef\xbf\xbd", 3); /* U+FFFD */
				i++;
			} else {
				buf_add(b, s + i, k);
				i += k;
			}
			continue;
		}
		switch (c) {
		case '"': buf_add(b, "\\\"", 2); break;
		case '\\': buf_add(b, "\\\\", 2); break;
		case '\n': buf_add(b, "\\n", 2); break;
		case '\r': buf_add(b, "\\r", 2); break;
		case '\t': buf_add(b, "\\t", 2); break;
		default:
			snprintf(esc, sizeof esc, "\\u%04x", c);
			buf_add(b, esc, 6);
		}
		i++;
	}
	buf_add(b, s + i - run, run);
}

void jw_key(struct jw *w, const char *k)
{
	jw_sep(w);
	buf_addc(w->b, '"');
	json_escape(w->b, k, strlen(k));
	buf_add(w->b, "\":", 2);
	w->after_key = 1;
}

void jw_str(struct jw *w, const char *p, size_t n)
{
	jw_sep(w);
	buf_addc(w->b, '"');
	json_escape(w->b, p, n);
	buf_addc(w->b, '"');
}

void jw_strc(struct jw *w, const char *s)
{
	jw_str(w, s ? s : "", s ? strlen(s) : 0);
}

void jw_int(struct jw *w, int64_t v)
{
	jw_sep(w);
	buf_printf(w->b, "%lld", (long long)v);
}

void jw_bool(struct jw *w, int v)
{
	jw_sep(w);
	buf_adds(w->b, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
	jw_sep(w);
	buf_adds(w->b, "null");
}

void jw_raw(struct jw *w, const char *p, size_t n)
{
	jw_sep(w);
	buf_add(w->b, p, n);
}

void jw_kstr(struct jw *w, const char *k, const char *s) { jw_key(w, k); jw_strc(w, s); }
void jw_kstrn(struct jw *w, const char *k, const char *p, size_t n) { jw_key(w, k); jw_str(w, p, n); }
void jw_kint(struct jw *w, const char *k, int64_t v) { jw_key(w, k); jw_int(w, v); }
void jw_kbool(struct jw *w, const char *k, int v) { jw_key(w, k); jw_bool(w, v); }
