/* json_in.c: bounded JSON reading over jsmn (see json_in.h). */
#include <string.h>

#include <jsmn.h> /* the implementation, compiled once here */

#include "json_in.h"
#include "lk_limits.h"
#include "validate.h"

/* Returns 1 when s[0..n) is a JSON number (RFC 8259 grammar). */
static int is_json_number(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i >= n)
		return 0;
	if (s[i] == '0')
		i++;
	else if (s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		size_t d = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t d;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		d = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d)
			return 0;
	}
	return i == n;
}

/* Returns 1 when primitive token t is true/false/null or a number. */
static int valid_primitive(const char *js, const jsmntok_t *t)
{
	const char *s = js + t->start;
	size_t n = (size_t)(t->end - t->start);

	if ((n == 4 && memcmp(s, "true", 4) == 0) ||
	    (n == 5 && memcmp(s, "false", 5) == 0) ||
	    (n == 4 && memcmp(s, "null", 4) == 0))
		return 1;
	return is_json_number(s, n);
}



/* Skips JSON whitespace from *i. */
static void skip_ws(const char *s, size_t n, size_t *i)
{
	while (*i < n && (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\n' || s[*i] == '\r'))
		(*i)++;
}

/* Scans a string starting at the quote s[*i]; leaves *i after the closing
 * quote. Escapes are checked for shape only (jdoc_str decodes them). */
static int scan_string(const char *s, size_t n, size_t *i)
{
	(*i)++;
	while (*i < n) {
		unsigned char c = (unsigned char)s[*i];
		if (c == '"') {
			(*i)++;
			return 1;
		}
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			if (*i + 1 >= n || strchr("\"\\/bfnrtu", s[*i + 1]) == NULL)
				return 0;
			*i += 2;
			continue;
		}
		(*i)++;
	}
	return 0;
}

/* Scans a literal or number at *i. */
static int scan_primitive(const char *s, size_t n, size_t *i)
{
	size_t st = *i;

	while (*i < n && strchr(",]} \t\r\n", s[*i]) == NULL)
		(*i)++;
	{
		jsmntok_t t;
		t.start = (int)st;
		t.end = (int)*i;
		return *i > st && valid_primitive(s, &t);
	}
}

/* Checks the complete RFC 8259 grammar of s[0..n) with nesting at most
 * LK_MAX_JSON_DEPTH (jsmn alone tolerates trailing commas and the like).
 * Returns JE_OK, JE_SYNTAX or JE_DEPTH. */
static enum jerr json_grammar(const char *s, size_t n)
{
	char stack[LK_MAX_JSON_DEPTH + 1]; /* '{' or '[' per open container */
	int depth = 0;
	size_t i = 0;
	enum { VALUE, AFTER_VALUE, KEY_OR_END, VALUE_OR_END, KEY } want = VALUE;

	for (;;) {
		skip_ws(s, n, &i);
		if (want == VALUE || want == VALUE_OR_END) {
			if (i >= n)
				return JE_SYNTAX;
			if (want == VALUE_OR_END && s[i] == ']') {
				depth--, i++;
				want = AFTER_VALUE;
				continue;
			}
			if (s[i] == '{' || s[i] == '[') {
				if (depth >= LK_MAX_JSON_DEPTH)
					return JE_DEPTH;
				stack[depth++] = s[i];
				want = s[i++] == '{' ? KEY_OR_END : VALUE_OR_END;
				continue;
			}
			if (!(s[i] == '"' ? scan_string(s, n, &i) : scan_primitive(s, n, &i)))
				return JE_SYNTAX;
			want = AFTER_VALUE;
			continue;
		}
		if (want == KEY_OR_END || want == KEY) {
			if (i < n && want == KEY_OR_END && s[i] == '}') {
				depth--, i++;
				want = AFTER_VALUE;
				continue;
			}
			if (i >= n || s[i] != '"' || !scan_string(s, n, &i))
				return JE_SYNTAX;
			skip_ws(s, n, &i);
			if (i >= n || s[i] != ':')
				return JE_SYNTAX;
			i++;
			want = VALUE;
			continue;
		}
		/* AFTER_VALUE */
		if (depth == 0)
			return i == n ? JE_OK : JE_SYNTAX;
		if (i >= n)
			return JE_SYNTAX;
		if (s[i] == ',') {
			i++;
			want = stack[depth - 1] == '{' ? KEY : VALUE;
		} else if ((s[i] == '}' && stack[depth - 1] == '{') ||
		    (s[i] == ']' && stack[depth - 1] == '[')) {
			i++;
			depth--;
		} else
			return JE_SYNTAX;
	}
}

enum jerr jdoc_parse(struct jdoc *d, struct arena *a, const char *js, size_t len)
{
	jsmn_parser p;
	enum jerr g;
	size_t i = 0;
	int r, k;

	d->js = js;
	d->len = len;
	d->n = 0;
	d->t = NULL;
	/* the full grammar first: one value, nothing after it, depth capped */
	if ((g = json_grammar(js, len)) != JE_OK)
		return g;
	skip_ws(js, len, &i);
	if (js[i] != '{' && js[i] != '[') {
		/* a lone scalar: one token (jsmn's strict mode wants a delimiter
		 * after a primitive) */
		size_t e = len;
		while (e > i && strchr(" \t\r\n", js[e - 1]))
			e--;
		if ((d->t = arena_alloc(a, sizeof(jsmntok_t))) == NULL)
			return JE_NOMEM;
		d->t[0].type = js[i] == '"' ? JSMN_STRING : JSMN_PRIMITIVE;
		d->t[0].start = (int)(js[i] == '"' ? i + 1 : i);
		d->t[0].end = (int)(js[i] == '"' ? e - 1 : e);
		d->t[0].size = 0;
		d->t[0].parent = -1;
		d->n = 1;
		return JE_OK;
	}
	/* count, then allocate exactly what the document needs */
	jsmn_init(&p);
	r = jsmn_parse(&p, js, len, NULL, 0);
	if (r <= 0)
		return JE_SYNTAX;
	if (r > LK_MAX_JSON_TOKENS)
		return JE_TOO_BIG;
	if ((d->t = arena_alloc(a, sizeof(jsmntok_t) * (size_t)r)) == NULL)
		return JE_NOMEM;
	jsmn_init(&p);
	if (jsmn_parse(&p, js, len, d->t, (unsigned)r) != r)
		return JE_SYNTAX;
	d->n = r;
	for (k = 0; k < r; k++)
		if (d->t[k].type == JSMN_PRIMITIVE && !valid_primitive(js, &d->t[k]))
			return JE_SYNTAX;
	return JE_OK;
}

int jdoc_skip(const struct jdoc *d, int i)
{
	int left = 1; /* tokens still to visit in this subtree */

	while (left > 0 && i < d->n) {
		left += d->t[i].size;
		left--;
		i++;
	}
	return i;
}

int jdoc_get(const struct jdoc *d, int obj, const char *key)
{
	size_t kl = strlen(key);
	int i, k, end;

	if (obj < 0 || obj >= d->n || d->t[obj].type != JSMN_OBJECT)
		return -1;
	end = jdoc_skip(d, obj);
	for (i = obj + 1, k = 0; i < end && k < d->t[obj].size; k++) {
		const jsmntok_t *t = &d->t[i];
		/* keys are compared raw: escaped keys never match (none of ours
		 * needs escapes) */
		if ((size_t)(t->end - t->start) == kl &&
		    memcmp(d->js + t->start, key, kl) == 0)
			return i + 1;
		i = jdoc_skip(d, i + 1);
	}
	return -1;
}

/* Returns the value of hex digit c, or -1. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Reads 4 hex digits at s; returns the code unit or -1. */
static long hex4(const char *s)
{
	long v = 0;
	int i, h;

	for (i = 0; i < 4; i++) {
		if ((h = hexval(s[i])) < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Writes code point cp as UTF-8 at o; returns the byte count. */
static size_t put_utf8(char *o, unsigned long cp)
{
	if (cp < 0x80) { o[0] = (char)cp; return 1; }
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decodes the escape at s[*i] (just after '\\'); appends to o. Returns the
 * bytes written, or 0 on a bad escape. */
static size_t unescape_one(const char *s, size_t n, size_t *i, char *o)
{
	long u, lo;
	char c = s[*i];

	(*i)++;
	switch (c) {
	case '"': *o = '"'; return 1;
	case '\\': *o = '\\'; return 1;
	case '/': *o = '/'; return 1;
	case 'b': *o = '\b'; return 1;
	case 'f': *o = '\f'; return 1;
	case 'n': *o = '\n'; return 1;
	case 'r': *o = '\r'; return 1;
	case 't': *o = '\t'; return 1;
	case 'u': break;
	default: return 0;
	}
	if (*i + 4 > n || (u = hex4(s + *i)) < 0)
		return 0;
	*i += 4;
	if (u == 0)
		return 0; /* no NUL bytes inside strings */
	if (u >= 0xdc00 && u <= 0xdfff)
		return 0; /* lone low surrogate */
	if (u >= 0xd800 && u <= 0xdbff) {
		if (*i + 6 > n || s[*i] != '\\' || s[*i + 1] != 'u' ||
		    (lo = hex4(s + *i + 2)) < 0xdc00 || lo > 0xdfff)
			return 0;
		*i += 6;
		u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
	}
	return put_utf8(o, (unsigned long)u);
}

char *jdoc_str(const struct jdoc *d, int i, struct arena *a, size_t *outn)
{
	const char *s;
	size_t n, k = 0, j = 0, w;
	char *o;

	if (i < 0 || i >= d->n || d->t[i].type != JSMN_STRING)
		return NULL;
	s = d->js + d->t[i].start;
	n = (size_t)(d->t[i].end - d->t[i].start);
	if (n > LK_MAX_PARAM_STRING || (o = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	while (j < n) {
		unsigned char c = (unsigned char)s[j];
		if (c < 0x20)
			return NULL;
		if (c != '\\') {
			o[k++] = (char)c;
			j++;
			continue;
		}
		j++;
		if (j >= n || (w = unescape_one(s, n, &j, o + k)) == 0)
			return NULL;
		k += w;
	}
	o[k] = '\0';
	if (!val_utf8(o, k))
		return NULL;
	if (outn)
		*outn = k;
	return o;
}

int jdoc_is_bool(const struct jdoc *d, int i, int *v)
{
	const jsmntok_t *t = &d->t[i];
	size_t n = (size_t)(t->end - t->start);

	if (t->type != JSMN_PRIMITIVE)
		return 0;
	if (n == 4 && memcmp(d->js + t->start, "true", 4) == 0) {
		*v = 1;
		return 1;
	}
	if (n == 5 && memcmp(d->js + t->start, "false", 5) == 0) {
		*v = 0;
		return 1;
	}
	return 0;
}

int jdoc_is_null(const struct jdoc *d, int i)
{
	const jsmntok_t *t = &d->t[i];

	return t->type == JSMN_PRIMITIVE && t->end - t->start == 4 &&
	    memcmp(d->js + t->start, "null", 4) == 0;
}

int jdoc_is_number(const struct jdoc *d, int i)
{
	const jsmntok_t *t = &d->t[i];

	return t->type == JSMN_PRIMITIVE &&
	    is_json_number(d->js + t->start, (size_t)(t->end - t->start));
}

/* Emits token i and its subtree; *next receives the following index. */
static int emit_at(const struct jdoc *d, int i, struct jw *w, struct arena *a,
    int *next)
{
	const jsmntok_t *t = &d->t[i];
	size_t n;
	char *s;
	int k, j = i + 1;

	switch (t->type) {
	case JSMN_OBJECT:
		jw_obj(w);
		for (k = 0; k < t->size; k++) {
			if ((s = jdoc_str(d, j, a, &n)) == NULL)
				return -1;
			jw_key(w, s);
			if (emit_at(d, j + 1, w, a, &j) < 0)
				return -1;
		}
		jw_obj_end(w);
		break;
	case JSMN_ARRAY:
		jw_arr(w);
		for (k = 0; k < t->size; k++)
			if (emit_at(d, j, w, a, &j) < 0)
				return -1;
		jw_arr_end(w);
		break;
	case JSMN_STRING:
		if ((s = jdoc_str(d, i, a, &n)) == NULL)
			return -1;
		jw_str(w, s, n);
		break;
	default:
		jw_raw(w, d->js + t->start, (size_t)(t->end - t->start));
	}
	*next = t->type == JSMN_OBJECT || t->type == JSMN_ARRAY ? j : i + 1;
	return 0;
}

int jdoc_emit(const struct jdoc *d, int i, struct jw *w, struct arena *a)
{
	int next;

	if (i < 0 || i >= d->n)
		return -1;
	return emit_at(d, i, w, a, &next);
}
