/* token.h: single-use secrets (spec/CONTRACT.md 6.1, SECURITY.md 7, 12):
 * making them, storing only their hash (SHA-256 for long secrets,
 * HMAC-SHA256 under secret_key for short codes), finding and consuming them
 * atomically, the Token model, links and security phrases. */
#ifndef LK_TOKEN_H
#define LK_TOKEN_H

#include <stdint.h>

#include "ctx.h"

enum token_type {
	TK_VERIFICATION = 2, /* email verification, 256 hex, 1 h */
	TK_RECOVERY = 3,     /* password recovery, 256 hex, 1 h */
	TK_MAGIC = 5,        /* magic URL, 64 hex, 1 h */
	TK_PHONE = 6,        /* phone code, 6 digits */
	TK_OAUTH = 7,        /* OAuth2 token flow */
	TK_GENERIC = 8,      /* users API token */
	TK_EMAIL_OTP = 9     /* email code, 6 digits, 15 min */
};

/* A token being issued. */
struct token {
	char id[21];          /* token ID */
	char secret[257];     /* the secret as sent to the user (wiped after use) */
	char hash[65];        /* what is stored */
	int type;             /* enum token_type */
	int64_t created_ms;   /* creation */
	int64_t expire_ms;    /* expiry */
};

/* The stored form of a short code (6 digits, also MFA challenge codes):
 * HMAC-SHA256 hex under secret_key, since a plain hash of 6 digits is
 * guessed offline. */
void token_code_hash(const char *code, char out[65]);
/* Makes a token: `len` random hex chars, or 6 digits when digits != 0,
 * or the given fixed code (mock numbers). Returns 0 or -1. */
int token_make(struct token *t, int type, int len, int digits,
    const char *fixed, int64_t now_ms, int ttl_s);
/* Inserts t for user uid (inside the caller's transaction). */
enum db_rc token_insert(struct ctx *c, const char *uid, const struct token *t);
/* Finds an unexpired token of uid matching secret (either hash form);
 * r gets id, type, created, expire, stored hash. Returns LK_OK (r->nrows 0
 * or 1) or a database error. */
enum lk_err token_find(struct ctx *c, const char *uid, const char *secret,
    struct dbres *r);
/* Deletes token (id, stored hash); returns DB_OK only when this call
 * removed it (so a secret is consumed once), else DB_FAIL. */
enum db_rc token_consume(struct ctx *c, const char *id, const char *hash);
/* Writes the Token model. secret is shown only to privileged callers. */
void token_model(struct ctx *c, const char *id, const char *created_iso,
    const char *uid, const char *secret, const char *expire_iso,
    const char *phrase);
/* A "<Adjective> <noun>" security phrase (arena). */
const char *token_phrase(struct arena *a);
/* url with userId, secret, expire (and project when non-NULL) added to its
 * query, fragment kept (arena). NULL when it does not fit. */
char *token_link(struct arena *a, const char *url, const char *uid,
    const char *secret, const char *expire, const char *project);

/* The fixed code of phone in the project's mock numbers (auth_mock_numbers),
 * or NULL: such numbers get that code and no SMS. */
const char *token_mock_otp(struct ctx *c, const char *phone);

#endif
