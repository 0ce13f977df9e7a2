/* validate.c: the parameter validators of spec/ACCOUNT_ENDPOINTS.md §1.11.
 * Pure functions over (pointer, length): no allocation, no locale, no
 * reliance on NUL termination (an embedded NUL is just another byte, and is
 * rejected wherever the grammar does not allow it). Each returns 1 for valid
 * input and 0 otherwise. */
#include <arpa/inet.h>
#include <string.h>

#include "lk_limits.h"
#include "validate.h"

#define HOSTNAME_MAX 253  /* longest host name matched against platforms */
#define URL_HOST_MAX 255  /* longest reg-name host accepted in a URL */
#define EMAIL_LOCAL_MAX 64 /* bytes in the local part of an address */
#define LABEL_MAX 63      /* bytes in one DNS label */
#define IP6_TEXT_MAX 45   /* longest IPv6 text (INET6_ADDRSTRLEN - 1) */

/* Returns 1 when c is an ASCII letter. */
static int
is_alpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Returns 1 when c is an ASCII decimal digit. */
static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Returns 1 when c is an ASCII letter or digit. */
static int
is_alnum(unsigned char c)
{
	return is_alpha(c) || is_digit(c);
}

/* Returns c lower-cased if it is an ASCII capital, else c unchanged. */
static unsigned char
lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Key: 1..LK_ID_MAX of [A-Za-z0-9._-], the first not one of "._-". */
int
val_key(const char *s, size_t n)
{
	size_t i; /* byte index */
	unsigned char c;

	if (s == NULL || n == 0 || n > LK_ID_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (is_alnum(c))
			continue;
		if (i > 0 && (c == '.' || c == '_' || c == '-'))
			continue;
		return 0;
	}
	return 1;
}

/* CustomId: exactly "unique()" or a key. */
int
val_custom_id(const char *s, size_t n)
{
	static const char uniq[] = "unique()";

	if (s != NULL && n == sizeof(uniq) - 1 && memcmp(s, uniq, n) == 0)
		return 1;
	return val_key(s, n);
}

/* Decodes one UTF-8 sequence at s[0..n). Returns its length (1..4), or 0 when
 * it is truncated, overlong, a surrogate, above U+10FFFF, or a stray byte. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0]; /* lead byte */
	size_t len, i;          /* sequence length; index */
	unsigned long cp;       /* decoded code point */

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else
		return 0; /* continuation byte, 0xc0/0xc1 overlongs, or > 0xf4 */
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Well-formed UTF-8: every sequence decodes per utf8_seq(). */
int
val_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s; /* cursor */
	size_t i = 0, len;                                 /* offset; seq length */

	if (s == NULL)
		return n == 0;
	while (i < n) {
		len = utf8_seq(p + i, n - i);
		if (len == 0)
			return 0;
		i += len;
	}
	return 1;
}

/* Code points in s[0..n): the bytes that are not continuation bytes. For
 * valid UTF-8 (the caller's promise) that is the number of characters. */
