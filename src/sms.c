/* sms.c: SMS delivery through provider adapters (see sms.h). One table row
 * per provider names its adapter; an adapter is a pure function that turns
 * (configuration, recipient, message) into one HTTP request: URL, header
 * lines, basic-auth pair and body bytes. sms_send runs that request with
 * libcurl and maps the answer to success, temporary or permanent failure.
 *
 * Invariants: every form value is percent-encoded (RFC 3986 unreserved bytes
 * kept, everything else %XX, space as %20); every JSON string goes through
 * json_escape; no header value holds a control byte other than TAB (so no
 * CR/LF injection); a failed build leaves no secret behind in the request;
 * error texts name the provider and the HTTP status or libcurl error, never
 * a credential, the recipient or the message. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "json_out.h"
#include "sms.h"
#include "validate.h"

#define SMS_BODY_MAX (16 * 1024) /* request body bytes sms_send allows */
#define SMS_TIMEOUT_DEFAULT 15   /* whole-request seconds when timeout_s is 0 */
#define SMS_CONNECT_MAX 10       /* seconds allowed for connecting, at most */

/* Default base URLs (scheme + host) of the providers; sms_conf.url replaces
 * them when set. */
#define TWILIO_BASE    "https://api.twilio.com"
#define VONAGE_BASE    "https://rest.nexmo.com"
#define TEXTMAGIC_BASE "https://rest.textmagic.com"
#define TELESIGN_BASE  "https://rest-api.telesign.com"
#define MSG91_BASE     "https://control.msg91.com"

#define FORM_TYPE "application/x-www-form-urlencoded" /* form bodies */
#define JSON_TYPE "application/json"                  /* JSON bodies */

/* An adapter: fills r (already reset) for one message. Returns 0 or -1. */
typedef int (*sms_build_fn)(const struct sms_conf *c, const char *to,
    const char *msg, struct sms_request *r);

/* One provider. */
struct sms_adapter {
	const char *name;       /* configuration name, also used in error texts */
	enum sms_provider id;   /* enum value */
	sms_build_fn build;     /* request builder */
};

/* Returns 1 when s is a non-NULL, non-empty string. */
static int
set(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/* Returns s without one leading '+' (providers that want bare digits). */
static const char *
noplus(const char *s)
{
	return s[0] == '+' ? s + 1 : s;
}

/* Returns 1 when c is an RFC 3986 unreserved byte. */
static int
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* Appends s percent-encoded to b (errors are sticky in b). */
static void
pct_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF"; /* upper-case digits */
	const unsigned char *p;                         /* input cursor */
	char e[3];                                      /* one %XX triple */

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (unreserved(*p)) {
			buf_addc(b, (char)*p);
			continue;
		}
		e[0] = '%';
		e[1] = hex[*p >> 4];
		e[2] = hex[*p & 0x0f];
		buf_add(b, e, sizeof e);
	}
}

/* Appends "name=value" (value percent-encoded) to the form body b, with a
 * '&' before it unless b is empty. */
static void
form_add(struct buf *b, const char *name, const char *value)
{
	if (b->len > 0)
		buf_addc(b, '&');
	buf_adds(b, name);
	buf_addc(b, '=');
	pct_encode(b, value);
}

/* Returns 1 when s may go into a header line: no control byte except TAB
 * (this is what refuses CR/LF injection) and no DEL. */
static int
header_ok(const char *s)
{
	const unsigned char *p; /* input cursor */

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return 0;
	return 1;
}

/* Adds the header line "name: value" to r. Returns 0, or -1 when the value
 * holds a control byte, the table is full or the line does not fit. */
static int
add_header(struct sms_request *r, const char *name, const char *value)
{
	int n; /* snprintf result */

	if (!header_ok(value) || r->nheaders >= SMS_MAX_HEADERS)
		return -1;
	n = snprintf(r->headers[r->nheaders], sizeof r->headers[0], "%s: %s",
	    name, value);
	if (n < 0 || (size_t)n >= sizeof r->headers[0])
		return -1;
	r->nheaders++;
	return 0;
}

/* Sets the basic-auth pair "user:secret". libcurl splits the pair at the
 * first ':', so a ':' in user is refused; control bytes are refused in both.
 * Returns 0 or -1. */
