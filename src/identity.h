/* identity.h: resolving the caller (see identity.c). */
#ifndef LK_IDENTITY_H
#define LK_IDENTITY_H

#include <sys/types.h>

#include "ctx.h"

/* Authenticates a session token, if any; a bad or stale one leaves a guest.
 * Returns LK_OK or a database error. */
enum lk_err ident_session(struct ctx *c);
/* Verifies an X-Appwrite-JWT: 401 user_jwt_invalid when it is bad; a JWT
 * whose session is gone or expired leaves a guest. */
enum lk_err ident_jwt(struct ctx *c, const char *tok);
/* Writes the token of (uid, secret) as latchkey hands it out: base64 of
 * {"id":"<uid>","secret":"<secret>"} (CONTRACT 1.4), NUL-terminated, into
 * out. Returns its length, or -1 when it does not fit. */
ssize_t ident_token_encode(const char *uid, const char *secret, char *out, size_t cap);
/* Reads a session token (cookie value, X-Appwrite-Session header or fallback
 * cookie: base64 of {"id":"<user>","secret":"<hex>"}) into arena strings.
 * Returns 1 when it names a non-empty id or secret; an absent one is NULL. */
int ident_token_decode(struct arena *a, const char *tok, size_t n,
    const char **id, const char **secret);
/* The shortcut of ident_token_decode for the decoded JSON spelt exactly as
 * latchkey writes it (an ID of [A-Za-z0-9._-], a hex secret, no spaces);
 * returns 0 for any other spelling, which the JSON parser then reads. */
int ident_token_fast(struct arena *a, const char *json, size_t n,
    const char **id, const char **secret);
/* Checks an X-Appwrite-Key (403 with a user, 401 unknown/expired). */
enum lk_err ident_key(struct ctx *c, const char *key);

#endif
