/* config.h: the daemon's configuration: one declarative table (config.c),
 * read from a key=value file and overridden by LATCHKEY_<KEY> environment
 * variables, validated before anything is served. */
#ifndef LK_CONFIG_H
#define LK_CONFIG_H

#include <stddef.h>

struct config {
	char *listen;          /* unix socket path or 127.0.0.1:port; NULL = inherit fd 0 */
	long socket_mode;      /* permissions of a unix socket we create */
	long workers;          /* prefork worker count */
	long max_requests;     /* recycle a worker after this many requests */
	char *db_host;         /* MariaDB host (NULL with db_socket) */
	long db_port;          /* MariaDB port */
	char *db_socket;       /* MariaDB unix socket */
	char *db_user;         /* MariaDB user */
	char *db_password;     /* MariaDB password (secret) */
	char *db_name;         /* database name */
	char *secret_key;      /* HMAC/JWT key, >= 32 chars (secret) */
	char *enc_key;         /* encryption key, >= 32 chars (secret) */
	long abuse;            /* 1: rate limits on */
	char *user;            /* drop privileges to this user when root */
	long argon2_memory;    /* KiB */
	long argon2_time;      /* passes */
	long argon2_threads;   /* lanes */
	char *trusted_proxies; /* comma-separated IPs whose X-Forwarded-For we read */
	char *pidfile;         /* master pid file, NULL for none */
	char *schema_dir;      /* migrations directory */
	char *password_dictionary; /* common-password lists (one per line), comma-separated */
	char *smtp_host;       /* server-wide SMTP host, "" = no mail */
	long smtp_port;        /* 0 = default for the TLS mode */
	char *smtp_tls;        /* none, starttls or tls */
	char *smtp_username;   /* AUTH user */
	char *smtp_password;   /* AUTH password (secret) */
	char *smtp_sender_email; /* From address */
	char *smtp_sender_name;  /* From name */
	char *smtp_reply_to;   /* Reply-To, "" = none */
	char *sms_provider;    /* server-wide SMS provider, "" = none */
	char *sms_from;        /* sender */
	char *sms_user;        /* provider account/user */
	char *sms_secret;      /* provider secret */
	char *sms_template_id; /* MSG91 template */
	char *sms_url;         /* webhook URL / base URL override */
	char *sms_webhook;     /* shorthand: provider webhook with this URL */
	long delivery;         /* 1: run the delivery process */
	char *public_endpoint; /* the API's public URL, e.g. https://auth.example.com/v1
	                        * (SECURITY.md 19: every URL we build starts here) */
	long recovery_ttl;     /* password recovery link lifetime, seconds */
	long verification_ttl; /* email and phone verification lifetime, seconds */
	long magic_url_ttl;    /* magic-URL link lifetime, seconds */
	long otp_ttl;          /* email and phone one-time code lifetime, seconds */
	long mfa_fresh;        /* a challenge this recent counts for MFA-protected routes */
	long mfa_challenge_ttl; /* an MFA challenge can be completed this long, seconds */

	/* derived from public_endpoint when it is loaded */
	char public_origin[300]; /* scheme://host[:port], lower-case scheme */
	char public_host[256];   /* host, without brackets for IPv6 */
};

extern struct config cfg;

/* Loads defaults, then file (may be NULL), then the environment. Returns 0,
 * or -1 with a message in err. */
int config_load(const char *file, char *err, size_t errn);
struct db_conf;
/* Fills the MariaDB connection parameters from cfg (pointers into cfg). */
void config_db_conf(struct db_conf *out);
/* Frees the configuration's strings and zeroes it. */
void config_free(void);
/* Returns 1 when ip is in trusted_proxies. */
int config_trusted_proxy(const char *ip);

#endif
