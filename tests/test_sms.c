/* test_sms.c: check suite for src/sms.c. Tables of exact request shapes per
 * adapter (URL, header lines, basic-auth pair, body bytes) with and without
 * a base URL override; percent-encoding of awkward messages; JSON escaping
 * in the webhook body; refused configurations and CR/LF injection; provider
 * names. sms_send is proven against a one-request HTTP sink forked by the
 * test on 127.0.0.1 (random port) that records the request it got and
 * answers with the status the row asks for. */
#include <check.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "check_run.h"
#include "buf.h"
#include "sms.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define BODY_MAX (16 * 1024) /* body cap the tests give sms_build */
#define SINK_MAX (32 * 1024) /* request bytes the sink records */
#define TO "+15551234567"    /* recipient of every row unless stated */
#define MSG "Your code is 123456"
#define MSG_ENC "Your%20code%20is%20123456"
#define FORM "Content-Type: application/x-www-form-urlencoded"
#define JSON "Content-Type: application/json"

/* Builds c/to/msg into *r (body freshly initialised with BODY_MAX); returns
 * sms_build's result. The caller frees r->body. */
static int
build(const struct sms_conf *c, const char *to, const char *msg,
    struct sms_request *r)
{
	memset(r, 0x5a, sizeof *r); /* garbage: sms_build must reset all */
	buf_init(&r->body, BODY_MAX);
	return sms_build(c, to, msg, r);
}

/* Returns 1 when p[0..n) is all zero bytes. */
static int
all_zero(const void *p, size_t n)
{
	const unsigned char *c = p; /* byte cursor */

	while (n > 0 && *c == 0)
		c++, n--;
	return n == 0;
}

/* Asserts that r holds nothing, not even stale bytes of an earlier request
 * (URL, header lines, basic-auth pair, body allocation): the state after a
 * refused build. */
static void
assert_empty(const struct sms_request *r)
{
	ck_assert(all_zero(r->url, sizeof r->url));
	ck_assert(all_zero(r->headers, sizeof r->headers));
	ck_assert(all_zero(r->userpwd, sizeof r->userpwd));
	ck_assert_int_eq(r->nheaders, 0);
	ck_assert_uint_eq(r->body.len, 0);
	ck_assert_int_eq(r->body.err, 0);
	if (r->body.data != NULL)
		ck_assert(all_zero(r->body.data, r->body.cap));
}

/* ---- Exact request shapes ---- */

/* One adapter row: input and the complete request expected. */
struct shape {
	const char *what;                      /* row label */
	struct sms_conf conf;                  /* configuration */
	const char *url;                       /* expected URL */
	const char *headers[SMS_MAX_HEADERS + 1]; /* expected lines, NULL-ended */
	const char *userpwd;                   /* expected basic-auth pair */
	const char *body;                      /* expected body bytes */
};