static int
set_userpwd(struct sms_request *r, const char *user, const char *secret)
{
	int n; /* snprintf result */

	if (strchr(user, ':') != NULL || !header_ok(user) || !header_ok(secret))
		return -1;
	n = snprintf(r->userpwd, sizeof r->userpwd, "%s:%s", user, secret);
	if (n < 0 || (size_t)n >= sizeof r->userpwd)
		return -1;
	return 0;
}

/* Returns 1 when url is an absolute http or https URL (validate.h rules).
 * With base != 0 it must also carry no query or fragment, since a path is
 * appended to it. */
static int
http_url_ok(const char *url, int base)
{
	struct url_parts u; /* parsed view of url */
	size_t n;           /* length of url */

	n = strlen(url);
	if (!val_url(url, n, &u))
		return 0;
	if (!(u.scheme_n == 4 && strncasecmp(u.scheme, "http", 4) == 0) &&
	    !(u.scheme_n == 5 && strncasecmp(u.scheme, "https", 5) == 0))
		return 0;
	return !base || strpbrk(url, "?#") == NULL;
}

/* Starts r's URL in u (max: the size of r->url minus its NUL) with the
 * configured base override, trailing '/' removed, or with def. Returns 0, or
 * -1 when the override is not an http(s) base URL. */
static int
url_begin(struct buf *u, const struct sms_conf *c, const char *def)
{
	size_t n; /* override length without trailing slashes */

	buf_init(u, sizeof(((struct sms_request *)0)->url) - 1);
	if (!set(c->url)) {
		buf_adds(u, def);
		return 0;
	}
	if (!http_url_ok(c->url, 1))
		return -1;
	n = strlen(c->url);
	while (n > 0 && c->url[n - 1] == '/')
		n--;
	buf_add(u, c->url, n);
	return 0;
}

/* Moves the URL built in u into r->url and frees u. Returns 0, or -1 when
 * u overflowed (the URL does not fit). */
static int
url_end(struct buf *u, struct sms_request *r)
{
	int rc = -1; /* result */

	if (!u->err && u->data != NULL) {
		memcpy(r->url, u->data, u->len + 1);
		rc = 0;
	}
	buf_free(u);
	return rc;
}

/* Builds the URL def_or_override + path into r. Returns 0 or -1. */
static int
url_simple(struct sms_request *r, const struct sms_conf *c, const char *def,
    const char *path)
{
	struct buf u; /* URL under construction */

	if (url_begin(&u, c, def) != 0)
		return -1;
	buf_adds(&u, path);
	return url_end(&u, r);
}

/* Twilio Programmable Messaging, "Create a Message resource":
 * POST https://api.twilio.com/2010-04-01/Accounts/{AccountSid}/Messages.json,
 * HTTP basic auth AccountSid:AuthToken, form fields From, To (E.164 with
 * '+'), Body. Source: twilio.com/docs/messaging/api/message-resource (as
 * mirrored by Twilio's OpenAPI-generated SDKs). */
static int
build_twilio(const struct sms_conf *c, const char *to, const char *msg,
    struct sms_request *r)
{
	struct buf u; /* URL under construction */

	if (!set(c->user) || !set(c->secret) || !set(c->from))
		return -1;
	if (url_begin(&u, c, TWILIO_BASE) != 0)
		return -1;
	buf_adds(&u, "/2010-04-01/Accounts/");
	pct_encode(&u, c->user);
	buf_adds(&u, "/Messages.json");
	if (url_end(&u, r) != 0 || add_header(r, "Content-Type", FORM_TYPE) != 0 ||
	    set_userpwd(r, c->user, c->secret) != 0)
		return -1;
	form_add(&r->body, "From", c->from);
	form_add(&r->body, "To", to);
	form_add(&r->body, "Body", msg);
	return 0;
}

/* Vonage (Nexmo) SMS API, "Send an SMS": POST https://rest.nexmo.com/sms/json,
 * form fields api_key, api_secret, from, to (international digits without
 * '+'), text. Source: developer.vonage.com/en/api/sms and its send-an-sms
 * code snippet. The API answers 200 even for some rejected messages (the
 * per-message "status" in the JSON); this adapter only judges the HTTP
 * status. */
static int
build_vonage(const struct sms_conf *c, const char *to, const char *msg,
    struct sms_request *r)
{
	if (!set(c->user) || !set(c->secret) || !set(c->from))
		return -1;
	if (url_simple(r, c, VONAGE_BASE, "/sms/json") != 0 ||
	    add_header(r, "Content-Type", FORM_TYPE) != 0)
		return -1;
	form_add(&r->body, "api_key", c->user);
	form_add(&r->body, "api_secret", c->secret);
	form_add(&r->body, "from", c->from);
	form_add(&r->body, "to", noplus(to));
	form_add(&r->body, "text", msg);
	return 0;
}

