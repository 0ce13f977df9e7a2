/* config.c: the configuration table and its loader (see config.h). */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "validate.h"

struct config cfg;

enum ctype { CT_STR, CT_INT, CT_OCT };

struct ckey {
	const char *name;  /* key in the file; env is LATCHKEY_<NAME> */
	enum ctype type;   /* value type */
	size_t off;        /* offset in struct config */
	long min, max;     /* range for numbers; min length for strings */
	const char *def;   /* default, NULL for none */
	int required;      /* 1: must be set */
};

#define O(f) offsetof(struct config, f)
static const struct ckey keys[] = {
	{ "listen",          CT_STR, O(listen),          0, 0, NULL, 0 },
	{ "socket_mode",     CT_OCT, O(socket_mode),     0, 0777, "0660", 0 },
	{ "workers",         CT_INT, O(workers),         0, 256, "0", 0 },
	{ "max_requests",    CT_INT, O(max_requests),    1, 100000000, "10000", 0 },
	{ "db_host",         CT_STR, O(db_host),         0, 0, NULL, 0 },
	{ "db_port",         CT_INT, O(db_port),         0, 65535, "0", 0 },
	{ "db_socket",       CT_STR, O(db_socket),       0, 0, NULL, 0 },
	{ "db_user",         CT_STR, O(db_user),         1, 0, "latchkey", 0 },
	{ "db_password",     CT_STR, O(db_password),     0, 0, "", 0 },
	{ "db_name",         CT_STR, O(db_name),         1, 0, "latchkey", 0 },
	{ "secret_key",      CT_STR, O(secret_key),      32, 0, NULL, 1 },
	{ "enc_key",         CT_STR, O(enc_key),         32, 0, NULL, 1 },
	{ "abuse",           CT_INT, O(abuse),           0, 1, "1", 0 },
	{ "user",            CT_STR, O(user),            0, 0, NULL, 0 },
	{ "argon2_memory",   CT_INT, O(argon2_memory),   8, 4194304, "7168", 0 },
	{ "argon2_time",     CT_INT, O(argon2_time),     1, 100, "5", 0 },
	{ "argon2_threads",  CT_INT, O(argon2_threads),  1, 16, "1", 0 },
	{ "trusted_proxies", CT_STR, O(trusted_proxies), 0, 0, "", 0 },
	{ "pidfile",         CT_STR, O(pidfile),         0, 0, NULL, 0 },
	{ "schema_dir",      CT_STR, O(schema_dir),      1, 0, LK_SCHEMA_DIR, 0 },
	{ "password_dictionary", CT_STR, O(password_dictionary), 0, 0, "/usr/share/john/password.lst", 0 },
	{ "smtp_host",       CT_STR, O(smtp_host),       0, 0, "", 0 },
	{ "smtp_port",       CT_INT, O(smtp_port),       0, 65535, "0", 0 },
	{ "smtp_tls",        CT_STR, O(smtp_tls),        0, 0, "none", 0 },
	{ "smtp_username",   CT_STR, O(smtp_username),   0, 0, "", 0 },
	{ "smtp_password",   CT_STR, O(smtp_password),   0, 0, "", 0 },
	{ "smtp_sender_email", CT_STR, O(smtp_sender_email), 0, 0, "latchkey@localhost", 0 },
	{ "smtp_sender_name", CT_STR, O(smtp_sender_name), 0, 0, "latchkey", 0 },
	{ "smtp_reply_to",   CT_STR, O(smtp_reply_to),   0, 0, "", 0 },
	{ "sms_provider",    CT_STR, O(sms_provider),    0, 0, "", 0 },
	{ "sms_from",        CT_STR, O(sms_from),        0, 0, "", 0 },
	{ "sms_user",        CT_STR, O(sms_user),        0, 0, "", 0 },
	{ "sms_secret",      CT_STR, O(sms_secret),      0, 0, "", 0 },
	{ "sms_template_id", CT_STR, O(sms_template_id), 0, 0, "", 0 },
	{ "sms_url",         CT_STR, O(sms_url),         0, 0, "", 0 },
	{ "sms_webhook",     CT_STR, O(sms_webhook),     0, 0, "", 0 },
	{ "delivery",        CT_INT, O(delivery),        0, 1, "1", 0 },
	{ "public_endpoint", CT_STR, O(public_endpoint), 0, 0, NULL, 1 },
	/* lifetimes in seconds; the defaults are Appwrite's */
	{ "recovery_ttl",    CT_INT, O(recovery_ttl),    1, 604800, "3600", 0 },
	{ "verification_ttl", CT_INT, O(verification_ttl), 1, 604800, "3600", 0 },
	{ "magic_url_ttl",   CT_INT, O(magic_url_ttl),   1, 604800, "3600", 0 },
	{ "otp_ttl",         CT_INT, O(otp_ttl),         1, 86400, "900", 0 },
	{ "mfa_fresh",       CT_INT, O(mfa_fresh),       1, 86400, "1800", 0 },
	{ "mfa_challenge_ttl", CT_INT, O(mfa_challenge_ttl), 1, 86400, "3600", 0 },
};
#define NKEYS (sizeof keys / sizeof keys[0])