static const struct shape shapes[] = {
	{ "twilio",
	  { .provider = SMS_TWILIO, .from = "+15550001111", .user = "AC123",
	    .secret = "tok" },
	  "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json",
	  { FORM }, "AC123:tok",
	  "From=%2B15550001111&To=%2B15551234567&Body=" MSG_ENC },
	{ "vonage",
	  { .provider = SMS_VONAGE, .from = "Latchkey", .user = "key1",
	    .secret = "sec/1+" },
	  "https://rest.nexmo.com/sms/json", { FORM }, "",
	  "api_key=key1&api_secret=sec%2F1%2B&from=Latchkey&to=15551234567"
	  "&text=" MSG_ENC },
	{ "textmagic",
	  { .provider = SMS_TEXTMAGIC, .from = "+15550001111", .user = "bob",
	    .secret = "tmkey" },
	  "https://rest.textmagic.com/api/v2/messages",
	  { "X-TM-Username: bob", "X-TM-Key: tmkey", FORM }, "",
	  "text=" MSG_ENC "&phones=15551234567&from=15550001111" },
	{ "textmagic without from",
	  { .provider = SMS_TEXTMAGIC, .user = "bob", .secret = "tmkey" },
	  "https://rest.textmagic.com/api/v2/messages",
	  { "X-TM-Username: bob", "X-TM-Key: tmkey", FORM }, "",
	  "text=" MSG_ENC "&phones=15551234567" },
	{ "telesign",
	  { .provider = SMS_TELESIGN, .from = "ignored", .user = "CUST-1",
	    .secret = "a2V5==" },
	  "https://rest-api.telesign.com/v1/messaging", { FORM },
	  "CUST-1:a2V5==",
	  "phone_number=15551234567&message=" MSG_ENC "&message_type=OTP" },
	{ "msg91",
	  { .provider = SMS_MSG91, .user = "LTCHKY", .secret = "authk",
	    .template_id = "tmpl-1" },
	  "https://control.msg91.com/api/v5/flow/",
	  { "authkey: authk", JSON }, "",
	  "{\"template_id\":\"tmpl-1\",\"sender\":\"LTCHKY\",\"recipients\":"
	  "[{\"mobiles\":\"15551234567\",\"content\":\"" MSG "\",\"otp\":\""
	  MSG "\"}]}" },
	{ "msg91 without sender",
	  { .provider = SMS_MSG91, .secret = "authk", .template_id = "t\"2" },
	  "https://control.msg91.com/api/v5/flow/",
	  { "authkey: authk", JSON }, "",
	  "{\"template_id\":\"t\\\"2\",\"recipients\":[{\"mobiles\":"
	  "\"15551234567\",\"content\":\"" MSG "\",\"otp\":\"" MSG "\"}]}" },
	{ "webhook",
	  { .provider = SMS_WEBHOOK, .from = "+15550001111",
	    .url = "https://sink.example/sms?k=1", .secret = "unused" },
	  "https://sink.example/sms?k=1", { JSON }, "",
	  "{\"from\":\"+15550001111\",\"to\":\"" TO "\",\"message\":\"" MSG
	  "\"}" },
	{ "webhook without from",
	  { .provider = SMS_WEBHOOK, .url = "http://127.0.0.1:9/" },
	  "http://127.0.0.1:9/", { JSON }, "",
	  "{\"from\":\"\",\"to\":\"" TO "\",\"message\":\"" MSG "\"}" },
	/* base URL overrides */
	{ "twilio override",
	  { .provider = SMS_TWILIO, .from = "+15550001111", .user = "AC123",
	    .secret = "tok", .url = "http://127.0.0.1:8080" },
	  "http://127.0.0.1:8080/2010-04-01/Accounts/AC123/Messages.json",
	  { FORM }, "AC123:tok",
	  "From=%2B15550001111&To=%2B15551234567&Body=" MSG_ENC },
	{ "twilio SID is a path segment",
	  { .provider = SMS_TWILIO, .from = "X", .user = "AC 1/../x?",
	    .secret = "t" },
	  "https://api.twilio.com/2010-04-01/Accounts/AC%201%2F..%2Fx%3F"
	  "/Messages.json",
	  { FORM }, "AC 1/../x?:t", "From=X&To=%2B15551234567&Body=" MSG_ENC },
	{ "vonage override, trailing slash",
	  { .provider = SMS_VONAGE, .from = "L", .user = "k", .secret = "s",
	    .url = "http://127.0.0.1:8080/" },
	  "http://127.0.0.1:8080/sms/json", { FORM }, "",
	  "api_key=k&api_secret=s&from=L&to=15551234567&text=" MSG_ENC },
	{ "textmagic override with a path prefix",
	  { .provider = SMS_TEXTMAGIC, .user = "bob", .secret = "tmkey",
	    .url = "https://mock.test/prefix//" },
	  "https://mock.test/prefix/api/v2/messages",
	  { "X-TM-Username: bob", "X-TM-Key: tmkey", FORM }, "",
	  "text=" MSG_ENC "&phones=15551234567" },
	{ "telesign enterprise host",
	  { .provider = SMS_TELESIGN, .user = "C", .secret = "K",
	    .url = "https://rest-ww.telesign.com" },
	  "https://rest-ww.telesign.com/v1/messaging", { FORM }, "C:K",
	  "phone_number=15551234567&message=" MSG_ENC "&message_type=OTP" },
	{ "msg91 override, IPv6 literal",
	  { .provider = SMS_MSG91, .secret = "a", .template_id = "t",
	    .url = "HTTP://[::1]:9000" },
	  "HTTP://[::1]:9000/api/v5/flow/", { "authkey: a", JSON }, "",
	  "{\"template_id\":\"t\",\"recipients\":[{\"mobiles\":\"15551234567\","
	  "\"content\":\"" MSG "\",\"otp\":\"" MSG "\"}]}" },
};

