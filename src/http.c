/* http.c: request parameters, cookies and query strings (see http.h). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "http.h"

int http_env_index(struct req *r, struct arena *a, char **envp)
{
	int n = 0, i;

	while (envp && envp[n])
		n++;
	r->envp = envp;
	r->nenv = 0;
	if ((r->env = arena_alloc(a, sizeof *r->env * (size_t)(n + 1))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		const char *eq = strchr(envp[i], '=');
		if (eq == NULL)
			continue;
		r->env[r->nenv].name = envp[i];
		r->env[r->nenv].len = (size_t)(eq - envp[i]);
		r->env[r->nenv].val = eq + 1;
		r->nenv++;
	}
	return 0;
}

const char *http_env(const struct req *r, const char *name)
{
	size_t n = strlen(name);
	int i;

	for (i = 0; i < r->nenv; i++)
		if (r->env[i].len == n && memcmp(r->env[i].name, name, n) == 0)
			return r->env[i].val;
	return NULL;
}

int http_init(struct req *r, struct arena *a, char **envp)
{
	const char *uri, *q;

	memset(r, 0, sizeof *r);
	r->a = a;
	if (http_env_index(r, a, envp) < 0)
		return -1;
	r->method = http_env(r, "REQUEST_METHOD");
	if (r->method == NULL)
		r->method = "GET";
	uri = http_env(r, "REQUEST_URI");
	if (uri == NULL)
		uri = http_env(r, "DOCUMENT_URI");
	if (uri == NULL || uri[0] != '/')
		return -1;
	q = strchr(uri, '?');
	r->path.p = uri;
	r->path.n = q ? (size_t)(q - uri) : strlen(uri);
	if (r->path.n > LK_MAX_PATH)
		return -1;
	r->query = str_c(http_env(r, "QUERY_STRING"));
	return 0;
}

/* Returns the value of hex digit c, or -1. */
static int hexv(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	return -1;
}

char *http_urldecode(struct arena *a, const char *s, size_t n, int form,
    size_t *outn)
{
	char *o = arena_alloc(a, n + 1);
	size_t i, k = 0;
	int h, l;

	if (o == NULL)
		return NULL;
	if (!form && memchr(s, '%', n) == NULL) {
		/* nothing to decode (a base64 session cookie, say) */
		memcpy(o, s, n);
		o[n] = '\0';
		if (outn)
			*outn = n;
		return o;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    (h = hexv(s[i + 1])) >= 0 && (l = hexv(s[i + 2])) >= 0) {
			o[k++] = (char)(h * 16 + l);
			i += 2;
		} else if (form && s[i] == '+')
			o[k++] = ' ';
		else
			o[k++] = s[i];
	}
	o[k] = '\0';
	if (outn)
		*outn = k;
	return o;
}

/* Returns the slot for `name`, creating it; NULL when full. */
static struct http_param *param_slot(struct req *r, const char *name)
{
	int i;

	for (i = 0; i < r->nparams; i++)
		if (strcmp(r->params[i].name, name) == 0)
			return &r->params[i];
	if (r->nparams >= LK_MAX_PARAMS)
		return NULL;
	memset(&r->params[r->nparams], 0, sizeof r->params[0]);
	r->params[r->nparams].tok = -1;
	return &r->params[r->nparams++];
}

int http_param_set(struct req *r, const char *name, const char *val, size_t n)
{
	struct http_param *p = param_slot(r, name);

	if (p == NULL)
		return -1;
	memset(p, 0, sizeof *p);
	p->name = name;
	p->kind = PK_STRING;
	p->val = val;
	p->val_n = n;
	p->tok = -1;
	return 0;
}

/* Appends one string element to array parameter p. Returns 0 or -1. */
static int param_push(struct arena *a, struct http_param *p, const char *v,
    size_t n)
{
	if (p->items == NULL) {
		p->items = arena_alloc(a, sizeof(char *) * LK_MAX_ARRAY_ITEMS);
		p->items_n = arena_alloc(a, sizeof(size_t) * LK_MAX_ARRAY_ITEMS);
		if (p->items == NULL || p->items_n == NULL)
			return -1;
	}
	if (p->nitems >= LK_MAX_ARRAY_ITEMS)
		return -1;
	p->items[p->nitems] = v;
	p->items_n[p->nitems++] = n;
	return 0;
}

/* Adds one decoded key=value pair; `name[..]` keys build arrays. */
static int add_pair(struct req *r, char *k, size_t kn, const char *v, size_t vn)
{
	char *br = memchr(k, '[', kn);
	struct http_param *p;

	if (br != NULL && kn > 0 && k[kn - 1] == ']') {
		*br = '\0';
		if ((p = param_slot(r, k)) == NULL)
			return -1;
		if (p->name == NULL || p->kind != PK_ARRAY) {
			memset(p, 0, sizeof *p);
			p->name = k;
			p->kind = PK_ARRAY;
			p->tok = -1;
		}
		return param_push(r->a, p, v, vn);
	}
	return http_param_set(r, k, v, vn);
}

