/* mail.h: email over SMTP with libcurl: message building (RFC 5322 + MIME
 * multipart/alternative, text and HTML) and sending with the TLS modes an
 * admin configures (none, STARTTLS, implicit TLS) and optional AUTH. */
#ifndef LK_MAIL_H
#define LK_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum smtp_tls {
	SMTP_TLS_NONE,     /* plain SMTP (local relays, test sinks) */
	SMTP_TLS_STARTTLS, /* upgrade with STARTTLS, required */
	SMTP_TLS_IMPLICIT  /* TLS from the first byte (smtps, port 465) */
};

struct smtp_conf {
	const char *host;         /* server host name or IP; NULL/"" = no SMTP */
	int port;                 /* 0 = 25 (none/STARTTLS) or 465 (implicit) */
	enum smtp_tls tls;        /* TLS mode */
	const char *username;     /* AUTH user, NULL/"" = no AUTH */
	const char *password;     /* AUTH password */
	const char *sender_email; /* envelope and From address */
	const char *sender_name;  /* From display name, may be "" */
	const char *reply_to;     /* Reply-To address, may be NULL/"" */
	int timeout_s;            /* connect+transfer timeout, 0 = 30 */
};

struct mail_msg {
	const char *to;           /* recipient address */
	const char *to_name;      /* recipient display name, may be "" */
	const char *subject;      /* UTF-8 subject (encoded as RFC 2047 if needed) */
	const char *html;         /* UTF-8 HTML body */
	const char *text;         /* UTF-8 plain-text body */
	const char *message_id;   /* stable Message-ID (without <>), same on every retry */
};

/* Parses "none" | "starttls" | "tls" (or "implicit", "ssl"). Returns 0 or -1. */
int smtp_tls_parse(const char *s, enum smtp_tls *out);

/* Builds the complete message (headers + MIME body, CRLF line ends, lines
 * <= 998 bytes, bodies quoted-printable or base64) into b. Header values
 * never contain CR/LF from the inputs. now_ms gives the Date header.
 * Returns 0, or -1 (bad input such as CR/LF in an address, or b overflow). */
int mail_build(const struct smtp_conf *c, const struct mail_msg *m,
    int64_t now_ms, struct buf *b);

/* Sends m through c. Returns 0 on success; -1 on failure with a short
 * reason in err (never containing the message or credentials) and
 * *permanent = 1 when retrying cannot help (5xx reply, bad address). */
int mail_send(const struct smtp_conf *c, const struct mail_msg *m, char *err,
    size_t errn, int *permanent);

#endif
