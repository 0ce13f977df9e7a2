/* mail.c: builds RFC 5322 messages (MIME multipart/alternative, text and
 * HTML in quoted-printable UTF-8) and sends them over SMTP with libcurl.
 * Every header value comes from the caller and is refused when it holds a
 * control byte, so nothing can inject a header; non-ASCII names and
 * subjects become RFC 2047 encoded words, folded below 78 columns. The
 * process calling mail_send should have called curl_global_init() once
 * before starting threads. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "crypto.h"
#include "lk_limits.h"
#include "mail.h"
#include "validate.h"

#define MAIL_MSG_MAX (4 * 1024 * 1024) /* a whole built message */
#define MAIL_NAME_QUOTED_MAX 200       /* longer ASCII names are encoded */
#define MAIL_SUBJECT_RAW_MAX 68        /* longer subjects are encoded (folded) */
#define MAIL_WORD_BYTES 39             /* UTF-8 bytes per encoded word */
#define MAIL_MSGID_MAX 250             /* Message-ID bytes without <> */
#define MAIL_QP_LINE 76                /* quoted-printable line length */
#define MAIL_TIMEOUT_DEFAULT 30        /* seconds when timeout_s is 0 */
#define MAIL_HOST_MAX 253              /* SMTP host name bytes */

/* Returns 1 when s is safe in a header: no control bytes (CR, LF, NUL and
 * the rest of C0, DEL) and valid UTF-8. NULL counts as "". */
static int
mail_hdr_ok(const char *s)
{
	size_t i;

	if (s == NULL)
		return 1;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return val_utf8(s, i);
}

/* Returns 1 when s is printable ASCII only. */
static int
mail_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* Returns 1 when s is a non-empty address val_email accepts or, with
 * dotless_ok (the sender and Reply-To an admin configures), the same with
 * a domain of one label, such as the default "latchkey@localhost". */
static int
mail_addr_ok(const char *s, int dotless_ok)
{
	char tmp[LK_EMAIL_MAX + 1]; /* s with ".x" appended */
	const char *at;
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || !mail_hdr_ok(s))
		return 0;
	if (val_email(s, n))
		return 1;
	if (!dotless_ok || (at = strrchr(s, '@')) == NULL || at[1] == '[' ||
	    strchr(at, '.') != NULL || n + 2 >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, n);
	memcpy(tmp + n, ".x", 3);
	return val_email(tmp, n + 2);
}

/* Appends s[0..n) as RFC 2047 B encoded words of at most MAIL_WORD_BYTES
 * input bytes each, never splitting a UTF-8 sequence, folded with CRLF SP
 * between words. */
static void
mail_words(struct buf *b, const char *s, size_t n)
{
	char enc[4 * MAIL_WORD_BYTES / 3 + 8]; /* one word's base64 */
	size_t i = 0, k;                       /* offset; chunk length */
	ssize_t e;

	do {
		k = n - i > MAIL_WORD_BYTES ? MAIL_WORD_BYTES : n - i;
		while (k > 0 && i + k < n &&
		    ((unsigned char)s[i + k] & 0xc0) == 0x80)
			k--;
		if (k == 0) /* not UTF-8 (callers check): cut anywhere */
			k = n - i > MAIL_WORD_BYTES ? MAIL_WORD_BYTES : n - i;
		e = crypto_b64_encode((const uint8_t *)s + i, k, enc,
		    sizeof(enc), 0);
		if (e < 0) {
			b->err = 1;
			return;
		}
		if (i > 0)
			buf_add(b, "\r\n ", 3);
		buf_printf(b, "=?UTF-8?B?%s?=", enc);
		i += k;
	} while (i < n);
}

/* Appends an address header "Name: display <addr>" (or just the address
 * when the display name is empty). */
static void
mail_addr_hdr(struct buf *b, const char *hdr, const char *name,
    const char *addr)
{
	size_t n = name ? strlen(name) : 0;

	buf_printf(b, "%s: ", hdr);
	if (n == 0) {
		buf_printf(b, "%s\r\n", addr);
		return;
	}
	if (mail_ascii(name) && n <= MAIL_NAME_QUOTED_MAX &&
	    strstr(name, "=?") == NULL) {
		buf_addc(b, '"');
		for (; *name != '\0'; name++) {
			if (*name == '"' || *name == '\\')
				buf_addc(b, '\\');
			buf_addc(b, *name);
		}
		buf_addc(b, '"');
	} else
		mail_words(b, name, n);
	buf_printf(b, " <%s>\r\n", addr);
}

/* Appends the Subject header: raw when short printable ASCII, else encoded
 * words (which also fold it). */
