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
/* A user to insert. */
struct new_user {
	const char *uid;     /* its ID */
	const char *name;    /* NULL = "" */
	const char *email;   /* lower-cased, or NULL for none */
	const char *phone;   /* or NULL for none */
	const char *hash;    /* PHC string, NULL for a user without a password */
	const char *history; /* password history JSON, NULL = "[]" */
	const char *target;  /* "email" or "sms": create that messaging target
	                      * (an existing target with the same identifier,
	                      * another user's, is left as it is); NULL: none */
};
/* Inserts the user row, its target and users.targets (inside the caller's
 * transaction), all created at the request time. */
enum db_rc account_insert_user(struct ctx *c, const struct new_user *n);
/* Rewrites users.targets from the targets table after a target change
 * (inside the transaction of the change). */
enum db_rc account_sync_targets(struct ctx *c, const char *uid);
/* 400 user_count_exceeded when the project's user limit is reached (keys
 * are exempt; CONTRACT 7 `limit`). */
enum lk_err account_check_user_limit(struct ctx *c);
/* 1 when pw matches a hash of the password-history JSON array hist. */
int account_in_history(struct ctx *c, const char *hist, const char *pw);
/* hist with hash appended, keeping the last n entries (arena), or NULL. */
char *account_history_push(struct ctx *c, const char *hist, const char *hash, int n);

/* api_tokens.c */
enum lk_err h_tokens_email(struct ctx *c);
enum lk_err h_tokens_magic_url(struct ctx *c);
enum lk_err h_tokens_phone(struct ctx *c);
enum lk_err h_sessions_token(struct ctx *c);

/* api_verify.c */
enum lk_err h_recovery_create(struct ctx *c);
enum lk_err h_recovery_update(struct ctx *c);
enum lk_err h_verification_create(struct ctx *c);
enum lk_err h_verification_update(struct ctx *c);
enum lk_err h_verification_phone_create(struct ctx *c);
enum lk_err h_verification_phone_update(struct ctx *c);

/* api_sessions.c */
enum lk_err h_sessions_list(struct ctx *c);
enum lk_err h_sessions_delete_all(struct ctx *c);
enum lk_err h_sessions_anonymous(struct ctx *c);
enum lk_err h_sessions_email(struct ctx *c);
enum lk_err h_sessions_get(struct ctx *c);
enum lk_err h_sessions_update(struct ctx *c);
enum lk_err h_sessions_delete(struct ctx *c);
/* Creates a session for uid, running extra(extra_arg) first in the same
 * transaction (a user insert, a token consumption); sets the cookies and
 * answers 201 with the Session (CONTRACT 1.8, 2.4). */
enum lk_err session_issue(struct ctx *c, const char *uid, const char *provider,
    const char *provider_uid, const char *factors, enum db_rc (*extra)(void *),
    void *extra_arg);
/* Emails a new-session alert when the project asks for them and the user
 * has an email and another session (CONTRACT 7 sessionAlerts). */
void session_alert(struct ctx *c, const char *uid, const char *email, const char *name);

/* The Account answer after a change of the caller's row (api_account.c):
 * column col shows `shown`, $updatedAt is now. */
enum lk_err account_reply_changed(struct ctx *c, int col, const char *shown);

/* api_mfa.c */
enum lk_err h_mfa_update(struct ctx *c);
enum lk_err h_mfa_factors(struct ctx *c);
enum lk_err h_mfa_authenticator_create(struct ctx *c);
enum lk_err h_mfa_authenticator_verify(struct ctx *c);
enum lk_err h_mfa_authenticator_delete(struct ctx *c);
enum lk_err h_mfa_codes_create(struct ctx *c);
enum lk_err h_mfa_codes_update(struct ctx *c);
enum lk_err h_mfa_codes_get(struct ctx *c);
enum lk_err h_mfa_challenge_create(struct ctx *c);
enum lk_err h_mfa_challenge_answer(struct ctx *c);

/* api_targets.c: push targets (E48-E50) */
enum lk_err h_targets_push_create(struct ctx *c);
enum lk_err h_targets_push_update(struct ctx *c);
enum lk_err h_targets_push_delete(struct ctx *c);
/* Deletes the push targets that session sid of user uid registered and,
 * when there were any, rewrites users.targets (inside the caller's
 * transaction: the session's deletion, E16 and E19). */
enum db_rc targets_push_drop_session(struct ctx *c, const char *uid, const char *sid);

#endif
