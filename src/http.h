/* http.h: one request as FastCGI hands it to us: CGI parameters, headers,
 * cookies, the query string and the body, parsed into typed parameters with
 * the hard caps of lk_limits.h. Independent of libfcgi so it can be unit-tested
 * and fuzzed with a plain environment array. */
#ifndef LK_HTTP_H
#define LK_HTTP_H

#include <stddef.h>

#include "arena.h"
#include "json_in.h"
#include "lk_limits.h"
#include "str.h"

enum pkind {
	PK_STRING, /* val = decoded UTF-8 text (NUL-terminated) */
	PK_NUMBER, /* val = the JSON number text */
	PK_BOOL,   /* val = "true" / "false" (JSON) */
	PK_NULL,   /* JSON null */
	PK_OBJECT, /* val = raw JSON text; tok = its token */
	PK_ARRAY,  /* items = decoded strings when every element is a string */
	PK_INVALID /* a string that could not be decoded: fails every validator */
};

struct http_param {
	const char *name;   /* NUL-terminated name */
	enum pkind kind;    /* what the client sent */
	const char *val;    /* see enum pkind */
	size_t val_n;       /* length of val */
	int tok;            /* JSON token index, -1 for query/form values */
	const char **items; /* PK_ARRAY: element strings (arena) */
	size_t *items_n;    /* their lengths */
	int nitems;         /* element count; -1 when some element is not a string */
};

/* One CGI parameter, split at its first '='. */
struct env_ent {
	const char *name;       /* NAME=value as passed, not owned */
	size_t len;             /* length of NAME */
	const char *val;        /* value (after the '=') */
};

struct req {
	struct arena *a;        /* request arena, not owned */
	char **envp;            /* CGI parameters (NAME=value), not owned */
	struct env_ent *env;    /* envp split once (arena), for http_env */
	int nenv;               /* how many */
	const char *method;     /* REQUEST_METHOD */
	struct str path;        /* path part of REQUEST_URI, raw */
	struct str query;       /* QUERY_STRING (raw) */
	struct str body;        /* request body (arena) */
	struct jdoc doc;        /* parsed JSON body when has_doc */
	int has_doc;            /* 1 when the body was a JSON object */
	struct http_param params[LK_MAX_PARAMS]; /* typed request parameters */
	int nparams;            /* how many */
};

/* Splits the CGI parameters envp (may be NULL) into r->env. Returns 0 or
 * -1 on no memory. */
int http_env_index(struct req *r, struct arena *a, char **envp);
/* Returns the CGI parameter `name` (e.g. "HTTP_X_APPWRITE_PROJECT") or NULL. */
const char *http_env(const struct req *r, const char *name);
/* Initialises r from envp (REQUEST_METHOD, REQUEST_URI/SCRIPT_NAME+PATH_INFO,
 * QUERY_STRING). Returns 0, or -1 when the path is missing or too long. */
int http_init(struct req *r, struct arena *a, char **envp);
/* Percent-decodes s[0..n) into a NUL-terminated arena string (plus → space
 * when form != 0). Returns NULL on no memory; *outn gets the length. */
char *http_urldecode(struct arena *a, const char *s, size_t n, int form,
    size_t *outn);
/* Parses the parameters of r from the query string (GET and other methods
 * without a body) or the body (POST, PUT, PATCH, DELETE): JSON when the
 * content type says so, else form-urlencoded. A JSON body that is not an
 * object yields no parameters, as Appwrite does. Returns 0, or -1 when a
 * cap was exceeded (too many tokens, too deep, too many parameters). */
int http_parse_params(struct req *r, const char *content_type);
/* Returns parameter `name`, or NULL. */
const struct http_param *http_param(const struct req *r, const char *name);
/* Adds or replaces a parameter (used for path parameters). Returns 0 or -1. */
int http_param_set(struct req *r, const char *name, const char *val, size_t n);
/* Finds cookie `name` (compared case-insensitively) in a Cookie header and
 * percent-decodes its value into the arena. Returns 1 when found. */
int http_cookie(struct arena *a, const char *header, const char *name,
    struct str *out);

#endif
