/* outbox.h: durable message delivery. A request renders its message and
 * writes it to the outbox inside the same transaction as the token it
 * carries; the delivery process (started by the master, never a request
 * worker; delivery.c) sends it, retries with backoff and records the outcome. Message
 * bodies are sealed under enc_key at rest and dropped once sent. */
#ifndef LK_OUTBOX_H
#define LK_OUTBOX_H

#include "ctx.h"
#include "templates.h"

/* 1 when mail can be sent for c's project (server or project SMTP). */
int outbox_mail_ready(const struct ctx *c);
/* 1 when SMS can be sent for c's project. */
int outbox_sms_ready(const struct ctx *c);
/* The locale of c's messages: `locale` parameter, X-Appwrite-Locale, the
 * project default (resolved to one we have). */
const char *outbox_locale(struct ctx *c);

/* Appends agentDevice, agentClient and agentOs (from the request's user
 * agent) to vars at *n; vars needs 3 free entries. */
void outbox_agent_vars(struct ctx *c, struct tmpl_var *vars, int *n);

/* Renders email t and writes it to the outbox; call inside the transaction
 * of the change it belongs to. Returns a db_rc (DB_FAIL on render errors). */
enum db_rc outbox_email(struct ctx *c, const char *to, const char *to_name,
    enum tmpl_type t, const struct tmpl_var *vars, int nvars);
/* Same for an SMS. */
enum db_rc outbox_sms(struct ctx *c, const char *to, enum sms_tmpl_type t,
    const struct tmpl_var *vars, int nvars);

/* The outbox state machine after a failed attempt: attempts made so far
 * (>= 1) and whether the failure is permanent give the next status
 * ("pending" again or "failed") and the wait before the next attempt. */
const char *outbox_after_failure(int attempts, int permanent, long long *delay_s);

#endif