/* Each shapes row: the request equals the row byte for byte. */
START_TEST(test_shape)
{
	const struct shape *s = &shapes[_i];
	struct sms_request r; /* built request */
	int n;                /* expected header count */

	ck_assert_msg(build(&s->conf, TO, MSG, &r) == 0, "%s: refused",
	    s->what);
	ck_assert_str_eq(r.url, s->url);
	for (n = 0; s->headers[n] != NULL; n++) {
		ck_assert_int_lt(n, r.nheaders);
		ck_assert_str_eq(r.headers[n], s->headers[n]);
	}
	ck_assert_msg(r.nheaders == n, "%s: %d headers", s->what, r.nheaders);
	ck_assert_str_eq(r.userpwd, s->userpwd);
	ck_assert_ptr_nonnull(r.body.data);
	ck_assert_uint_eq(r.body.len, strlen(s->body));
	ck_assert_str_eq(r.body.data, s->body);
	buf_free(&r.body);
}
END_TEST

/* ---- Percent-encoding of form values ---- */

/* One message and its encoding. */
struct enc {
	const char *msg; /* message text */
	const char *enc; /* expected form value */
};

static const struct enc encs[] = {
	{ "a b", "a%20b" },
	{ "a&b=c+d", "a%26b%3Dc%2Bd" },
	{ "&message_type=MKT", "%26message_type%3DMKT" },
	{ "-._~AZaz09", "-._~AZaz09" },
	{ "100%", "100%25" },
	{ "%41", "%2541" },
	{ "Gr\xc3\xbc\xc3\x9f" "e \xe2\x9c\x93 \xf0\x9f\x98\x80",
	  "Gr%C3%BC%C3%9Fe%20%E2%9C%93%20%F0%9F%98%80" },
	{ "line1\nline2\r\n", "line1%0Aline2%0D%0A" },
	{ "tab\there\x01\x7f\xff", "tab%09here%01%7F%FF" },
	{ "/?#[]@!$'()*,;:\"<>\\^`{|}",
	  "%2F%3F%23%5B%5D%40%21%24%27%28%29%2A%2C%3B%3A%22%3C%3E%5C%5E%60"
	  "%7B%7C%7D" },
};

/* Each encs row, through the Telesign body and the Twilio body. */
START_TEST(test_encoding)
{
	const struct enc *e = &encs[_i];
	struct sms_conf ts = { .provider = SMS_TELESIGN, .user = "C",
	    .secret = "K" };     /* Telesign configuration */
	struct sms_conf tw = { .provider = SMS_TWILIO, .user = "A",
	    .secret = "B", .from = e->msg }; /* Twilio, message as sender too */
	struct sms_request r;    /* built request */
	char want[512];          /* expected body */

	ck_assert_int_eq(build(&ts, TO, e->msg, &r), 0);
	snprintf(want, sizeof want,
	    "phone_number=15551234567&message=%s&message_type=OTP", e->enc);
	ck_assert_str_eq(r.body.data, want);
	buf_free(&r.body);

	ck_assert_int_eq(build(&tw, TO, e->msg, &r), 0);
	snprintf(want, sizeof want, "From=%s&To=%%2B15551234567&Body=%s",
	    e->enc, e->enc);
	ck_assert_str_eq(r.body.data, want);
	buf_free(&r.body);
}
END_TEST

/* ---- JSON escaping in the webhook body ---- */

static const struct enc jsons[] = {
	{ "say \"hi\"", "say \\\"hi\\\"" },
	{ "C:\\path\\", "C:\\\\path\\\\" },
	{ "\x01\x1f\t\n\r\b\f", "\\u0001\\u001f\\t\\n\\r\\u0008\\u000c" },
	{ "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80",
	  "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80" },
	{ "bad \xff utf8 \xc3", "bad \xef\xbf\xbd utf8 \xef\xbf\xbd" },
	{ "\"},\"to\":\"+1999", "\\\"},\\\"to\\\":\\\"+1999" },
	{ "</script> & = +", "</script> & = +" },
};