static void
mail_subject(struct buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0)
		buf_adds(b, "Subject: \r\n");
	else if (n <= MAIL_SUBJECT_RAW_MAX && mail_ascii(s) &&
	    strstr(s, "=?") == NULL)
		buf_printf(b, "Subject: %s\r\n", s);
	else {
		buf_adds(b, "Subject: ");
		mail_words(b, s, n);
		buf_adds(b, "\r\n");
	}
}

/* Appends "Date: <RFC 5322 date>" for now_ms, in UTC with English names
 * whatever the process locale. */
static void
mail_date(struct buf *b, int64_t now_ms)
{
	static const char days[7][4] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};
	time_t t = (time_t)(now_ms / 1000);
	struct tm tm;

	if (now_ms < 0 || gmtime_r(&t, &tm) == NULL) {
		t = 0;
		gmtime_r(&t, &tm);
	}
	buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Returns 1 when c may appear in a Message-ID (atext, '.', and on the
 * right of '@' the brackets of a domain literal). */
static int
mail_msgid_char(char c, int right)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.')
		return 1;
	if (right && (c == '[' || c == ']'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* Appends "Message-ID: <id>". id == NULL or "" gets a random one; an id
 * without '@' gets "@<sender domain>". Returns 0, or -1 for a bad id. */
static int
mail_msgid(struct buf *b, const char *id, const char *sender)
{
	char rnd[33];                          /* random left part */
	const char *dom = strrchr(sender, '@') + 1; /* sender is validated */
	const char *at;
	size_t i, n;

	if (id == NULL || *id == '\0') {
		if (crypto_random_hex(rnd, 32) < 0)
			return -1;
		buf_printf(b, "Message-ID: <%s@%s>\r\n", rnd, dom);
		return 0;
	}
	n = strlen(id);
	at = strchr(id, '@');
	if (n > MAIL_MSGID_MAX || at == id || (at && (at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL)))
		return -1;
	for (i = 0; i < n; i++)
		if (id[i] != '@' && !mail_msgid_char(id[i], at && id + i > at))
			return -1;
	if (at != NULL)
		buf_printf(b, "Message-ID: <%s>\r\n", id);
	else
		buf_printf(b, "Message-ID: <%s@%s>\r\n", id, dom);
	return 0;
}

/* Appends one quoted-printable token (1 or 3 bytes) at column *col, first
 * breaking the line softly when it would pass MAIL_QP_LINE - 1. */
static void
mail_qp_put(struct buf *b, const char *tok, size_t n, size_t *col)
{
	if (*col + n > MAIL_QP_LINE - 1) {
		buf_add(b, "=\r\n", 3);
		*col = 0;
	}
	buf_add(b, tok, n);
	*col += n;
}

/* Appends s quoted-printable (RFC 2045 6.7). LF and CRLF become CRLF line
 * breaks; a lone CR, '=', control and 8-bit bytes, a '.' opening a line and
 * white space before a line break are encoded. */
static void
mail_qp(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t col = 0; /* column of the encoded line */
	char tok[3];
	unsigned char c;
	int end;        /* 1 when the next byte ends the line */
	int lead;       /* 1 when this byte will open an encoded line */

	for (; *p != '\0'; p++) {
		c = *p;
		if (c == '\n' || (c == '\r' && p[1] == '\n')) {
			p += c == '\r';
			buf_add(b, "\r\n", 2);
			col = 0;
			continue;
		}
		end = p[1] == '\0' || p[1] == '\n' || (p[1] == '\r' && p[2] == '\n');
		lead = col == 0 || col + 1 > MAIL_QP_LINE - 1;
		if ((c >= 33 && c <= 126 && c != '=' && !(c == '.' && lead)) ||
		    ((c == ' ' || c == '\t') && !end)) {
			tok[0] = (char)c;
			mail_qp_put(b, tok, 1, &col);
			continue;
		}
		tok[0] = '=';
		tok[1] = hex[c >> 4];
		tok[2] = hex[c & 15];
		mail_qp_put(b, tok, 3, &col);
	}
	buf_add(b, "\r\n", 2);
}

/* Appends one MIME part of the multipart body. */
static void
mail_part(struct buf *b, const char *boundary, const char *type,
    const char *body)
{
	buf_printf(b, "--%s\r\n"
	    "Content-Type: %s; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
	    boundary, type);
	mail_qp(b, body);
}

/* Returns 1 when every header input of c and m is well formed. */
static int
mail_inputs_ok(const struct smtp_conf *c, const struct mail_msg *m)
{
	if (c == NULL || m == NULL)
		return 0;
	if (!mail_addr_ok(c->sender_email, 1) || !mail_addr_ok(m->to, 0))
		return 0;
	if (c->reply_to != NULL && *c->reply_to != '\0' &&
	    !mail_addr_ok(c->reply_to, 1))
		return 0;
	return mail_hdr_ok(c->sender_name) && mail_hdr_ok(m->to_name) &&
	    mail_hdr_ok(m->subject) && mail_hdr_ok(m->message_id);
}

/* Builds message m from c (see mail.h); appends to b. 0 or -1. */
int
mail_build(const struct smtp_conf *c, const struct mail_msg *m, int64_t now_ms,
    struct buf *b)
{
	char boundary[40];  /* "=_lk" + 32 random hex; "=_" never occurs in QP */
	char rnd[33];

	if (b == NULL || !mail_inputs_ok(c, m))
		return -1;
	if (crypto_random_hex(rnd, 32) < 0)
		return -1;
	snprintf(boundary, sizeof(boundary), "=_lk%s", rnd);
	mail_date(b, now_ms);
	mail_addr_hdr(b, "From", c->sender_name, c->sender_email);
	mail_addr_hdr(b, "To", m->to_name, m->to);
	if (c->reply_to != NULL && *c->reply_to != '\0')
		buf_printf(b, "Reply-To: %s\r\n", c->reply_to);
	mail_subject(b, m->subject);
	if (mail_msgid(b, m->message_id, c->sender_email) < 0)
		return -1;
	buf_printf(b, "MIME-Version: 1.0\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n",
	    boundary);
	mail_part(b, boundary, "text/plain", m->text);
	mail_part(b, boundary, "text/html", m->html);
	buf_printf(b, "--%s--\r\n", boundary);
	return b->err ? -1 : 0;
}

/* Maps a TLS mode name to enum smtp_tls (see mail.h). 0 or -1. */
int
smtp_tls_parse(const char *s, enum smtp_tls *out)
{
	static const struct {
		const char *name;  /* accepted spelling */
		enum smtp_tls tls; /* its mode */
	} names[] = {
		{ "none", SMTP_TLS_NONE }, { "starttls", SMTP_TLS_STARTTLS },
		{ "tls", SMTP_TLS_IMPLICIT }, { "implicit", SMTP_TLS_IMPLICIT },
		{ "ssl", SMTP_TLS_IMPLICIT },
	};
	size_t i;

	if (s == NULL || out == NULL)
		return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i].name) == 0) {
			*out = names[i].tls;
			return 0;
		}
	return -1;
}