size_t
val_utf8_chars(const char *s, size_t n)
{
	size_t i, count = 0; /* byte index; characters seen */

	if (s == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			count++;
	return count;
}

/* Text(max): valid UTF-8 with 1..max code points, 0..max when allow_empty. */
int
val_text(const char *s, size_t n, size_t max, int allow_empty)
{
	size_t chars; /* code points */

	if (!val_utf8(s, n))
		return 0;
	chars = val_utf8_chars(s, n);
	if (chars == 0)
		return allow_empty ? 1 : 0;
	return chars <= max;
}

/* Returns 1 when c is an atext character of an email local part (RFC 5322
 * atext, the set PHP's FILTER_VALIDATE_EMAIL allows unquoted). */
static int
is_atext(unsigned char c)
{
	if (is_alnum(c))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* Local part: 1..64 atext characters in dot-separated runs, with no leading,
 * trailing or double dot. Quoted local parts are not accepted. */
static int
email_local(const char *s, size_t n)
{
	size_t i; /* byte index */

	if (n == 0 || n > EMAIL_LOCAL_MAX)
		return 0;
	if (s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i - 1] == '.')
				return 0;
		} else if (!is_atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* One LDH label: 1..63 of [A-Za-z0-9-], not starting or ending with '-'. */
static int
dns_label(const char *s, size_t n)
{
	size_t i; /* byte index */

	if (n == 0 || n > LABEL_MAX || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

/* Email domain: at least two LDH labels; like PHP's filter, the last label
 * (the TLD) must begin with a letter, so "a@1.2.3.4" is not a domain. */
static int
email_domain(const char *s, size_t n)
{
	size_t start = 0, i; /* current label start; byte index */
	int dots = 0;        /* labels seen before the last */

	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (!dns_label(s + start, i - start))
			return 0;
		if (i < n)
			dots++;
		start = i + 1;
	}
	/* start now points past the end; the last label began at the
	 * character after the final dot. */
	if (dots == 0)
		return 0;
	for (i = n; i > 0 && s[i - 1] != '.'; i--)
		;
	return is_alpha((unsigned char)s[i]);
}

static int ip4_literal(const char *s, size_t n);
static int ip6_literal(const char *s, size_t n);

/* Email domain literal: "[1.2.3.4]" or "[IPv6:...]" (prefix any case). */
static int
email_domain_literal(const char *s, size_t n)
{
	static const char v6[] = "ipv6:";
	size_t k = sizeof(v6) - 1, i; /* prefix length; index */

	if (n < 2 || s[0] != '[' || s[n - 1] != ']')
		return 0;
	s++;
	n -= 2;
	if (n > k) {
		for (i = 0; i < k; i++)
			if (lower((unsigned char)s[i]) != (unsigned char)v6[i])
				break;
		if (i == k)
			return ip6_literal(s + k, n - k);
	}
	return ip4_literal(s, n);
}

/* Email: local '@' domain, ASCII only, at most LK_EMAIL_MAX bytes. The last
 * '@' is not searched for: the local part cannot hold one, so the first '@'
 * splits, and any later '@' fails the domain check. */
int
val_email(const char *s, size_t n)
{
	const char *at; /* the '@' */
	size_t ln;      /* local part length */

	if (s == NULL || n == 0 || n > LK_EMAIL_MAX)
		return 0;
	at = memchr(s, '@', n);
	if (at == NULL)
		return 0;
	ln = (size_t)(at - s);
	if (!email_local(s, ln))
		return 0;
	s += ln + 1;
	n -= ln + 1;
	if (n > 0 && s[0] == '[')
		return email_domain_literal(s, n);
	return email_domain(s, n);
}

/* Phone: '+', a digit 1-9, then 6..14 more digits. */
int
val_phone(const char *s, size_t n)
{
	size_t i; /* byte index */

	if (s == NULL || n < 8 || n > 16 || s[0] != '+' || s[1] == '0')
		return 0;
	for (i = 1; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Password: LK_PASSWORD_MIN..LK_PASSWORD_MAX bytes, any content. */
int
val_password(const char *s, size_t n)
{
	return s != NULL && n >= LK_PASSWORD_MIN && n <= LK_PASSWORD_MAX;
}

/* Returns 1 when c may appear anywhere in a URL we accept: printable ASCII
 * except space and backslash (browsers read '\' as '/', which would let
 * "https://evil\@good" reach a host other than the one we checked). */
static int
url_char_ok(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '\\';
}

/* Returns 1 when c is allowed in URL userinfo: unreserved, sub-delims, ':'
 * and '%' (percent escapes are not decoded). */
static int
userinfo_char(unsigned char c)
{
	return is_alnum(c) || (c != '\0' && strchr("-._~!$&'()*+,;=:%", c));
}

/* Returns 1 when c is allowed in a URL reg-name host: letters, digits and
 * "-._~". Percent escapes and sub-delims are refused so that the host we
 * match is the host a browser will contact. */
static int
host_char(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Reg-name host s[0..n): 1..URL_HOST_MAX host_char()s forming dot-separated
 * non-empty labels; one trailing dot (the DNS root) is allowed. */
static int
url_regname(const char *s, size_t n)
{
	size_t i; /* byte index */

	if (n == 0 || n > URL_HOST_MAX || s[0] == '.')
		return 0;
	for (i = 1; i < n; i++)
		if (s[i] == '.' && s[i - 1] == '.')
			return 0;
	return 1;
}

/* Parses "[:port]" from s[0..n) (s points just after the host). Stores the
 * port, or -1 when absent. Returns 1 on success, 0 on an empty or bad port. */
static int
url_port(const char *s, size_t n, int *port)
{
	size_t i;          /* byte index */
	long v = 0;        /* accumulated port */

	*port = -1;
	if (n == 0)
		return 1;
	if (s[0] != ':' || n == 1 || n > 6)
		return 0;
	for (i = 1; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	if (v > 65535)
		return 0;
	*port = (int)v;
	return 1;
}

/* Parses the authority s[0..n): "[userinfo@]host[:port]" with host a reg-name
 * or a bracketed IPv6 literal. Fills host and port of out. Returns 1 or 0. */
static int
url_authority(const char *s, size_t n, struct url_parts *out)
{
	const char *at = NULL, *end; /* last '@'; closing bracket */
	size_t i, hn;                /* index; host length */

	for (i = 0; i < n; i++)
		if (s[i] == '@')
			at = s + i;
	if (at != NULL) {
		for (i = 0; s + i < at; i++)
			if (!userinfo_char((unsigned char)s[i]))
				return 0;
		n -= (size_t)(at + 1 - s);
		s = at + 1;
	}
	if (n > 0 && s[0] == '[') {
		end = memchr(s, ']', n);
		if (end == NULL || !ip6_literal(s + 1, (size_t)(end - s - 1)))
			return 0;
		out->host = s + 1;
		out->host_n = (size_t)(end - s - 1);
		hn = (size_t)(end + 1 - s);
	} else {
		for (hn = 0; hn < n && host_char((unsigned char)s[hn]); hn++)
			;
		if (!url_regname(s, hn))
			return 0;
		out->host = s;
		out->host_n = hn;
	}
	return url_port(s + hn, n - hn, &out->port);
}

/* Absolute URL "scheme://[userinfo@]host[:port][/path][?q][#f]". The whole
 * input must be printable ASCII without spaces or backslashes; the authority
 * ends at the first '/', '?' or '#'. out is written only on success. */
int
val_url(const char *s, size_t n, struct url_parts *out)
{
	struct url_parts tmp;  /* result, copied to out on success */
	size_t i, sn, a;       /* index; scheme length; authority end */

	if (s == NULL || n == 0 || !is_alpha((unsigned char)s[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!url_char_ok((unsigned char)s[i]))
			return 0;
	for (sn = 1; sn < n; sn++) {
		if (!is_alnum((unsigned char)s[sn]) && s[sn] != '+' &&
		    s[sn] != '-' && s[sn] != '.')
			break;
	}
	if (n - sn < 3 || memcmp(s + sn, "://", 3) != 0)
		return 0;
	tmp.scheme = s;
	tmp.scheme_n = sn;
	i = sn + 3;
	for (a = i; a < n && s[a] != '/' && s[a] != '?' && s[a] != '#'; a++)
		;
	if (!url_authority(s + i, a - i, &tmp))
		return 0;
	if (out != NULL)
		*out = tmp;
	return 1;
}

/* Returns 1 when a[0..n) equals b[0..n) ignoring ASCII case. */
static int
eq_nocase(const char *a, const char *b, size_t n)
{
	size_t i; /* byte index */

	for (i = 0; i < n; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* Platform hostname match (see validate.h). A host that is empty, longer than
 * 253 bytes, or holds '/' or ':' never matches. "*.example.com" needs at least
 * one character before ".example.com"; a pattern with '*' anywhere else is
 * compared literally (and so matches no valid host). */
int
val_host_match(const char *pattern, size_t pn, const char *host, size_t hn)
{
	size_t sfx; /* length of the pattern after the '*' */

	if (pattern == NULL || host == NULL || pn == 0 || hn == 0 ||
	    hn > HOSTNAME_MAX)
		return 0;
	if (memchr(host, '/', hn) != NULL || memchr(host, ':', hn) != NULL)
		return 0;
	if (pn == 1 && pattern[0] == '*')
		return 1;
	if (pn > 2 && pattern[0] == '*' && pattern[1] == '.') {
		sfx = pn - 1;
		return hn > sfx &&
		    eq_nocase(host + hn - sfx, pattern + 1, sfx);
	}
	return pn == hn && eq_nocase(pattern, host, hn);
}

/* IPv4 dotted quad: four decimal fields 0..255 without leading zeros. */
static int
ip4_literal(const char *s, size_t n)
{
	size_t i = 0, digits; /* index; digits in the current field */
	int field, v;         /* field number; its value */

	for (field = 0; field < 4; field++) {
		if (field > 0) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
		v = 0;
		for (digits = 0; i < n && is_digit((unsigned char)s[i]) &&
		    digits < 3; digits++, i++)
			v = v * 10 + (s[i] - '0');
		if (digits == 0 || v > 255 || (digits > 1 && s[i - digits] == '0'))
			return 0;
	}
	return i == n;
}

/* IPv6 text form, checked by inet_pton() on a bounded NUL-terminated copy.
 * Zone ids ("%eth0") are refused. */
static int
ip6_literal(const char *s, size_t n)
{
	char buf[IP6_TEXT_MAX + 1]; /* NUL-terminated copy */
	struct in6_addr addr;       /* parsed address, unused */

	if (n == 0 || n > IP6_TEXT_MAX || memchr(s, '\0', n) != NULL)
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, &addr) == 1;
}

/* IPv4 dotted quad or IPv6 literal (without brackets). */
int
val_ip_literal(const char *s, size_t n)
{
	if (s == NULL || n == 0)
		return 0;
	return ip4_literal(s, n) || ip6_literal(s, n);
}