/* Stores value v for key k; returns 0 or -1 with a message. */
static int set_value(struct config *dst_cfg, const struct ckey *k, const char *v,
    char *err, size_t errn)
{
	char *end;
	long n;

	if (k->type == CT_STR) {
		char **dst = (char **)((char *)dst_cfg + k->off);
		if (k->min > 0 && strlen(v) < (size_t)k->min) {
			snprintf(err, errn, "%s: must be at least %ld characters", k->name, k->min);
			return -1;
		}
		free(*dst);
		if ((*dst = strdup(v)) == NULL) {
			snprintf(err, errn, "out of memory");
			return -1;
		}
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, k->type == CT_OCT ? 8 : 10);
	if (errno || end == v || *end || n < k->min || n > k->max) {
		snprintf(err, errn, "%s: expected a number in %ld..%ld", k->name,
		    k->min, k->max);
		return -1;
	}
	*(long *)((char *)dst_cfg + k->off) = n;
	return 0;
}

/* Returns the key named name[0..n), or NULL. */
static const struct ckey *find_key(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strlen(keys[i].name) == n && strncmp(keys[i].name, name, n) == 0)
			return &keys[i];
	return NULL;
}

/* Trims spaces around s in place; returns the trimmed start. */
static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Reads key = value lines from path. */
static int load_file(struct config *dst, const char *path, char *err, size_t errn)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	int lineno = 0, rc = 0;

	if (f == NULL) {
		snprintf(err, errn, "%s: cannot open", path);
		return -1;
	}
	while (rc == 0 && (got = getline(&line, &cap, f)) >= 0) {
		char *s, *eq;
		const struct ckey *k;
		lineno++;
		if (got > 4096) {
			snprintf(err, errn, "%s:%d: line too long", path, lineno);
			rc = -1;
			break;
		}
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			snprintf(err, errn, "%s:%d: expected key = value", path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		if ((k = find_key(trim(s), strlen(trim(s)))) == NULL) {
			snprintf(err, errn, "%s:%d: unknown key '%s'", path, lineno, trim(s));
			rc = -1;
			break;
		}
		rc = set_value(dst, k, trim(eq + 1), err, errn);
	}
	free(line);
	fclose(f);
	return rc;
}

/* Frees the strings of c and zeroes it. */
static void config_clear(struct config *c)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].type == CT_STR)
			free(*(char **)((char *)c + keys[i].off));
	memset(c, 0, sizeof *c);
}

/* Checks public_endpoint (an absolute http or https URL without query,
 * fragment or user info) and derives public_origin and public_host. */