/* Textmagic REST API v2, "Send message": POST
 * https://rest.textmagic.com/api/v2/messages, headers X-TM-Username (account
 * user name) and X-TM-Key (API key), form fields text, phones (digits
 * without '+') and, when configured, from (sender number, '+' removed as
 * Appwrite's adapter does). Source: textmagic.com/docs/api/start and the
 * Textmagic v2 OpenAPI description. */
static int
build_textmagic(const struct sms_conf *c, const char *to, const char *msg,
    struct sms_request *r)
{
	if (!set(c->user) || !set(c->secret))
		return -1;
	if (url_simple(r, c, TEXTMAGIC_BASE, "/api/v2/messages") != 0 ||
	    add_header(r, "X-TM-Username", c->user) != 0 ||
	    add_header(r, "X-TM-Key", c->secret) != 0 ||
	    add_header(r, "Content-Type", FORM_TYPE) != 0)
		return -1;
	form_add(&r->body, "text", msg);
	form_add(&r->body, "phones", noplus(to));
	if (set(c->from))
		form_add(&r->body, "from", noplus(c->from));
	return 0;
}

/* Telesign SMS API, "Send an SMS": POST https://rest-api.telesign.com/v1/
 * messaging (enterprise accounts use https://rest-ww.telesign.com: set it as
 * the base URL), HTTP basic auth CustomerID:APIKey, form fields phone_number
 * (country code and number, no special characters), message, message_type
 * (OTP, the traffic class of sign-in and verification codes). `from` is not
 * sent: Telesign's sender_id needs their approval. Source:
 * developer.telesign.com/enterprise/reference/sms. */
static int
build_telesign(const struct sms_conf *c, const char *to, const char *msg,
    struct sms_request *r)
{
	if (!set(c->user) || !set(c->secret))
		return -1;
	if (url_simple(r, c, TELESIGN_BASE, "/v1/messaging") != 0 ||
	    add_header(r, "Content-Type", FORM_TYPE) != 0 ||
	    set_userpwd(r, c->user, c->secret) != 0)
		return -1;
	form_add(&r->body, "phone_number", noplus(to));
	form_add(&r->body, "message", msg);
	form_add(&r->body, "message_type", "OTP");
	return 0;
}

/* MSG91 "Send SMS via Flow" (v5): POST https://control.msg91.com/api/v5/flow/,
 * header authkey, JSON body {"template_id", "sender" (when configured),
 * "recipients": [{"mobiles": digits without '+', "content": message, "otp":
 * message}]}. MSG91 only sends DLT-approved templates: the admin's template
 * must place the text with the variable ##content## or ##otp## (the names
 * Appwrite's adapter fills). Source: control.msg91.com/apidoc/textsms/
 * send-sms-flow.php and docs.msg91.com/sms/send-sms. */
static int
build_msg91(const struct sms_conf *c, const char *to, const char *msg,
    struct sms_request *r)
{
	struct jw w; /* writer over r->body */

	if (!set(c->secret) || !set(c->template_id))
		return -1;
	if (url_simple(r, c, MSG91_BASE, "/api/v5/flow/") != 0 ||
	    add_header(r, "authkey", c->secret) != 0 ||
	    add_header(r, "Content-Type", JSON_TYPE) != 0)
		return -1;
	jw_init(&w, &r->body);
	jw_obj(&w);
	jw_kstr(&w, "template_id", c->template_id);
	if (set(c->user))
		jw_kstr(&w, "sender", c->user);
	jw_key(&w, "recipients");
	jw_arr(&w);
	jw_obj(&w);
	jw_kstr(&w, "mobiles", noplus(to));
	jw_kstr(&w, "content", msg);
	jw_kstr(&w, "otp", msg);
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	return 0;
}

/* Generic webhook: POST {url} with Content-Type: application/json and
 * {"from": sender or "", "to": E.164 number, "message": text}. */
static int
build_webhook(const struct sms_conf *c, const char *to, const char *msg,
    struct sms_request *r)
{
	struct jw w; /* writer over r->body */
	size_t n;    /* URL length */

