/* web.h: origin checks, CORS headers and session cookies (see web.c). */
#ifndef LK_WEB_H
#define LK_WEB_H

#include <stddef.h>

#include "ctx.h"

/* 403 general_unknown_origin for writes from unregistered origins (CONTRACT 3.4). */
enum lk_err web_check_origin(struct ctx *c);
/* CORS headers of an actual response (CONTRACT 3.2). */
void web_cors_headers(struct ctx *c);
/* Answers an OPTIONS preflight (CONTRACT 3.1). */
void web_preflight(struct ctx *c);
/* Writes a_session_<project lower-cased>[_legacy] into out. */
void web_cookie_name(const struct ctx *c, char *out, size_t n, int legacy);

/* 1 when url is an absolute http(s) URL whose host is the API's own or a
 * web platform of the project (CONTRACT 3.5); else 0 with the reason. */
int web_redirect_allowed(const struct ctx *c, const char *url, char *why, size_t n);

#endif
