/* model.h: Appwrite response models written through the JSON writer, with
 * exactly the fields (and order) of spec/appwrite-1.6-client-account.json. */
#ifndef LK_MODEL_H
#define LK_MODEL_H

#include "ctx.h"
#include "db.h"

/* Account: user row `row` of u (USER_COLS) and its targets
 * (ST_TARGETS_BY_USER rows, or NULL to write the stored users.targets). */
void model_account(struct jw *w, const struct dbres *u, int row,
    const struct dbres *targets);
/* One Target: row of t (ST_TARGETS_BY_USER columns), owned by user uid. */
void model_target(struct jw *w, const struct dbres *t, int row, const char *uid);
/* The Target models of t (ST_TARGETS_BY_USER rows) as a JSON array. */
void model_targets(struct jw *w, const struct dbres *t, const char *uid);
/* Writes (loading the targets only when users.targets is NULL) the Account as
 * the whole response with the given status. */
enum lk_err model_reply_user(struct ctx *c, const struct dbres *u, int status);
/* Session: row of s (SC_ columns). current: the caller's session.
 * secret: the session token for privileged callers, else NULL ("" sent). */
void model_session(struct jw *w, const struct dbres *s, int row, int current,
    const char *secret);
/* Log: row of ST_LOGS_BY_USER; the user agent is parsed here. */
void model_log(struct jw *w, const struct dbres *l, int row);
/* Identity: row of ST_IDENTITIES_BY_USER. */
void model_identity(struct jw *w, const struct dbres *r, int row);
/* Prefs object of user row (raw stored JSON, "{}" when empty). */
void model_prefs(struct jw *w, const struct dbres *u, int row);

/* Loads the user again and writes the Account as the whole response. */
enum lk_err model_reply_account(struct ctx *c, const char *uid, int status);

#endif
