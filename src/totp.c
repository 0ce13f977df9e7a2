/* totp.c: MFA one-time passwords. RFC 4648 base32 for the secrets, RFC 4226
 * HOTP over HMAC-SHA1 from OpenSSL libcrypto, RFC 6238 TOTP on top of it
 * (6 digits, 30-second steps, T0 = 0), the one-step check the MFA routes
 * use, new secrets from getrandom(2) and the otpauth:// provisioning URI.
 * No state and no allocation: outputs go to buffers the caller owns. */
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crypto.h"
#include "totp.h"

/* src/lk_limits.h is ours, so the ssize_t bound comes from <stdint.h>, as in
 * crypto.c: ssize_t has the width of size_t on every system we build on. */
#define LK_SSIZE_MAX ((size_t)(SIZE_MAX >> 1))
_Static_assert(sizeof(ssize_t) == sizeof(size_t), "ssize_t width");

#define SHA1_LEN     20      /* bytes of an HMAC-SHA1 */
#define HOTP_MODULUS 1000000 /* 10^TOTP_DIGITS */
#define B32_PAD_MAX  6       /* most '=' RFC 4648 ever appends */

_Static_assert(TOTP_DIGITS == 6, "HOTP_MODULUS is 10^TOTP_DIGITS");
_Static_assert(TOTP_B32_LEN(TOTP_SECRET_BYTES) == TOTP_SECRET_B32,
    "a new secret's base32 length");
_Static_assert(TOTP_KEY_MAX <= INT32_MAX, "HMAC takes an int key length");

static const char b32_abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* 1 + the 5-bit value of each base32 character (either case), 0 for a byte
 * outside the alphabet. */
static const uint8_t b32_dec[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6,
	['G'] = 7, ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12,
	['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18,
	['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
	['Y'] = 25, ['Z'] = 26,
	['a'] = 1, ['b'] = 2, ['c'] = 3, ['d'] = 4, ['e'] = 5, ['f'] = 6,
	['g'] = 7, ['h'] = 8, ['i'] = 9, ['j'] = 10, ['k'] = 11, ['l'] = 12,
	['m'] = 13, ['n'] = 14, ['o'] = 15, ['p'] = 16, ['q'] = 17, ['r'] = 18,
	['s'] = 19, ['t'] = 20, ['u'] = 21, ['v'] = 22, ['w'] = 23, ['x'] = 24,
	['y'] = 25, ['z'] = 26,
	['2'] = 27, ['3'] = 28, ['4'] = 29, ['5'] = 30, ['6'] = 31, ['7'] = 32,
};

/* Base32 characters after the last full 5-byte group, by bytes left over
 * (0-4); a data length mod 8 outside this table no encoder produces. */
static const size_t b32_tail[5] = { 0, 2, 4, 5, 7 };

/* Base32 encode in[0..n) into out (cap bytes incl. NUL), unpadded. Returns
 * the length written, or -1 when out is too small (out is then "" if
 * cap > 0). */
ssize_t
totp_b32_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
	size_t need;       /* characters to write, without the NUL */
	size_t i, o = 0;   /* input and output index */
	uint32_t acc = 0;  /* bit accumulator: below 2^4 between bytes */
	unsigned bits = 0; /* valid bits in acc */

	if (n / 5 > (LK_SSIZE_MAX - 8) / 8 || (n > 0 && in == NULL))
		goto fail;
	need = n / 5 * 8 + b32_tail[n % 5];
	if (out == NULL || need >= cap)
		goto fail;
	for (i = 0; i < n; i++) {
		acc = acc << 8 | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32_abc[(acc >> bits) & 0x1f];
		}
		acc &= (1u << bits) - 1;
	}
	if (bits > 0)
		out[o++] = b32_abc[(acc << (5 - bits)) & 0x1f];
	out[o] = '\0';
	return (ssize_t)o;
fail:
	if (out != NULL && cap > 0)
		out[0] = '\0';
	return -1;
}

/* First pass of the decoder: checks the characters of in[0..n) (spaces
 * anywhere, data, then at most B32_PAD_MAX '=') and sets *data to the count
 * of data characters. Returns 0, or -1 on a bad byte, data after '=', too
 * much padding or a data length no encoder produces. */
static int
b32_scan(const char *in, size_t n, size_t *data)
{
	size_t i;        /* input index */
	size_t pad = 0;  /* '=' seen so far */
	size_t d = 0;    /* data characters seen */

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == ' ')
			continue;
		if (c == '=') {
			if (++pad > B32_PAD_MAX)
				return -1;
			continue;
		}
		if (b32_dec[c] == 0 || pad > 0)
			return -1;
		d++;
	}
	switch (d % 8) {
	case 1: case 3: case 6:
		return -1;
	}
	*data = d;
	return 0;
}