/* Each jsons row: the message escaped; from escaped the same way. */
START_TEST(test_json_escape)
{
	const struct enc *e = &jsons[_i];
	struct sms_conf c = { .provider = SMS_WEBHOOK, .url = "http://h/x",
	    .from = e->msg };     /* message as sender too */
	struct sms_request r;    /* built request */
	char want[512];          /* expected body */

	ck_assert_int_eq(build(&c, TO, e->msg, &r), 0);
	snprintf(want, sizeof want,
	    "{\"from\":\"%s\",\"to\":\"" TO "\",\"message\":\"%s\"}", e->enc,
	    e->enc);
	ck_assert_str_eq(r.body.data, want);
	buf_free(&r.body);
}
END_TEST

/* ---- Refusals ---- */

/* One input sms_build must refuse. */
struct refusal {
	const char *what;      /* row label */
	struct sms_conf conf;  /* configuration */
	const char *to;        /* recipient */
	const char *msg;       /* message */
};

/* Twilio and Textmagic configurations with every field spelled out. */
#define TWC(f, u, s, b) { .provider = SMS_TWILIO, .from = (f), .user = (u), \
	.secret = (s), .url = (b) }
#define TW TWC("+15550001111", "AC1", "tok", NULL)
#define TMC(u, s, b) { .provider = SMS_TEXTMAGIC, .user = (u), .secret = (s), \
	.url = (b) }

static const struct refusal refusals[] = {
	{ "no provider", { .provider = SMS_NONE, .url = "http://h/" }, TO, MSG },
	{ "unknown provider", { .provider = (enum sms_provider)42,
	  .user = "u", .secret = "s", .url = "http://h/" }, TO, MSG },
	{ "twilio no secret", TWC("+15550001111", "AC1", NULL, NULL), TO, MSG },
	{ "twilio empty secret", TWC("+15550001111", "AC1", "", NULL), TO, MSG },
	{ "twilio no sid", TWC("+15550001111", NULL, "tok", NULL), TO, MSG },
	{ "twilio no from", TWC("", "AC1", "tok", NULL), TO, MSG },
	{ "vonage no secret", { .provider = SMS_VONAGE, .from = "L",
	  .user = "k" }, TO, MSG },
	{ "vonage no from", { .provider = SMS_VONAGE, .user = "k",
	  .secret = "s" }, TO, MSG },
	{ "textmagic no user", TMC(NULL, "key", NULL), TO, MSG },
	{ "textmagic no key", TMC("bob", NULL, NULL), TO, MSG },
	{ "telesign no key", { .provider = SMS_TELESIGN, .user = "c" }, TO, MSG },
	{ "telesign no customer", { .provider = SMS_TELESIGN, .secret = "k" },
	  TO, MSG },
	{ "msg91 no template", { .provider = SMS_MSG91, .secret = "k" }, TO, MSG },
	{ "msg91 no authkey", { .provider = SMS_MSG91, .template_id = "t" },
	  TO, MSG },
	{ "webhook no url", { .provider = SMS_WEBHOOK, .from = "x" }, TO, MSG },
	{ "webhook empty url", { .provider = SMS_WEBHOOK, .url = "" }, TO, MSG },
	{ "webhook ftp url", { .provider = SMS_WEBHOOK, .url = "ftp://h/x" },
	  TO, MSG },
	{ "webhook file url", { .provider = SMS_WEBHOOK, .url = "file:///etc" },
	  TO, MSG },
	{ "webhook relative url", { .provider = SMS_WEBHOOK, .url = "/sms" },
	  TO, MSG },
	{ "webhook url with space", { .provider = SMS_WEBHOOK,
	  .url = "http://h/a b" }, TO, MSG },
	{ "webhook url with CRLF", { .provider = SMS_WEBHOOK,
	  .url = "http://h/\r\nX: y" }, TO, MSG },
	{ "override ftp", TWC("+1", "AC1", "tok", "ftp://127.0.0.1"), TO, MSG },
	{ "override gopher", TMC("bob", "key", "gopher://h"), TO, MSG },
	{ "override with query", TWC("+1", "AC1", "tok", "http://h/?x=1"), TO, MSG },
	{ "override with fragment", TMC("bob", "key", "http://h/#f"), TO, MSG },
	{ "override not a url", TWC("+1", "AC1", "tok", "api.twilio.com"), TO, MSG },
	/* header and basic-auth injection */
	{ "CRLF in textmagic user", TMC("bob\r\nX-Evil: 1", "key", NULL), TO, MSG },
	{ "LF in textmagic key", TMC("bob", "key\nX-Evil: 1", NULL), TO, MSG },
	{ "CR in textmagic key", TMC("bob", "key\rX", NULL), TO, MSG },
	{ "DEL in textmagic key", TMC("bob", "key\x7f", NULL), TO, MSG },
	{ "CRLF in msg91 authkey", { .provider = SMS_MSG91,
	  .secret = "k\r\nHost: evil", .template_id = "t" }, TO, MSG },
	{ "CRLF in twilio token", TWC("+1", "AC1", "tok\r\nX: y", NULL), TO, MSG },
	{ "colon in twilio sid", TWC("+1", "AC1:x", "tok", NULL), TO, MSG },
	{ "LF in telesign customer", { .provider = SMS_TELESIGN,
	  .user = "c\n", .secret = "k" }, TO, MSG },
	/* recipient and message */
	{ "no recipient", TW, NULL, MSG },
	{ "recipient without +", TW, "15551234567", MSG },
	{ "recipient +0", TW, "+05551234567", MSG },
	{ "recipient too short", TW, "+123456", MSG },
	{ "recipient too long", TW, "+1234567890123456", MSG },
	{ "recipient with CRLF", TW, "+15551234567\r\n", MSG },
	{ "webhook bad recipient", { .provider = SMS_WEBHOOK,
	  .url = "http://h/" }, "+1555abc4567", MSG },
	{ "no message", TW, TO, NULL },
	{ "empty message", TW, TO, "" },
};

