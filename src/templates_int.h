/* templates_int.h: internals shared by templates.c (rendering),
 * templates_i18n.c (the wording, one table per locale) and templates_strip.c
 * (HTML to text for admin overrides). Not part of the public contract; the
 * unit suite includes it to check that every locale is complete. */
#ifndef LK_TEMPLATES_INT_H
#define LK_TEMPLATES_INT_H

#include <stddef.h>

#include "buf.h"
#include "templates.h"

/* Wording of one email type in one language. Every string may hold
 * {{variables}} and the markup pair {{b}}...{{/b}} (bold in HTML, nothing
 * in text). Strings are plain text: templates.c escapes them for HTML. */
struct tm_mail_text {
	const char *subject; /* subject line */
	const char *body;    /* main paragraphs; '\n' separates paragraphs */
	const char *button;  /* link button label; NULL for types without a link */
	const char *items;   /* '\n'-separated list lines; NULL when no list */
	const char *footer;  /* closing paragraph ("did not ask for this?") */
};

/* All the wording of one locale. A NULL string falls back to English. */
struct tm_locale {
	const char *code;        /* lower-case code, e.g. "pt-br" */
	const char *dir;         /* writing direction: "ltr" or "rtl" */
	const char *hello;       /* greeting with {{user}} */
	const char *hello_anon;  /* greeting used when {{user}} is empty */
	const char *link_help;   /* line before the raw link under the button */
	const char *client_info; /* requesting client: {{agentClient}} etc. */
	const char *phrase;      /* security phrase line with {{phrase}} */
	const char *thanks;      /* closing word before the signature */
	const char *signature;   /* signature with {{project}} */
	struct tm_mail_text mail[TM__COUNT]; /* per email type */
	const char *sms[SMS_TM__COUNT];      /* per SMS type: {{secret}}, {{project}} */
};

/* One locale code we answer to; several codes may share one table. */
struct tm_locale_entry {
	const char *code;            /* lower-case code matched by tmpl_locale */
	const struct tm_locale *loc; /* its wording */
};

extern const struct tm_locale tm_locale_en;     /* English, the fallback */
extern const struct tm_locale_entry tm_locales[]; /* every locale we have */
extern const size_t tm_nlocales;                /* entries in tm_locales */

/* Appends a plain-text rendering of the HTML p[0..n) to out: tags dropped
 * (the contents of head, style, script and title too), block elements
 * become line breaks, a link's address follows its label in parentheses,
 * common entities are decoded, white space is collapsed. Errors are sticky
 * in out. */
void tm_html_to_text(const char *p, size_t n, struct buf *out);

#endif