static int public_endpoint(struct config *c, char *err, size_t errn)
{
	const char *v = c->public_endpoint, *rest;
	struct url_parts u;
	size_t i;
	int http, https;

	if (!val_url(v, strlen(v), &u))
		goto bad;
	http = u.scheme_n == 4 && strncasecmp(u.scheme, "http", 4) == 0;
	https = u.scheme_n == 5 && strncasecmp(u.scheme, "https", 5) == 0;
	/* after the host: an optional :port, then nothing or a path */
	rest = u.host + u.host_n;
	if (*rest == ']')
		rest++;
	if (*rest == ':')
		rest += strspn(rest + 1, "0123456789") + 1;
	if (!(http || https) || (*rest != '\0' && *rest != '/') ||
	    strpbrk(rest, "?#") || memchr(v, '@', (size_t)(u.host - v)) ||
	    u.host_n >= sizeof c->public_host)
		goto bad;
	for (i = 0; i < u.host_n; i++)
		c->public_host[i] = (char)tolower((unsigned char)u.host[i]);
	c->public_host[u.host_n] = '\0';
	if (u.port >= 0)
		snprintf(c->public_origin, sizeof c->public_origin, "%s://%s%s%s:%d",
		    https ? "https" : "http", u.host[-1] == '[' ? "[" : "",
		    c->public_host, u.host[-1] == '[' ? "]" : "", u.port);
	else
		snprintf(c->public_origin, sizeof c->public_origin, "%s://%s%s%s",
		    https ? "https" : "http", u.host[-1] == '[' ? "[" : "",
		    c->public_host, u.host[-1] == '[' ? "]" : "");
	return 0;
bad:
	snprintf(err, errn, "public_endpoint: expected the API's public URL, "
	    "http(s)://host[:port][/path], e.g. https://auth.example.com/v1");
	return -1;
}

/* Fills c from defaults, the file and the environment. */
static int config_build(struct config *c, const char *file, char *err, size_t errn)
{
	size_t i;
	char env[64];

	for (i = 0; i < NKEYS; i++)
		if (keys[i].def && set_value(c, &keys[i], keys[i].def, err, errn) < 0)
			return -1;
	if (file && load_file(c, file, err, errn) < 0)
		return -1;
	for (i = 0; i < NKEYS; i++) {
		const char *v;
		size_t j;
		snprintf(env, sizeof env, "LATCHKEY_%s", keys[i].name);
		for (j = 9; env[j]; j++)
			env[j] = (char)toupper((unsigned char)env[j]);
		if ((v = getenv(env)) != NULL && set_value(c, &keys[i], v, err, errn) < 0)
			return -1;
	}
	for (i = 0; i < NKEYS; i++)
		if (keys[i].required && *(char **)((char *)c + keys[i].off) == NULL) {
			snprintf(err, errn, "%s is required (in the file, or the"
			    " LATCHKEY_ environment variable of that name)", keys[i].name);
			return -1;
		}
	if (public_endpoint(c, err, errn) < 0)
		return -1;
	if (c->workers == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		c->workers = n > 0 ? n : 1;
	}
	if (c->listen && *c->listen == '\0') {
		free(c->listen);
		c->listen = NULL;
	}
	return 0;
}

void config_db_conf(struct db_conf *out)
{
	out->host = cfg.db_host;
	out->socket = cfg.db_socket;
	out->user = cfg.db_user;
	out->password = cfg.db_password;
	out->name = cfg.db_name;
	out->port = (unsigned)cfg.db_port;
}

void config_free(void)
{
	config_clear(&cfg);
}

int config_load(const char *file, char *err, size_t errn)
{
	struct config next;

	/* build aside: a failed reload leaves the running configuration whole */
	memset(&next, 0, sizeof next);
	if (config_build(&next, file, err, errn) < 0) {
		config_clear(&next);
		return -1;
	}
	config_clear(&cfg);
	cfg = next;
	return 0;
}

int config_trusted_proxy(const char *ip)
{
	const char *p = cfg.trusted_proxies;
	size_t n = strlen(ip);

	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		while (len && *p == ' ')
			p++, len--;
		while (len && p[len - 1] == ' ')
			len--;
		if (len == n && strncmp(p, ip, n) == 0)
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}