/* Each refusals row: -1 and an empty request. */
START_TEST(test_refusal)
{
	const struct refusal *f = &refusals[_i];
	struct sms_request r; /* request under test */

	ck_assert_msg(build(&f->conf, f->to, f->msg, &r) == -1,
	    "%s: accepted", f->what);
	assert_empty(&r);
	buf_free(&r.body);
}
END_TEST

/* NULL arguments and values that do not fit are refused; a refused build
 * wipes what an earlier build left in the same request. */
START_TEST(test_limits)
{
	struct sms_conf tw = TW; /* valid Twilio configuration */
	struct sms_conf c;         /* variant under test */
	struct sms_request r;      /* request under test */
	char big[1200];            /* oversized value */

	ck_assert_int_eq(sms_build(&tw, TO, MSG, NULL), -1);
	ck_assert_int_eq(build(NULL, TO, MSG, &r), -1);
	assert_empty(&r);

	/* a good build, then a refused one into the same request */
	ck_assert_int_eq(sms_build(&tw, TO, MSG, &r), 0);
	ck_assert_str_ne(r.userpwd, "");
	c = tw;
	c.secret = NULL;
	ck_assert_int_eq(sms_build(&c, TO, MSG, &r), -1);
	assert_empty(&r);
	buf_free(&r.body);

	/* body over the caller's cap */
	memset(&r, 0, sizeof r);
	buf_init(&r.body, 32);
	ck_assert_int_eq(sms_build(&tw, TO, MSG, &r), -1);
	assert_empty(&r);
	buf_free(&r.body);

	/* webhook URL of 1023 bytes fits, 1024 does not */
	memset(big, 'a', sizeof big);
	memcpy(big, "http://h/", 9);
	c = (struct sms_conf){ .provider = SMS_WEBHOOK, .url = big };
	big[sizeof r.url - 1] = '\0';
	ck_assert_int_eq(build(&c, TO, MSG, &r), 0);
	ck_assert_uint_eq(strlen(r.url), sizeof r.url - 1);
	buf_free(&r.body);
	big[sizeof r.url - 1] = 'a';
	big[sizeof r.url] = '\0';
	ck_assert_int_eq(build(&c, TO, MSG, &r), -1);
	buf_free(&r.body);

	/* base override that pushes the URL over the cap */
	c = tw;
	c.url = big;
	ck_assert_int_eq(build(&c, TO, MSG, &r), -1);
	buf_free(&r.body);

	/* header line over 511 bytes */
	memset(big, 'k', 600);
	big[600] = '\0';
	c = (struct sms_conf)TMC("bob", big, NULL);
	ck_assert_int_eq(build(&c, TO, MSG, &r), -1);
	buf_free(&r.body);
	/* basic-auth pair over 511 bytes */
	c = tw;
	c.secret = big;
	ck_assert_int_eq(build(&c, TO, MSG, &r), -1);
	buf_free(&r.body);
}
END_TEST

