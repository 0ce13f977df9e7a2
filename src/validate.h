/* validate.h: the validators of spec/ACCOUNT_ENDPOINTS.md §1.11, pure
 * functions over (pointer, length). Each returns 1 when the input is valid,
 * 0 when it is not. None allocates. */
#ifndef LK_VALIDATE_H
#define LK_VALIDATE_H

#include <stddef.h>

/* Key rule: 1..36 chars of [A-Za-z0-9._-], first char not '.', '-', '_'. */
int val_key(const char *s, size_t n);

/* CustomId: the literal "unique()" or a key. */
int val_custom_id(const char *s, size_t n);

/* Well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
int val_utf8(const char *s, size_t n);

/* Number of UTF-8 code points in a valid UTF-8 string. */
size_t val_utf8_chars(const char *s, size_t n);

/* Text(max): valid UTF-8 of 1..max code points (0..max when allow_empty). */
int val_text(const char *s, size_t n, size_t max, int allow_empty);

/* Email in the spirit of PHP FILTER_VALIDATE_EMAIL: ASCII local part of
 * allowed atext/dots (no leading/trailing/double dot, <= 64), '@', a domain of
 * dot-separated LDH labels (each 1..63, no leading/trailing '-') with at least
 * one dot, or an IP literal in brackets; total <= 320. */
int val_email(const char *s, size_t n);

/* Phone: ^\+[1-9][0-9]{6,14}$ */
int val_phone(const char *s, size_t n);

/* Password: 8..256 bytes. */
int val_password(const char *s, size_t n);

/* A parsed absolute URL. Views point into the input. */
struct url_parts {
	const char *scheme; size_t scheme_n; /* e.g. "https" (not lower-cased) */
	const char *host;   size_t host_n;   /* without brackets for IPv6 */
	int port;                            /* -1 when absent */
};

/* Parses an absolute URL "scheme://[userinfo@]host[:port][/path][?q][#f]",
 * rejecting spaces, control bytes and empty hosts. Returns 1 and fills out,
 * or 0. */
int val_url(const char *s, size_t n, struct url_parts *out);

/* Platform hostname match: pattern "*" matches anything; "*.example.com"
 * matches any subdomain but not "example.com"; otherwise an exact,
 * case-insensitive match. host must not contain '/' or ':'. Returns 1/0. */
int val_host_match(const char *pattern, size_t pn, const char *host, size_t hn);

/* Returns 1 when s is an IPv4 or IPv6 literal. */
int val_ip_literal(const char *s, size_t n);

#endif
