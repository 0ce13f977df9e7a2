/* identity.h: resolving the caller (see identity.c). */
#ifndef LK_IDENTITY_H
#define LK_IDENTITY_H

#include "ctx.h"

/* Authenticates a session token, if any; a bad or stale one leaves a guest.
 * Returns LK_OK or a database error. */
enum lk_err ident_session(struct ctx *c);
/* Verifies an X-Appwrite-JWT: 401 user_jwt_invalid when it is bad; a JWT
 * whose session is gone or expired leaves a guest. */
enum lk_err ident_jwt(struct ctx *c, const char *tok);
/* Checks an X-Appwrite-Key (403 with a user, 401 unknown/expired). */
enum lk_err ident_key(struct ctx *c, const char *key);

#endif