/* ---- Provider names ---- */

/* One name and its parse result. */
struct pname {
	const char *name;        /* input */
	int rc;                  /* expected return */
	enum sms_provider want;  /* expected value when rc == 0 */
};

static const struct pname pnames[] = {
	{ "webhook", 0, SMS_WEBHOOK },
	{ "twilio", 0, SMS_TWILIO },
	{ "vonage", 0, SMS_VONAGE },
	{ "textmagic", 0, SMS_TEXTMAGIC },
	{ "telesign", 0, SMS_TELESIGN },
	{ "msg91", 0, SMS_MSG91 },
	{ NULL, -1, SMS_NONE },
	{ "", -1, SMS_NONE },
	{ "none", -1, SMS_NONE },
	{ "Twilio", -1, SMS_NONE },
	{ "twilio ", -1, SMS_NONE },
	{ "twili", -1, SMS_NONE },
	{ "nexmo", -1, SMS_NONE },
	{ "msg91\n", -1, SMS_NONE },
};

/* Each pnames row; *out is untouched on failure. */
START_TEST(test_provider_parse)
{
	const struct pname *p = &pnames[_i];
	enum sms_provider out = (enum sms_provider)77; /* sentinel */

	ck_assert_int_eq(sms_provider_parse(p->name, &out), p->rc);
	if (p->rc == 0)
		ck_assert_int_eq(out, p->want);
	else
		ck_assert_int_eq(out, 77);
	if (p->name != NULL)
		ck_assert_int_eq(sms_provider_parse(p->name, NULL), -1);
}
END_TEST

/* ---- sms_send against a local sink ---- */

/* A forked one-request HTTP server. */
struct sink {
	pid_t pid;  /* the child */
	int rd;     /* read end of the pipe carrying the recorded request */
	int port;   /* its port on 127.0.0.1 */
};

/* Returns a TCP socket bound to 127.0.0.1 on a free port (listening when
 * do_listen) and stores the port. */