/* Base32 decode in[0..n) into out (cap bytes): b32_scan validates, then the
 * data characters are read five bits at a time. Returns the decoded length,
 * or -1 (out wiped) on bad input, non-canonical trailing bits or a small
 * out. */
ssize_t
totp_b32_decode(const char *in, size_t n, uint8_t *out, size_t cap)
{
	size_t data = 0;   /* data characters */
	size_t need;       /* decoded bytes */
	size_t i, o = 0;   /* input and output index */
	uint32_t acc = 0;  /* bit accumulator: below 2^7 between characters */
	unsigned bits = 0; /* valid bits in acc */
	ssize_t rc = -1;

	if (n > 0 && in == NULL)
		return -1;
	if (b32_scan(in, n, &data) != 0)
		return -1;
	need = data / 8 * 5 + data % 8 * 5 / 8;
	if (need > cap || need > LK_SSIZE_MAX || (need > 0 && out == NULL))
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == ' ' || c == '=')
			continue;
		acc = acc << 5 | (uint32_t)(b32_dec[c] - 1);
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* b32_scan's length rule leaves at most 4 bits, all zero when canonical */
	if (acc != 0)
		goto out;
	rc = (ssize_t)o;
out:
	if (rc < 0)
		crypto_wipe(out, o);
	return rc;
}

/* floor(unix_seconds / TOTP_PERIOD): C division truncates toward zero, so
 * negative times with a remainder step one further down. */
int64_t
totp_step(int64_t unix_seconds)
{
	int64_t q = unix_seconds / TOTP_PERIOD; /* truncated quotient */

	if (unix_seconds % TOTP_PERIOD < 0)
		q--;
	return q;
}

/* RFC 4226 §5.3: HMAC-SHA1 of the big-endian counter, dynamic truncation to
 * 31 bits, modulo 10^TOTP_DIGITS, written as zero-padded digits. Returns 0,
 * or -1 with out "". */
int
totp_hotp(const uint8_t *key, size_t klen, uint64_t counter,
    char out[TOTP_DIGITS + 1])
{
	uint8_t msg[8];               /* the counter, big-endian */
	uint8_t mac[EVP_MAX_MD_SIZE]; /* HMAC output, wiped before return */
	unsigned int mlen = 0;        /* bytes OpenSSL wrote */
	unsigned off;                 /* truncation offset, 0-15 */
	uint32_t bin;                 /* the 31-bit truncated value */
	int i;                        /* byte or digit index */
	int rc = -1;

	if (out == NULL)
		return -1;
	out[0] = '\0';
	if (key == NULL || klen == 0 || klen > TOTP_KEY_MAX)
		return -1;
	for (i = 7; i >= 0; i--) {
		msg[i] = (uint8_t)(counter & 0xff);
		counter >>= 8;
	}
	if (HMAC(EVP_sha1(), key, (int)klen, msg, sizeof(msg), mac, &mlen) ==
	    NULL || mlen != SHA1_LEN)
		goto out;
	off = mac[SHA1_LEN - 1] & 0x0f;
	bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
	    (uint32_t)mac[off + 2] << 8 | (uint32_t)mac[off + 3];
	bin %= HOTP_MODULUS;
	for (i = TOTP_DIGITS - 1; i >= 0; i--) {
		out[i] = (char)('0' + bin % 10);
		bin /= 10;
	}
	out[TOTP_DIGITS] = '\0';
	rc = 0;
out:
	crypto_wipe(mac, sizeof(mac));
	return rc;
}

/* The code of time step `step`; a negative step has none. Returns 0 or -1. */
int
totp_code(const uint8_t *key, size_t klen, int64_t step,
    char out[TOTP_DIGITS + 1])
{
	if (step < 0) {
		if (out != NULL)
			out[0] = '\0';
		return -1;
	}
	return totp_hotp(key, klen, (uint64_t)step, out);
}

/* Returns 1 when otp is exactly TOTP_DIGITS ASCII digits followed by a NUL,
 * reading no byte past the first non-digit; else 0. */
static int
otp_well_formed(const char *otp)
{
	int i; /* index */

	if (otp == NULL)
		return 0;
	for (i = 0; i < TOTP_DIGITS; i++)
		if (otp[i] < '0' || otp[i] > '9')
			return 0;
	return otp[TOTP_DIGITS] == '\0';
}

