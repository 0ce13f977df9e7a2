/* api.h: the endpoint functions named in routes.def. Each receives a
 * request whose route checks and parameter validation have passed. */
#ifndef LK_API_H
#define LK_API_H

#include "ctx.h"

/* api_account.c */
enum lk_err h_account_get(struct ctx *c);
enum lk_err h_account_create(struct ctx *c);
enum lk_err h_account_delete(struct ctx *c);
enum lk_err h_account_name(struct ctx *c);
enum lk_err h_account_email(struct ctx *c);
enum lk_err h_account_password(struct ctx *c);
enum lk_err h_account_phone(struct ctx *c);
enum lk_err h_account_prefs_get(struct ctx *c);
enum lk_err h_account_prefs(struct ctx *c);
enum lk_err h_account_status(struct ctx *c);
enum lk_err h_account_logs(struct ctx *c);
enum lk_err h_account_identities(struct ctx *c);
enum lk_err h_account_identity_delete(struct ctx *c);
enum lk_err h_account_jwt(struct ctx *c);

/* api_sessions.c */
enum lk_err h_sessions_list(struct ctx *c);
enum lk_err h_sessions_delete_all(struct ctx *c);
enum lk_err h_sessions_anonymous(struct ctx *c);
enum lk_err h_sessions_email(struct ctx *c);
enum lk_err h_sessions_get(struct ctx *c);
enum lk_err h_sessions_update(struct ctx *c);
enum lk_err h_sessions_delete(struct ctx *c);
/* Deletes the user's sessions beyond the project's maxSessions, oldest first. */
void session_trim(struct ctx *c, const char *uid);

#endif