static int
local_socket(int *port, int do_listen)
{
	struct sockaddr_in a;      /* address */
	socklen_t n = sizeof a;    /* its size */
	int fd;                    /* the socket */

	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	if (do_listen)
		ck_assert_int_eq(listen(fd, 1), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &n), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* Writes all of p[0..n) to fd; returns 0 or -1. */
static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t k; /* bytes written by one call */

	while (n > 0) {
		if ((k = write(fd, p, n)) <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Returns the total request length (head + Content-Length) once req[0..n)
 * holds the whole head, else 0. */
static size_t
request_len(const char *req)
{
	const char *eoh = strstr(req, "\r\n\r\n");              /* head end */
	const char *cl = strstr(req, "\r\nContent-Length: ");   /* its header */
	size_t v = 0;                                           /* its value */

	if (eoh == NULL)
		return 0;
	if (cl != NULL && cl < eoh)
		for (cl += 18; *cl >= '0' && *cl <= '9' && v < SINK_MAX; cl++)
			v = v * 10 + (size_t)(*cl - '0');
	return (size_t)(eoh - req) + 4 + v;
}

/* The child: accepts one connection, reads one request, answers status
 * (0: never answers, reads until the client gives up), sends the request
 * bytes down the pipe and exits. Never returns. */
static void
sink_child(int lfd, int wr, int status)
{
	static char req[SINK_MAX]; /* the recorded request */
	char resp[128];            /* the answer */
	size_t len = 0, need = 0;  /* bytes read; bytes expected */
	ssize_t k;                 /* one read */
	int cfd, n;                /* connection; answer length */

	alarm(20);
	if ((cfd = accept(lfd, NULL, NULL)) < 0)
		_exit(2);
	while (len < sizeof req - 1 && (need == 0 || len < need)) {
		if ((k = read(cfd, req + len, sizeof req - 1 - len)) <= 0)
			break;
		len += (size_t)k;
		req[len] = '\0';
		need = request_len(req);
	}
	if (status == 0) {
		while (read(cfd, resp, sizeof resp) > 0)
			;
		_exit(0);
	}
	n = snprintf(resp, sizeof resp, "HTTP/1.1 %d Sink\r\nContent-Length: "
	    "2\r\nConnection: close\r\n\r\nok", status);
	if (write_all(cfd, resp, (size_t)n) != 0 || write_all(wr, req, len) != 0)
		_exit(3);
	close(cfd);
	_exit(0);
}

/* Starts a sink answering status. */
static void
sink_start(struct sink *s, int status)
{
	int p[2];  /* pipe: child writes the request, parent reads */
	int lfd;   /* listening socket */

	lfd = local_socket(&s->port, 1);
	ck_assert_int_eq(pipe(p), 0);
	s->pid = fork();
	ck_assert_int_ge(s->pid, 0);
	if (s->pid == 0) {
		close(p[0]);
		sink_child(lfd, p[1], status);
	}
	close(p[1]);
	close(lfd);
	s->rd = p[0];
}

/* Collects the request the sink recorded into out (NUL-terminated) and
 * reaps the child, which must have exited 0. */
static void
sink_finish(struct sink *s, char *out, size_t cap)
{
	size_t len = 0; /* bytes collected */
	ssize_t k;      /* one read */
	int st;         /* child status */

	while (len < cap - 1 && (k = read(s->rd, out + len, cap - 1 - len)) > 0)
		len += (size_t)k;
	out[len] = '\0';
	close(s->rd);
	ck_assert_int_eq(waitpid(s->pid, &st, 0), s->pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "sink exited with status %d", st);
}

/* One answer of the sink and what sms_send must make of it. */
struct answer {
	int status;     /* HTTP status the sink sends */
	int rc;         /* expected sms_send result */
	int permanent;  /* expected *permanent */
};

static const struct answer answers[] = {
	{ 200, 0, 0 }, { 201, 0, 0 }, { 204, 0, 0 },
	{ 400, -1, 1 }, { 401, -1, 1 }, { 404, -1, 1 }, { 422, -1, 1 },
	{ 408, -1, 0 }, { 429, -1, 0 },
	{ 500, -1, 0 }, { 502, -1, 0 }, { 503, -1, 0 },
	{ 302, -1, 0 },
};

#define WEBHOOK_BODY "{\"from\":\"Latchkey\",\"to\":\"" TO \
	"\",\"message\":\"code: 123456 \\\"&\\\"\"}"

/* Each answers row: the webhook is posted with its JSON body, and the status
 * maps to success, temporary or permanent failure. */
START_TEST(test_send_status)
{
	const struct answer *a = &answers[_i];
	struct sink s;                   /* the sink */
	struct sms_conf c = { .provider = SMS_WEBHOOK, .from = "Latchkey",
	    .timeout_s = 10 };           /* webhook at the sink */
	static char req[SINK_MAX];       /* what the sink got */
	char url[64], err[128];          /* sink URL; reason */
	const char *body;                /* body inside req */
	int perm = -1;                   /* *permanent */

	sink_start(&s, a->status);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", s.port);
	c.url = url;
	ck_assert_int_eq(sms_send(&c, TO, "code: 123456 \"&\"", err, sizeof err,
	    &perm), a->rc);
	ck_assert_int_eq(perm, a->permanent);
	sink_finish(&s, req, sizeof req);
	if (a->rc == 0) {
		ck_assert_str_eq(err, "");
	} else {
		snprintf(url, sizeof url, "sms webhook: HTTP %d", a->status);
		ck_assert_str_eq(err, url);
	}
	ck_assert_msg(strncmp(req, "POST /hook HTTP/1.1\r\n", 21) == 0, "%s", req);
	ck_assert_ptr_nonnull(strstr(req, "\r\n" JSON "\r\n"));
	ck_assert_ptr_null(strstr(req, "\r\nExpect:"));
	ck_assert_ptr_null(strstr(req, "\r\nAuthorization:"));
	body = strstr(req, "\r\n\r\n");
	ck_assert_ptr_nonnull(body);
	ck_assert_str_eq(body + 4, WEBHOOK_BODY);
}
END_TEST

#define LINE "POST /2010-04-01/Accounts/AC123/Messages.json HTTP/1.1\r\n"

/* A provider adapter through the sink (base URL override): basic auth is
 * sent, and the error text holds neither the secret nor the message nor the
 * recipient. */
START_TEST(test_send_twilio)
{
	struct sink s;                      /* the sink */
	struct sms_conf c = TWC("+15550001111", "AC123", "tok-secret", NULL);
	static char req[SINK_MAX];          /* what the sink got */
	char url[64], err[128];             /* base URL; reason */
	int perm = -1;                      /* *permanent */

	sink_start(&s, 401);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", s.port);
	c.url = url;
	ck_assert_int_eq(sms_send(&c, TO, MSG, err, sizeof err, &perm), -1);
	ck_assert_int_eq(perm, 1);
	sink_finish(&s, req, sizeof req);
	ck_assert_str_eq(err, "sms twilio: HTTP 401");
	ck_assert_msg(strncmp(req, LINE, strlen(LINE)) == 0, "%s", req);
	ck_assert_ptr_nonnull(strstr(req,
	    "\r\nAuthorization: Basic QUMxMjM6dG9rLXNlY3JldA==\r\n"));
	ck_assert_ptr_nonnull(strstr(req, "\r\n" FORM "\r\n"));
	ck_assert_ptr_nonnull(strstr(req, "\r\n\r\nFrom=%2B15550001111&To="
	    "%2B15551234567&Body=" MSG_ENC));
}
END_TEST

/* A refused connection, a silent server and unusable input. */
START_TEST(test_send_failures)
{
	struct sms_conf c = { .provider = SMS_WEBHOOK, .timeout_s = 1 };
	struct sink s;              /* silent sink */
	static char req[SINK_MAX];  /* what the sink got */
	char url[64], err[128];     /* sink URL; reason */
	int fd, port, perm;         /* bound, not listening; its port; flag */

	/* bound but not listening: the connection is refused */
	fd = local_socket(&port, 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", port);
	c.url = url;
	perm = -1;
	ck_assert_int_eq(sms_send(&c, TO, MSG, err, sizeof err, &perm), -1);
	ck_assert_int_eq(perm, 0);
	ck_assert_msg(strncmp(err, "sms webhook: ", 13) == 0, "%s", err);
	close(fd);

	/* accepted, never answered: timeout, temporary */
	sink_start(&s, 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", s.port);
	perm = -1;
	ck_assert_int_eq(sms_send(&c, TO, MSG, err, sizeof err, &perm), -1);
	ck_assert_int_eq(perm, 0);
	ck_assert_ptr_null(strstr(err, "123456"));
	sink_finish(&s, req, sizeof req);

	/* bad recipient or message: permanent, nothing sent */
	perm = -1;
	ck_assert_int_eq(sms_send(&c, "5551234567", MSG, err, sizeof err,
	    &perm), -1);
	ck_assert_int_eq(perm, 1);
	perm = -1;
	ck_assert_int_eq(sms_send(&c, TO, "", err, sizeof err, &perm), -1);
	ck_assert_int_eq(perm, 1);

	/* incomplete configuration: temporary (an admin can fix it) */
	c = (struct sms_conf)TWC("+1", "AC1", NULL, NULL);
	perm = -1;
	ck_assert_int_eq(sms_send(&c, TO, MSG, err, sizeof err, &perm), -1);
	ck_assert_int_eq(perm, 0);
	ck_assert_str_eq(err, "sms twilio: incomplete or invalid configuration");
	ck_assert_int_eq(sms_send(NULL, TO, MSG, err, sizeof err, &perm), -1);
	ck_assert_int_eq(perm, 0);
	/* NULL err / permanent are allowed */
	ck_assert_int_eq(sms_send(&c, TO, MSG, NULL, 0, NULL), -1);
}
END_TEST

/* Builds the sms suite. */
static Suite *
sms_suite(void)
{
	Suite *s = suite_create("sms");
	TCase *tc;

	tc = check_tcase("build");
	tcase_add_loop_test(tc, test_shape, 0, NELEM(shapes));
	tcase_add_loop_test(tc, test_encoding, 0, NELEM(encs));
	tcase_add_loop_test(tc, test_json_escape, 0, NELEM(jsons));
	tcase_add_loop_test(tc, test_refusal, 0, NELEM(refusals));
	tcase_add_test(tc, test_limits);
	tcase_add_loop_test(tc, test_provider_parse, 0, NELEM(pnames));
	suite_add_tcase(s, tc);

	tc = check_tcase("send");
	tcase_add_loop_test(tc, test_send_status, 0, NELEM(answers));
	tcase_add_test(tc, test_send_twilio);
	tcase_add_test(tc, test_send_failures);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; exit status 1 when any test failed. */
int
main(void)
{
	int rc;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return EXIT_FAILURE;
	rc = check_run(sms_suite());
	curl_global_cleanup();
	return rc;
}