	if (!set(c->url) || !http_url_ok(c->url, 0))
		return -1;
	n = strlen(c->url);
	if (n >= sizeof r->url || add_header(r, "Content-Type", JSON_TYPE) != 0)
		return -1;
	memcpy(r->url, c->url, n + 1);
	jw_init(&w, &r->body);
	jw_obj(&w);
	jw_kstr(&w, "from", set(c->from) ? c->from : "");
	jw_kstr(&w, "to", to);
	jw_kstr(&w, "message", msg);
	jw_obj_end(&w);
	return 0;
}

/* The providers: the one table of names and adapters. */
static const struct sms_adapter adapters[] = {
	{ "webhook",   SMS_WEBHOOK,   build_webhook },
	{ "twilio",    SMS_TWILIO,    build_twilio },
	{ "vonage",    SMS_VONAGE,    build_vonage },
	{ "textmagic", SMS_TEXTMAGIC, build_textmagic },
	{ "telesign",  SMS_TELESIGN,  build_telesign },
	{ "msg91",     SMS_MSG91,     build_msg91 },
};

#define NADAPTERS (sizeof adapters / sizeof adapters[0])

/* Returns the adapter of provider p, or NULL (SMS_NONE, out of range). */
static const struct sms_adapter *
adapter_of(enum sms_provider p)
{
	size_t i; /* table index */

	for (i = 0; i < NADAPTERS; i++)
		if (adapters[i].id == p)
			return &adapters[i];
	return NULL;
}

/* Exact, case-sensitive match against the table; *out is written only on
 * success. */
int
sms_provider_parse(const char *name, enum sms_provider *out)
{
	size_t i; /* table index */

	if (name == NULL || out == NULL)
		return -1;
	for (i = 0; i < NADAPTERS; i++) {
		if (strcmp(name, adapters[i].name) == 0) {
			*out = adapters[i].id;
			return 0;
		}
	}
	return -1;
}

/* Zeroes all of r that may hold a secret (URL, headers, basic-auth pair, body
 * bytes) and empties the body, whose allocation stays with the caller. */
static void
request_wipe(struct sms_request *r)
{
	explicit_bzero(r->url, sizeof r->url);
	explicit_bzero(r->headers, sizeof r->headers);
	explicit_bzero(r->userpwd, sizeof r->userpwd);
	if (r->body.data != NULL)
		explicit_bzero(r->body.data, r->body.cap);
	r->nheaders = 0;
	buf_reset(&r->body);
}

/* Checks the inputs every adapter shares, then runs the provider's adapter.
 * On failure r is wiped, so no partial request (or secret) is left. */
int
sms_build(const struct sms_conf *c, const char *to, const char *message,
    struct sms_request *r)
{
	const struct sms_adapter *a; /* the configured provider */

	if (r == NULL)
		return -1;
	request_wipe(r);
	if (c == NULL || to == NULL || !val_phone(to, strlen(to)) ||
	    !set(message) || (a = adapter_of(c->provider)) == NULL)
		return -1;
	if (a->build(c, to, message, r) != 0 || r->body.err) {
		request_wipe(r);
		return -1;
	}
	return 0;
}

/* Writes a formatted reason into err[0..errn) when there is room. */
static void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t errn, const char *fmt, ...)
{
	va_list ap; /* format arguments */

	if (err == NULL || errn == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errn, fmt, ap);
	va_end(ap);
}

/* libcurl write callback: the answer body is read and dropped (it may echo
 * the message, so it is never logged). */
static size_t
discard(char *p, size_t size, size_t nmemb, void *ud)
{
	(void)p, (void)ud;
	return size * nmemb;
}

/* Sets every option of one POST on h (CURLOPT_PROTOCOLS_STR needs libcurl
 * 7.85). Returns 0, or -1 when libcurl refuses one. */
