/* ctx.h: one request's context: what the pipeline (pipeline.c) learnt of
 * it (project, caller, route, parameters) and the answer being built, with
 * the helpers handlers use to read the one and write the other. */
#ifndef LK_CTX_H
#define LK_CTX_H

#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "db.h"
#include "errors.h"
#include "http.h"
#include "json_out.h"
#include "pw.h"
#include "router.h"

#define LK_MAX_PLATFORMS 32

struct platform {
	char type[33];      /* web, flutter-web, android, ... */
	char hostname[256]; /* web types */
	char key[256];      /* native types */
};

/* A project row with its platforms, cached per worker for a short time. */
struct project {
	char id[LK_ID_MAX + 1];  /* project ID */
	char name[129];          /* display name */
	int api_rest;            /* 0: 403 general_api_disabled */
	int service_account;     /* 0: 403 general_service_disabled */
	int limit;               /* max users, 0 = unlimited */
	int max_sessions;        /* sessions kept per user */
	int duration;            /* session lifetime, seconds */
	int pw_history;          /* remembered hashes */
	struct pw_policy pw;     /* every password rule, the dictionary's too */
	int personal_data;       /* 1: reject passwords with personal data */
	int session_alerts;      /* 1: email on new sessions */
	int am[7];               /* auth-method switches indexed by enum auth_method */
	int invites;             /* team invites on */
	int invalidate_sessions; /* password change ends other sessions */
	int recovery_oracle;     /* 1: Appwrite's 404 for unknown recovery emails */
	char locale[17];         /* default message locale */
	int smtp_enabled;        /* 1: own SMTP settings and custom email templates */
	char smtp_host[256];     /* project SMTP host */
	int smtp_port;           /* project SMTP port */
	char smtp_tls[9];        /* none, starttls, tls */
	char smtp_username[256]; /* AUTH user */
	char smtp_password[256]; /* AUTH password */
	char smtp_sender_email[321]; /* From */
	char smtp_sender_name[256];  /* From name */
	char smtp_reply_to[321];     /* Reply-To */
	char sms_provider[17];   /* "" = server default */
	char sms_from[65];       /* sender */
	char sms_user[256];      /* provider user */
	char sms_secret[256];    /* provider secret */
	char sms_template_id[65];/* MSG91 */
	char sms_url[1025];      /* webhook URL */
	char mock_numbers[1024]; /* JSON [{"phone","otp"}] (auth_mock_numbers) */
	int nplatforms;          /* entries in platforms */
	struct platform platforms[LK_MAX_PLATFORMS]; /* allowed origins */
	int64_t loaded_ms;       /* cache time */
};

struct ctx {
	struct req r;               /* parsed request */
	struct arena *a;            /* request arena, not owned */
	struct route_match m;       /* matched route and path variables */
	const struct route *route;  /* m.route */
	const struct project *proj; /* resolved project (cache entry, not owned) */
	int64_t now_ms;             /* request time */
	char ip[64];                /* client IP (SECURITY.md 1) */
	const char *ua;             /* User-Agent or "UNKNOWN" */
	const char *host;           /* request host without port */
	int https;                  /* 1 when the request protocol is https */
	const char *origin;         /* Origin, else Referer, else NULL */
	int bad_body;               /* 1: the body could not be read (400 after the origin check) */

	struct dbres user;          /* the caller's user row (UC_ columns) */
	int have_user;              /* 1 when authenticated */
	struct dbres session;       /* the current session (AS_ columns) */
	int have_session;           /* 1 with a cookie/header session */
	int via_jwt;                /* user came from X-Appwrite-JWT */
	int via_key;                /* request used an API key */
	const char *key_scopes;     /* the key's scopes JSON */
	const char *jwt_factors;    /* factors of the JWT's session (JSON), or NULL */
	const char *jwt_mfa_updated;/* its last completed MFA challenge (ISO), or NULL */

	int status;                 /* HTTP status of the answer */
	struct buf *hdr;            /* extra response header lines */
	struct buf *body;           /* response body */
	struct jw w;                /* writer on body */
	char errmsg[512];           /* message overriding the error default */

	const char *audit_uid;      /* actor of the audit row, NULL = no row */
	const char *audit_email;    /* actor email at the time */
	const char *audit_name;     /* actor name at the time */
	int audited;                /* 1 once the audit row went in with the change */

	int rl_active;              /* 1 when a rate limit was evaluated */
	long long rl_limit;         /* X-RateLimit-Limit */
	long long rl_remaining;     /* X-RateLimit-Remaining */
	long long rl_reset;         /* X-RateLimit-Reset */
};

/* Column `col` of the caller's user row ("" for NULL). */
const char *ctx_ucol(const struct ctx *c, int col);
/* Column (AS_) of the current session ("" for NULL). */
const char *ctx_scol(const struct ctx *c, int col);
/* 1 when flag column col of the caller's user row is set ("1"). */
int ctx_uflag(const struct ctx *c, int col);
/* Validated boolean parameter (absent = 0). */
int ctx_bool(const struct ctx *c, const char *name);
/* Arena copy of string parameter name, ASCII lower-cased (emails), or NULL. */
char *ctx_lower(struct ctx *c, const char *name);
/* Validated string parameter, or NULL when absent. */
const char *ctx_str(const struct ctx *c, const char *name);
/* Sets a custom message for the error about to be returned; returns e. */
enum lk_err ctx_fail(struct ctx *c, enum lk_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Maps a database failure to the right error. */
enum lk_err ctx_dberr(struct ctx *c, enum db_rc rc);
/* Adds a response header line ("Name: value"). */
void ctx_header(struct ctx *c, const char *name, const char *value);
/* Sets both session cookies (and X-Fallback-Cookies when needed) to token. */
void ctx_set_session_cookie(struct ctx *c, const char *token, int64_t expire_ms);
/* Clears both session cookies (and sends X-Fallback-Cookies: []). */
void ctx_clear_session_cookie(struct ctx *c);
/* Records the actor for the route's audit event. */
void ctx_audit(struct ctx *c, const char *uid, const char *email, const char *name);
/* 1 when the caller's session (or the JWT's) completed an MFA challenge
 * within mfa_fresh seconds (pipeline.c). */
int ctx_mfa_fresh(const struct ctx *c);
/* Returns 1 when the caller may see sensitive fields (API key). */
int ctx_privileged(const struct ctx *c);
/* Starts a JSON answer with the given status. */
void ctx_json(struct ctx *c, int status);

#endif
