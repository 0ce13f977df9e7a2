/* jwt.h: HS256 JWTs as Appwrite issues them: header {"typ":"JWT","alg":"HS256"},
 * claims {"userId","sessionId","exp"} plus "projectId" (SECURITY.md 10 checks
 * the session on every use). */
#ifndef LK_JWT_H
#define LK_JWT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

#define LK_JWT_MAX 512

/* Signs a token into out (NUL-terminated). Returns 0 or -1. */
int jwt_sign(const char *key, size_t keyn, const char *user_id,
    const char *session_id, const char *project_id, int64_t exp,
    char out[LK_JWT_MAX]);

/* The claims of a verified token (arena strings). */
struct jwt_claims {
	const char *user_id;    /* "userId" or "" */
	const char *session_id; /* "sessionId" or "" */
	const char *project_id; /* "projectId" or "" */
	int64_t exp;            /* expiry, unix seconds */
};

/* Verifies signature and expiry (no leeway) of tok. Returns 0 and fills c,
 * or -1. */
int jwt_verify(const char *key, size_t keyn, const char *tok, size_t n,
    int64_t now, struct arena *a, struct jwt_claims *c);

#endif