/* Cursor over the built message for curl's read callback. */
struct mail_reader {
	const char *data; /* message bytes, not owned */
	size_t len;       /* total bytes */
	size_t off;       /* bytes already handed to curl */
};

/* CURLOPT_READFUNCTION: copies the next part of the message into dst;
 * returns the bytes copied, 0 at the end. */
static size_t
mail_read(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct mail_reader *r = arg;
	size_t n = size * nmemb, left = r->len - r->off;

	if (n > left)
		n = left;
	if (n > 0)
		memcpy(dst, r->data + r->off, n);
	r->off += n;
	return n;
}

/* Returns 1 when s[0..n) is a non-empty run of letters, digits, '.', '-'
 * and '_' (a host name we put in a URL). */
static int
mail_hostname_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > MAIL_HOST_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-' ||
		    s[i] == '_'))
			return 0;
	return 1;
}

/* Writes the name we announce in EHLO (this host's name, or "localhost"
 * when it is unusable) into out. */
static void
mail_ehlo_name(char *out, size_t n)
{
	if (gethostname(out, n) != 0)
		out[0] = '\0';
	out[n - 1] = '\0';
	if (!mail_hostname_ok(out, strlen(out)))
		snprintf(out, n, "localhost");
}

/* Writes the SMTP URL for c ("smtp[s]://host:port/ehlo-name") into url.
 * Returns 0, or -1 for a bad host or port. */
static int
mail_url(const struct smtp_conf *c, char *url, size_t n)
{
	char ehlo[MAIL_HOST_MAX + 1];
	size_t hl = strlen(c->host);
	int port = c->port, v6 = strchr(c->host, ':') != NULL, r;

	if (v6 ? !val_ip_literal(c->host, hl) : !mail_hostname_ok(c->host, hl))
		return -1;
	if (port == 0)
		port = c->tls == SMTP_TLS_IMPLICIT ? 465 : 25;
	if (port < 1 || port > 65535)
		return -1;
	mail_ehlo_name(ehlo, sizeof(ehlo));
	r = snprintf(url, n, "%s://%s%s%s:%d/%s",
	    c->tls == SMTP_TLS_IMPLICIT ? "smtps" : "smtp", v6 ? "[" : "",
	    c->host, v6 ? "]" : "", port, ehlo);
	return r < 0 || (size_t)r >= n ? -1 : 0;
}