static int
curl_setup(CURL *h, const struct sms_request *r, struct curl_slist *hl,
    long timeout)
{
	int ok = 1; /* stays 1 while every option is accepted */

	ok = ok && curl_easy_setopt(h, CURLOPT_URL, r->url) == CURLE_OK;
	ok = ok && curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR,
	    "http,https") == CURLE_OK;
	ok = ok && curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR,
	    "http,https") == CURLE_OK;
	ok = ok && curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
	ok = ok && curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
	ok = ok && curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout) == CURLE_OK;
	ok = ok && curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
	    timeout < SMS_CONNECT_MAX ? timeout : (long)SMS_CONNECT_MAX) == CURLE_OK;
	ok = ok && curl_easy_setopt(h, CURLOPT_USERAGENT, "latchkey") == CURLE_OK;
	ok = ok && curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl) == CURLE_OK;
	ok = ok && curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE,
	    (long)r->body.len) == CURLE_OK;
	ok = ok && curl_easy_setopt(h, CURLOPT_POSTFIELDS,
	    r->body.data != NULL ? r->body.data : "") == CURLE_OK;
	ok = ok && curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard) == CURLE_OK;
	if (ok && r->userpwd[0] != '\0') {
		ok = curl_easy_setopt(h, CURLOPT_HTTPAUTH,
		    (long)CURLAUTH_BASIC) == CURLE_OK;
		ok = ok && curl_easy_setopt(h, CURLOPT_USERPWD, r->userpwd) == CURLE_OK;
	}
	return ok ? 0 : -1;
}

/* Returns the libcurl list of r's header lines plus an empty "Expect:" (no
 * 100-continue wait), or NULL; the caller frees it with slist_wipe_free(). */
static struct curl_slist *
header_list(const struct sms_request *r)
{
	struct curl_slist *hl = NULL, *t; /* list; new head */
	int i;                            /* header index */

	for (i = 0; i < r->nheaders; i++) {
		if ((t = curl_slist_append(hl, r->headers[i])) == NULL)
			goto fail;
		hl = t;
	}
	if ((t = curl_slist_append(hl, "Expect:")) == NULL)
		goto fail;
	return t;
fail:
	curl_slist_free_all(hl);
	return NULL;
}

/* Zeroes the copied header lines (they may hold an API key), then frees. */
static void
slist_wipe_free(struct curl_slist *hl)
{
	struct curl_slist *t; /* cursor */

	for (t = hl; t != NULL; t = t->next)
		explicit_bzero(t->data, strlen(t->data));
	curl_slist_free_all(hl);
}

/* Runs one request. An invalid recipient or an empty message is permanent;
 * a configuration that cannot build a request is temporary (an admin can fix
 * it while the message waits). The caller is expected to have called
 * curl_global_init() once at start-up. */
int
sms_send(const struct sms_conf *c, const char *to, const char *message,
    char *err, size_t errn, int *permanent)
{
	struct sms_request r;                /* the request, wiped before return */
	const struct sms_adapter *a = NULL;  /* provider, for error texts */
	struct curl_slist *hl = NULL;        /* header list (owned) */
	CURL *h = NULL;                      /* easy handle (owned) */
	CURLcode cc;                         /* transfer result */
	long code = 0;                       /* HTTP status */
	long timeout;                        /* whole-request timeout, seconds */
	int rc = -1, perm = 0;               /* result; permanent flag */

	memset(&r, 0, sizeof r);
	buf_init(&r.body, SMS_BODY_MAX);
	set_err(err, errn, "%s", "");
	if (c != NULL)
		a = adapter_of(c->provider);
	if (to == NULL || !val_phone(to, strlen(to)) || !set(message)) {
		perm = 1;
		set_err(err, errn, "sms: invalid recipient or empty message");
		goto out;
	}
	if (a == NULL || sms_build(c, to, message, &r) != 0) {
		set_err(err, errn, "sms %s: incomplete or invalid configuration",
		    a != NULL ? a->name : "none");
		goto out;
	}
	timeout = c->timeout_s > 0 ? c->timeout_s : SMS_TIMEOUT_DEFAULT;
	if ((hl = header_list(&r)) == NULL || (h = curl_easy_init()) == NULL ||
	    curl_setup(h, &r, hl, timeout) != 0) {
		set_err(err, errn, "sms %s: cannot set up the request", a->name);
		goto out;
	}
	if ((cc = curl_easy_perform(h)) != CURLE_OK) {
		set_err(err, errn, "sms %s: %s", a->name, curl_easy_strerror(cc));
		goto out;
	}
	if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK)
		code = 0;
	if (code >= 200 && code <= 299) {
		rc = 0;
		goto out;
	}
	perm = code >= 400 && code <= 499 && code != 408 && code != 429;
	set_err(err, errn, "sms %s: HTTP %ld", a->name, code);
out:
	if (h != NULL)
		curl_easy_cleanup(h);
	slist_wipe_free(hl);
	request_wipe(&r);
	buf_free(&r.body);
	if (permanent != NULL)
		*permanent = perm;
	return rc;
}