/* Returns 1 when otp is the code of this one step, else 0. The shape check
 * depends only on the submitted text; the secret-dependent comparison is
 * constant time. */
int
totp_verify(const uint8_t *key, size_t klen, const char *otp, int64_t step)
{
	char want[TOTP_DIGITS + 1]; /* the expected code, wiped before return */
	int ok = 0;

	if (!otp_well_formed(otp))
		return 0;
	if (totp_code(key, klen, step, want) == 0)
		ok = crypto_ct_eq(want, otp, TOTP_DIGITS);
	crypto_wipe(want, sizeof(want));
	return ok;
}

/* Returns 1 (and sets *step_out) when otp is the code of the current step
 * and that step is later than last_step; else 0. */
int
totp_accept(const uint8_t *key, size_t klen, const char *otp,
    int64_t now_s, int64_t last_step, int64_t *step_out)
{
	int64_t step = totp_step(now_s); /* the only step accepted */

	if (step <= last_step)
		return 0;
	if (!totp_verify(key, klen, otp, step))
		return 0;
	if (step_out != NULL)
		*step_out = step;
	return 1;
}

/* Draws TOTP_SECRET_BYTES random bytes and writes their base32. Returns 0,
 * or -1 with out "". */
int
totp_secret_new(char out[TOTP_SECRET_B32 + 1])
{
	uint8_t raw[TOTP_SECRET_BYTES]; /* the secret, wiped before return */
	int rc = -1;

	if (out == NULL)
		return -1;
	out[0] = '\0';
	if (crypto_random(raw, sizeof(raw)) != 0)
		goto out;
	if (totp_b32_encode(raw, sizeof(raw), out, TOTP_SECRET_B32 + 1) !=
	    TOTP_SECRET_B32)
		goto out;
	rc = 0;
out:
	crypto_wipe(raw, sizeof(raw));
	return rc;
}

/* The URI being written into the caller's fixed buffer; once err is set,
 * further appends are ignored. */
struct uri_out {
	char *p;    /* caller's buffer, not owned */
	size_t cap; /* its size, NUL included */
	size_t len; /* bytes written, NUL excluded; always < cap */
	int err;    /* sticky: 1 once something did not fit */
};

/* Appends byte c, keeping room for the NUL. */
static void
uri_byte(struct uri_out *w, char c)
{
	if (w->err || w->cap - w->len < 2) {
		w->err = 1;
		return;
	}
	w->p[w->len++] = c;
}

/* Appends the literal NUL-terminated s as is. */
static void
uri_lit(struct uri_out *w, const char *s)
{
	while (*s != '\0' && !w->err)
		uri_byte(w, *s++);
}

/* Returns 1 when c is RFC 3986 unreserved: A-Z a-z 0-9 - . _ ~ */
static int
uri_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* Appends s (NULL: nothing) with every byte outside the unreserved set as
 * %XX in upper-case hex. */
static void
uri_pct(struct uri_out *w, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *q = (const unsigned char *)s; /* next input byte */

	for (; q != NULL && *q != '\0' && !w->err; q++) {
		if (uri_unreserved(*q)) {
			uri_byte(w, (char)*q);
			continue;
		}
		uri_byte(w, '%');
		uri_byte(w, hex[*q >> 4]);
		uri_byte(w, hex[*q & 0x0f]);
	}
}

/* Returns s when it is a non-empty string, else NULL. */
static const char *
nonempty(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

/* Writes the otpauth URI (see totp.h). Returns its length or -1. */
ssize_t
totp_uri(char *out, size_t cap, const char *issuer, const char *email,
    const char *phone, const char *user_id, const char *secret)
{
	struct uri_out w = { .p = out, .cap = cap };
	const char *label;  /* the account's name in the app */

	if (out == NULL || cap == 0)
		return -1;
	issuer = nonempty(issuer);
	label = nonempty(email);
	if (label == NULL)
		label = nonempty(phone);
	if (label == NULL)
		label = user_id;
	uri_lit(&w, "otpauth://totp/");
	if (issuer != NULL) {
		uri_pct(&w, issuer);
		uri_pct(&w, ":");
	}
	uri_pct(&w, label);
	if (issuer != NULL) {
		uri_lit(&w, "?issuer=");
		uri_pct(&w, issuer);
		uri_lit(&w, "&secret=");
	} else
		uri_lit(&w, "?secret=");
	uri_pct(&w, secret);
	if (w.err) {
		out[0] = '\0';
		return -1;
	}
	out[w.len] = '\0';
	return (ssize_t)w.len;
}
