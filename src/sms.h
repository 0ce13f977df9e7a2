/* sms.h: SMS delivery through provider adapters over HTTPS (libcurl):
 * Twilio, Vonage, Textmagic, Telesign, MSG91, and a generic JSON webhook
 * (POST {"from","to","message"}). Building the request is a pure function
 * (tested per adapter); sending runs it. */
#ifndef LK_SMS_H
#define LK_SMS_H

#include <stddef.h>

#include "buf.h"

enum sms_provider {
	SMS_NONE,      /* not configured */
	SMS_WEBHOOK,   /* generic JSON webhook: url */
	SMS_TWILIO,    /* user = account SID, secret = auth token */
	SMS_VONAGE,    /* user = API key, secret = API secret */
	SMS_TEXTMAGIC, /* user = username, secret = API key */
	SMS_TELESIGN,  /* user = customer ID, secret = API key */
	SMS_MSG91      /* user = sender ID, secret = auth key, template = flow/template id */
};

struct sms_conf {
	enum sms_provider provider; /* which adapter */
	const char *from;           /* sender number or name */
	const char *user;           /* see enum sms_provider */
	const char *secret;         /* see enum sms_provider */
	const char *template_id;    /* MSG91 only */
	const char *url;            /* webhook URL; for the others, an optional base URL override (tests) */
	int timeout_s;              /* 0 = 15 */
};

#define SMS_MAX_HEADERS 6

/* One HTTP request an adapter wants sent. */
struct sms_request {
	char url[1024];                        /* full URL */
	char headers[SMS_MAX_HEADERS][512];    /* "Name: value" lines */
	int nheaders;                          /* how many */
	char userpwd[512];                     /* basic auth "user:secret", "" = none */
	struct buf body;                       /* request body (caller inits/frees) */
};

/* Parses a provider name: "webhook", "twilio", "vonage", "textmagic",
 * "telesign", "msg91". Returns 0 or -1. */
int sms_provider_parse(const char *name, enum sms_provider *out);
/* Fills r (body already buf_init'ed by the caller) for sending message to
 * the E.164 number `to`. Returns 0, or -1 when the configuration is
 * incomplete or a value does not fit. */
int sms_build(const struct sms_conf *c, const char *to, const char *message,
    struct sms_request *r);
/* Sends; 0 on a 2xx answer, else -1 with a short reason (no secrets) and
 * *permanent = 1 for 4xx answers other than 408/429. */
int sms_send(const struct sms_conf *c, const char *to, const char *message,
    char *err, size_t errn, int *permanent);

#endif
