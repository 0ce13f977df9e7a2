/* lk_limits.h: every hard cap of latchkey, in one place (SECURITY.md item 13).
 * Over a cap a request gets a 400 or 413 Appwrite error, never a crash. */
#ifndef LK_LIMITS_H
#define LK_LIMITS_H

#define LK_MAX_BODY          (256 * 1024) /* request body bytes; over: 413 */
#define LK_MAX_JSON_TOKENS   4096         /* jsmn tokens per body */
#define LK_MAX_JSON_DEPTH    32           /* nesting of objects/arrays */
#define LK_MAX_PARAM_STRING  65536        /* one decoded string parameter */
#define LK_MAX_PARAMS        64           /* top-level parameters per request */
#define LK_MAX_ARRAY_ITEMS   100          /* items of an array parameter (queries) */
#define LK_MAX_QUERY_LEN     4096         /* one element of `queries` */
#define LK_MAX_QUERY_STRING  16384        /* whole QUERY_STRING */
#define LK_MAX_HEADER        8192         /* one header value we read */
#define LK_MAX_COOKIE_HEADER 8192         /* Cookie header */
#define LK_MAX_PATH          2048         /* request path */
#define LK_MAX_PREFS         65535        /* prefs JSON bytes */
#define LK_TARGETS_JSON_MAX  (1 << 20)    /* users.targets JSON bytes (100 targets) */
#define LK_ARENA_SIZE        (2 * 1024 * 1024) /* per-request arena */
#define LK_MAX_RESPONSE      (1024 * 1024)     /* response body */
#define LK_MAX_UA            1024         /* stored user agent bytes */
#define LK_MAX_PATH_PARAMS   4            /* {id} segments in a route */

#define LK_ID_MAX            36           /* custom ID characters */
#define LK_EMAIL_MAX         320          /* stored email bytes */
#define LK_NAME_MAX          128          /* name characters */
#define LK_PASSWORD_MIN      8
#define LK_PASSWORD_MAX      256
#define LK_SESSION_SECRET_HEX 256         /* session secret, hex chars */
#define LK_TOKEN_JSON_MAX    600          /* {"id","secret"} JSON of a token */
#define LK_JWT_TTL           900          /* seconds */

#endif