/* Parses a&b=c style text (query string or form body). */
static int parse_urlencoded(struct req *r, const char *s, size_t n)
{
	size_t i = 0;

	if (n > LK_MAX_QUERY_STRING && s != r->body.p)
		return -1;
	while (i < n) {
		size_t end = i, eq;
		char *k, *v;
		size_t kn, vn;

		while (end < n && s[end] != '&')
			end++;
		for (eq = i; eq < end && s[eq] != '='; eq++)
			;
		if (eq > i) {
			k = http_urldecode(r->a, s + i, eq - i, 1, &kn);
			v = http_urldecode(r->a, s + (eq < end ? eq + 1 : end),
			    eq < end ? end - eq - 1 : 0, 1, &vn);
			if (k == NULL || v == NULL || strlen(k) != kn ||
			    add_pair(r, k, kn, v, vn) < 0)
				return -1;
		}
		i = end + 1;
	}
	return 0;
}

/* Fills p from JSON value token t. Returns 0 or -1 (cap or memory). */
static int json_value(struct req *r, struct http_param *p, int t)
{
	const jsmntok_t *tk = &r->doc.t[t];
	int b, k, j;
	size_t n;
	char *s;

	p->tok = t;
	p->val = r->doc.js + tk->start;
	p->val_n = (size_t)(tk->end - tk->start);
	switch (tk->type) {
	case JSMN_STRING:
		p->kind = PK_STRING;
		/* undecodable strings (bad escapes, NUL, bad UTF-8) become a
		 * value no validator accepts */
		if ((s = jdoc_str(&r->doc, t, r->a, &n)) == NULL) {
			p->kind = PK_INVALID;
			p->val = "";
			p->val_n = 0;
			return 0;
		}
		p->val = s;
		p->val_n = n;
		return 0;
	case JSMN_OBJECT:
		p->kind = PK_OBJECT;
		return 0;
	case JSMN_ARRAY:
		p->kind = PK_ARRAY;
		for (k = 0, j = t + 1; k < tk->size; k++, j = jdoc_skip(&r->doc, j)) {
			if (r->doc.t[j].type != JSMN_STRING ||
			    (s = jdoc_str(&r->doc, j, r->a, &n)) == NULL) {
				p->nitems = -1;
				return 0;
			}
			if (param_push(r->a, p, s, n) < 0) {
				p->nitems = -1;
				return 0;
			}
		}
		return 0;
	default:
		if (jdoc_is_null(&r->doc, t))
			p->kind = PK_NULL;
		else if (jdoc_is_bool(&r->doc, t, &b))
			p->kind = PK_BOOL;
		else
			p->kind = PK_NUMBER;
		/* primitives get their own NUL-terminated copy */
		if ((s = arena_strndup(r->a, p->val, p->val_n)) == NULL)
			return -1;
		p->val = s;
		return 0;
	}
}

/* Parses the JSON body into parameters. */
static int parse_json_body(struct req *r)
{
	enum jerr e;
	int i, k;

	if (r->body.n == 0)
		return 0;
	e = jdoc_parse(&r->doc, r->a, r->body.p, r->body.n);
	if (e == JE_TOO_BIG || e == JE_DEPTH || e == JE_NOMEM)
		return -1;
	if (e != JE_OK || r->doc.t[0].type != JSMN_OBJECT)
		return 0; /* not an object: no parameters */
	r->has_doc = 1;
	for (i = 1, k = 0; k < r->doc.t[0].size; k++) {
		struct http_param *p;
		size_t kn;
		char *name = jdoc_str(&r->doc, i, r->a, &kn);

		if (name != NULL) {
			if ((p = param_slot(r, name)) == NULL)
				return -1;
			memset(p, 0, sizeof *p);
			p->name = name;
			if (json_value(r, p, i + 1) < 0)
				return -1;
		}
		i = jdoc_skip(&r->doc, i + 1);
	}
	return 0;
}

int http_parse_params(struct req *r, const char *content_type)
{
	int bodyful = strcmp(r->method, "POST") == 0 ||
	    strcmp(r->method, "PUT") == 0 || strcmp(r->method, "PATCH") == 0 ||
	    strcmp(r->method, "DELETE") == 0;

	if (!bodyful)
		return parse_urlencoded(r, r->query.p, r->query.n);
	if (content_type && strncasecmp(content_type, "application/json", 16) == 0)
		return parse_json_body(r);
	if (content_type && strncasecmp(content_type,
	    "application/x-www-form-urlencoded", 33) == 0)
		return parse_urlencoded(r, r->body.p, r->body.n);
	return 0;
}

const struct http_param *http_param(const struct req *r, const char *name)
{
	int i;

	for (i = 0; i < r->nparams; i++)
		if (strcmp(r->params[i].name, name) == 0)
			return &r->params[i];
	return NULL;
}

int http_cookie(struct arena *a, const char *h, const char *name,
    struct str *out)
{
	size_t nl = strlen(name), len;
	const char *p = h, *end;

	if (h == NULL || strlen(h) > LK_MAX_COOKIE_HEADER)
		return 0;
	while (*p) {
		const char *k, *eq, *semi;
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		k = p;
		semi = strchr(p, ';');
		end = semi ? semi : p + strlen(p);
		eq = memchr(k, '=', (size_t)(end - k));
		if (eq && (size_t)(eq - k) == nl && strncasecmp(k, name, nl) == 0) {
			const char *v = eq + 1;
			len = (size_t)(end - v);
			while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
				len--;
			if (len >= 2 && v[0] == '"' && v[len - 1] == '"')
				v++, len -= 2;
			out->p = http_urldecode(a, v, len, 0, &out->n);
			return out->p != NULL;
		}
		p = end;
	}
	return 0;
}