/* Writes msg into err (when there is room for anything). */
static void
mail_err(char *err, size_t errn, const char *msg)
{
	if (err != NULL && errn > 0)
		snprintf(err, errn, "%s", msg);
}

/* Current time in milliseconds since the epoch. */
static int64_t
mail_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sets the options of one transfer on h. Returns 0, or -1 when libcurl
 * refuses one. All strings must outlive the transfer. */
static int
mail_setopts(CURL *h, const struct smtp_conf *c, const char *url,
    const char *from, struct curl_slist *rcpt, struct mail_reader *rd)
{
	long t = c->timeout_s > 0 ? c->timeout_s : MAIL_TIMEOUT_DEFAULT;
	int bad = 0; /* number of refused options */

	bad += curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK;
	bad += curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps") != CURLE_OK;
	bad += curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad += curl_easy_setopt(h, CURLOPT_USE_SSL, c->tls == SMTP_TLS_NONE ?
	    (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL) != CURLE_OK;
	bad += curl_easy_setopt(h, CURLOPT_MAIL_FROM, from) != CURLE_OK;
	bad += curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt) != CURLE_OK;
	bad += curl_easy_setopt(h, CURLOPT_UPLOAD, 1L) != CURLE_OK;
	bad += curl_easy_setopt(h, CURLOPT_READFUNCTION, mail_read) != CURLE_OK;
	bad += curl_easy_setopt(h, CURLOPT_READDATA, rd) != CURLE_OK;
	bad += curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)rd->len) != CURLE_OK;
	bad += curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, t) != CURLE_OK;
	bad += curl_easy_setopt(h, CURLOPT_TIMEOUT, t) != CURLE_OK;
	if (c->username != NULL && *c->username != '\0') {
		bad += curl_easy_setopt(h, CURLOPT_USERNAME, c->username) != CURLE_OK;
		bad += curl_easy_setopt(h, CURLOPT_PASSWORD,
		    c->password ? c->password : "") != CURLE_OK;
	}
	return bad ? -1 : 0;
}

/* Builds and sends m through c; classifies failures (see mail.h):
 * 5xx replies and refused input are permanent, the rest temporary. */
int
mail_send(const struct smtp_conf *c, const struct mail_msg *m, char *err,
    size_t errn, int *permanent)
{
	struct buf msg;                 /* built message; holds secrets, wiped */
	struct mail_reader rd;
	struct curl_slist *rcpt = NULL; /* owned, freed at out */
	CURL *h = NULL;                 /* owned, cleaned up at out */
	char url[MAIL_HOST_MAX * 2 + 64], from[LK_EMAIL_MAX + 3], to[LK_EMAIL_MAX + 3];
	CURLcode rc;
	long code = 0;                  /* last SMTP reply code */
	int ret = -1, perm = 0;

	buf_init(&msg, MAIL_MSG_MAX);
	mail_err(err, errn, "");
	if (c == NULL || c->host == NULL || *c->host == '\0') {
		mail_err(err, errn, "SMTP is not configured");
		goto out;
	}
	if (mail_build(c, m, mail_now_ms(), &msg) < 0) {
		perm = 1;
		mail_err(err, errn, "message refused: bad address or header");
		goto out;
	}
	if (mail_url(c, url, sizeof(url)) < 0) {
		mail_err(err, errn, "bad SMTP host or port");
		goto out;
	}
	snprintf(from, sizeof(from), "<%s>", c->sender_email);
	snprintf(to, sizeof(to), "<%s>", m->to);
	rd.data = msg.data;
	rd.len = msg.len;
	rd.off = 0;
	if ((rcpt = curl_slist_append(NULL, to)) == NULL ||
	    (h = curl_easy_init()) == NULL ||
	    mail_setopts(h, c, url, from, rcpt, &rd) < 0) {
		mail_err(err, errn, "libcurl setup failed");
		goto out;
	}
	rc = curl_easy_perform(h);
	if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK)
		code = 0;
	if (rc != CURLE_OK) {
		perm = code >= 500 && code <= 599;
		if (err != NULL && errn > 0)
			snprintf(err, errn, "SMTP: %s (reply %ld)",
			    curl_easy_strerror(rc), code);
		goto out;
	}
	ret = 0;
out:
	if (h != NULL)
		curl_easy_cleanup(h);
	curl_slist_free_all(rcpt);
	if (msg.data != NULL)
		crypto_wipe(msg.data, msg.cap);
	buf_free(&msg);
	if (permanent != NULL)
		*permanent = ret == 0 ? 0 : perm;
	return ret;
}
