/* templates.h: the email and SMS messages latchkey sends (spec/CONTRACT.md
 * 8), written for latchkey (our own wording), per locale, rendered with
 * {{variable}} substitution. HTML bodies escape every variable value; the
 * text part is written separately, not tag-stripped. */
#ifndef LK_TEMPLATES_H
#define LK_TEMPLATES_H

#include "buf.h"

enum tmpl_type {
	TM_VERIFICATION,  /* POST /account/verification: link */
	TM_RECOVERY,      /* POST /account/recovery: link */
	TM_MAGIC_SESSION, /* POST /account/tokens/magic-url: link */
	TM_OTP_SESSION,   /* POST /account/tokens/email: 6-digit code */
	TM_MFA_CHALLENGE, /* MFA email code */
	TM_SESSION_ALERT, /* new session alert */
	TM_INVITATION,    /* team invite */
	TM__COUNT
};

enum sms_tmpl_type {
	SMS_TM_LOGIN,        /* phone sign-in code */
	SMS_TM_VERIFICATION, /* phone verification code */
	SMS_TM_MFA,          /* MFA code */
	SMS_TM__COUNT
};

/* One variable: {{name}} is replaced by value. */
struct tmpl_var {
	const char *name;  /* without braces */
	const char *value; /* UTF-8; NULL renders as "" */
};

/* Returns the type named like Appwrite's template keys ("verification",
 * "recovery", "magicSession", "otpSession", "mfaChallenge", "sessionAlert",
 * "invitation"), or -1. */
int tmpl_type_parse(const char *name);
/* Returns the name of t (as above). */
const char *tmpl_type_name(enum tmpl_type t);

/* Picks the locale we have for `want` (case-insensitive): exact code
 * ("pt-br"), else its first two letters ("de-at" -> "de"), else `fallback`
 * when we have that, else "en". Never NULL. */
const char *tmpl_locale(const char *want, const char *fallback);

/* Renders email type t in locale (as returned by tmpl_locale). subject_ovr
 * and html_ovr, when non-NULL, are an admin's custom subject / HTML body
 * (with the same {{variables}}); the text part is then derived from the
 * custom HTML by stripping tags. Variables: see templates.c per type;
 * {{project}}, {{user}} and friends are supplied by the caller; unknown
 * placeholders render as "". Returns 0, or -1 on overflow. */
int tmpl_render(enum tmpl_type t, const char *locale,
    const struct tmpl_var *vars, int nvars, const char *subject_ovr,
    const char *html_ovr, struct buf *subject, struct buf *html,
    struct buf *text);

/* Renders an SMS (plain text, no escaping) of type t, or the admin's
 * override text when non-NULL. Returns 0 or -1. */
int tmpl_render_sms(enum sms_tmpl_type t, const char *locale,
    const struct tmpl_var *vars, int nvars, const char *ovr, struct buf *out);

#endif
