/* router.h: the one route table (routes.def) and path matching. Each route
 * carries its auth policy, rate-limit rule, audit event and parameter
 * declarations, so the pipeline in pipeline.c checks them centrally and handlers
 * receive validated values. */
#ifndef LK_ROUTER_H
#define LK_ROUTER_H

#include <stddef.h>

#include "errors.h"
#include "lk_limits.h"
#include "str.h"

struct ctx;

enum scope {
	SC_ACCOUNT,        /* needs a user (session or JWT) */
	SC_SESSIONS_WRITE, /* guests, users and keys with sessions.write */
	SC_PUBLIC,         /* guests and users, not keys */
	SC_TARGETS_WRITE   /* users (session or JWT); keys with targets.write */
};

enum route_flag {
	RF_GUEST_ONLY    = 1 << 0, /* session group: 401 user_session_already_exists */
	RF_MFA_GROUP     = 1 << 1, /* exempt from user_more_factors_required */
	RF_MFA_PROTECTED = 1 << 2, /* needs a challenge in the last 30 minutes */
	RF_CREATES_SESSION = 1 << 3, /* evict sessions over the project limit */
	RF_TIMESTAMP     = 1 << 4  /* honours X-Appwrite-Timestamp (409 on a newer user) */
};

enum auth_method {
	AM_NONE, AM_EMAIL_PASSWORD, AM_ANONYMOUS, AM_JWT, AM_MAGIC_URL,
	AM_EMAIL_OTP, AM_PHONE
};

enum validator {
	V_STRING,      /* any string */
	V_CUSTOM_ID,   /* unique() or a key */
	V_UID,         /* a key (or "current" where the handler allows it) */
	V_UID_OR_EMPTY,/* a key, or "" for an optional ID whose default is "" */
	V_EMAIL,       /* email address */
	V_PASSWORD,    /* 8..256 bytes */
	V_PASSWORD_DICT, /* password, plus the dictionary when the project asks */
	V_NAME,        /* Text(128) */
	V_TEXT255,     /* Text(255): Appwrite's key length (push target identifiers) */
	V_TEXT256,     /* Text(256) */
	V_PHONE,       /* E.164 */
	V_PREFS,       /* JSON object <= 65535 bytes */
	V_QUERIES,     /* array of query strings (checked by query.c) */
	V_BOOL,        /* JSON boolean */
	V_URL          /* redirect URL: host of a web platform or the API */
};

struct pspec {
	const char *name;      /* parameter name */
	enum validator v;      /* its validator */
	int required;          /* 1: missing -> Param "x" is not optional. */
};

typedef enum lk_err (*handler_fn)(struct ctx *c);

struct route {
	const char *method;        /* GET, POST, PUT, PATCH, DELETE */
	const char *pattern;       /* path below /v1 with {name} segments */
	handler_fn handler;        /* endpoint function */
	enum scope scope;          /* required scope */
	unsigned flags;            /* enum route_flag bits */
	enum auth_method auth;     /* auth-method switch, AM_NONE if none */
	const char *event;         /* audit event name, NULL for none */
	int rl_limit;              /* requests per hour, 0 = unlimited */
	const char *rl_group;      /* counter name shared by aliases */
	const char *rl_key[2];     /* key templates ({ip}, {userId}, {param-x}) */
	const struct pspec *params;/* declared parameters, name == NULL ends;
	                           * an empty list, never NULL */
};

/* The matched route and its path parameters. */
struct route_match {
	const struct route *route;            /* NULL when nothing matched */
	int nvars;                            /* path parameters found */
	struct str var_name[LK_MAX_PATH_PARAMS]; /* names without braces */
	struct str var_val[LK_MAX_PATH_PARAMS];  /* raw segment values */
	int path_found;                       /* a route had this path (any method) */
};

/* Matches method + path (below /v1, e.g. "/account/sessions/abc").
 * Returns 1 and fills m when a route matches. */
int router_match(const char *method, struct str path, struct route_match *m);
/* The table and its size (for tests). */
extern const struct route router_routes[];
extern const size_t router_nroutes;

#endif
