/* crypto.c: randomness from getrandom(2), SHA-256 and HMAC-SHA256 from
 * OpenSSL libcrypto, hex and base64 encodings, constant-time compare and
 * wiping. No state and no allocation: every output goes to a buffer the
 * caller owns, and every encoder checks the caller's bound first. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "crypto.h"

/* Random bytes are drawn in chunks of this size for the hex/digit helpers. */
#define RAND_CHUNK 64

/* Digits: bytes below this bound (a multiple of 10) are kept, others redrawn,
 * so "byte % 10" is uniform. */
#define DIGIT_BOUND 250

static const char hexdig[] = "0123456789abcdef";

static const char b64_std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* src/limits.h shadows the system <limits.h> on our include path, so the two
 * bounds we need are derived from <stdint.h>. ssize_t is the signed type of
 * the width of size_t on every POSIX system we build on; keys up to
 * INT32_MAX bytes fit OpenSSL's int key length. */
#define LK_SSIZE_MAX ((size_t)(SIZE_MAX >> 1))
#define HMAC_KEY_MAX ((size_t)INT32_MAX)
_Static_assert(sizeof(ssize_t) == sizeof(size_t), "ssize_t width");
_Static_assert(sizeof(int) >= 4, "int holds INT32_MAX");

/* A non-NULL address for empty inputs handed to OpenSSL. */
static const uint8_t empty_input[1];

/* Fills buf with n bytes from getrandom(), retrying on EINTR and short reads.
 * Returns 0, or -1 (errno set) when the kernel refuses. */
int
crypto_random(void *buf, size_t n)
{
	uint8_t *p = buf;   /* next byte to fill */
	size_t left = n;    /* bytes still wanted */
	ssize_t got;        /* bytes delivered by one call */

	if (n > 0 && buf == NULL)
		return -1;
	while (left > 0) {
		got = getrandom(p, left, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += got;
		left -= (size_t)got;
	}
	return 0;
}

/* Writes n random lower-case hex characters and a NUL to out (n + 1 bytes).
 * Each random byte gives two characters. Returns 0, or -1 on failure (out is
 * then the empty string). */
int
crypto_random_hex(char *out, size_t n)
{
	uint8_t rnd[RAND_CHUNK]; /* random bytes, wiped before return */
	size_t done = 0;         /* hex characters written */
	size_t want, i;          /* bytes needed this round; index */
	int rc = -1;

	if (out == NULL)
		return -1;
	while (done < n) {
		want = (n - done + 1) / 2;
		if (want > sizeof(rnd))
			want = sizeof(rnd);
		if (crypto_random(rnd, want) != 0)
			goto out;
		for (i = 0; i < want && done < n; i++) {
			out[done++] = hexdig[rnd[i] >> 4];
			if (done < n)
				out[done++] = hexdig[rnd[i] & 0x0f];
		}
	}
	rc = 0;
out:
	out[rc == 0 ? n : 0] = '\0';
	crypto_wipe(rnd, sizeof(rnd));
	return rc;
}

/* Writes n uniform random decimal digits and a NUL to out (n + 1 bytes),
 * using rejection sampling: bytes >= DIGIT_BOUND are discarded. Returns 0, or
 * -1 on failure (out is then the empty string). */
int
crypto_random_digits(char *out, size_t n)
{
	uint8_t rnd[RAND_CHUNK]; /* random bytes, wiped before return */
	size_t done = 0;         /* digits written */
	size_t i;                /* index into rnd */
	int rc = -1;

	if (out == NULL)
		return -1;
	while (done < n) {
		if (crypto_random(rnd, sizeof(rnd)) != 0)
			goto out;
		for (i = 0; i < sizeof(rnd) && done < n; i++)
			if (rnd[i] < DIGIT_BOUND)
				out[done++] = (char)('0' + rnd[i] % 10);
	}
	rc = 0;
out:
	out[rc == 0 ? n : 0] = '\0';
	crypto_wipe(rnd, sizeof(rnd));
	return rc;
}

/* Writes the low 4*width bits of v as width lower-case hex digits (no NUL). */
static void
put_hex_fixed(char *out, uint64_t v, size_t width)
{
	size_t i; /* digit position, most significant first */

	for (i = 0; i < width; i++)
		out[i] = hexdig[(v >> (4 * (width - 1 - i))) & 0x0f];
}

/* Writes PHP uniqid() (8 hex seconds, 5 hex microseconds) plus 7 random hex,
 * as Appwrite's ID::unique(), and a NUL to out. Seconds past 2106 wrap to
 * their low 32 bits. Returns 0, or -1 (out is then "") on failure. */
int
crypto_unique_id(char out[21])
{
	struct timeval tv; /* wall clock now */

	if (out == NULL)
		return -1;
	out[0] = '\0';
	if (gettimeofday(&tv, NULL) != 0 || tv.tv_sec < 0 || tv.tv_usec < 0 ||
	    tv.tv_usec > 999999)
		return -1;
	put_hex_fixed(out, (uint64_t)tv.tv_sec, 8);
	put_hex_fixed(out + 8, (uint64_t)tv.tv_usec, 5);
	if (crypto_random_hex(out + 13, 7) != 0) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

/* Lower-case hex of in[0..n) into out, which holds 2n + 1 bytes. */
void
crypto_hex(const uint8_t *in, size_t n, char *out)
{
	size_t i; /* input index */

	for (i = 0; i < n; i++) {
		out[2 * i] = hexdig[in[i] >> 4];
		out[2 * i + 1] = hexdig[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

/* SHA-256 of p[0..n) into out. OpenSSL failing here means a broken library;
 * we abort rather than hand back a predictable digest. */
void
crypto_sha256(const void *p, size_t n, uint8_t out[32])
{
	static EVP_MD *md; /* fetched once: OpenSSL 3 looks it up per call otherwise */

	if (p == NULL)
		p = empty_input;
	if (md == NULL && (md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		abort();
	if (EVP_Digest(p, n, out, NULL, md, NULL) != 1)
		abort();
}

/* SHA-256 of p[0..n) as 64 lower-case hex characters and a NUL. */
void
crypto_sha256_hex(const void *p, size_t n, char out[65])
{
	uint8_t md[32]; /* raw digest */

	crypto_sha256(p, n, md);
	crypto_hex(md, sizeof(md), out);
	crypto_wipe(md, sizeof(md));
}

/* HMAC-SHA256(key, msg) into out. A key longer than HMAC_KEY_MAX (OpenSSL
 * takes an int) is first hashed, as RFC 2104 does for any key longer than the
 * block size, so the result is the same. Aborts if OpenSSL fails. */
void
crypto_hmac_sha256(const void *key, size_t klen, const void *msg,
    size_t mlen, uint8_t out[32])
{
	uint8_t khash[32];   /* digest of an over-long key */
	unsigned int olen = 0; /* bytes OpenSSL wrote */

	if (key == NULL || klen == 0) {
		key = empty_input;
		klen = 0;
	}
	if (msg == NULL)
		msg = empty_input;
	if (klen > HMAC_KEY_MAX) {
		crypto_sha256(key, klen, khash);
		key = khash;
		klen = sizeof(khash);
	}
	if (HMAC(EVP_sha256(), key, (int)klen, msg, mlen, out, &olen) == NULL ||
	    olen != 32)
		abort();
	crypto_wipe(khash, sizeof(khash));
}

/* Returns 1 when a[0..n) equals b[0..n), in time depending only on n. */
int
crypto_ct_eq(const void *a, const void *b, size_t n)
{
	if (n == 0)
		return 1;
	return CRYPTO_memcmp(a, b, n) == 0;
}

/* Zeroes p[0..n) with OPENSSL_cleanse, which the compiler cannot elide. */
void
crypto_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		OPENSSL_cleanse(p, n);
}

/* Returns the base64 length of n input bytes (without NUL), or 0 with *ok
 * cleared when it would overflow ssize_t. */
static size_t
b64_enc_len(size_t n, int url, int *ok)
{
	size_t full = n / 3; /* complete 3-byte groups */
	size_t rem = n % 3;  /* bytes in the last partial group */

	*ok = 0;
	if (full > (LK_SSIZE_MAX - 4) / 4)
		return 0;
	*ok = 1;
	if (rem == 0)
		return full * 4;
	return full * 4 + (url ? rem + 1 : 4);
}

/* Base64 encode in[0..n) into out (cap bytes incl. NUL); url selects the
 * URL-safe alphabet without padding. Returns the length written, or -1 when
 * out is too small (out is then "" if cap > 0). */
ssize_t
crypto_b64_encode(const uint8_t *in, size_t n, char *out, size_t cap,
    int url)
{
	const char *abc = url ? b64_url : b64_std; /* alphabet */
	size_t need, i, o = 0;  /* output length; input, output index */
	uint32_t v;             /* 24-bit group */
	size_t rem;             /* bytes in the final group */
	int ok;                 /* length fits */

	need = b64_enc_len(n, url, &ok);
	if (out == NULL || !ok || need >= cap) {
		if (out != NULL && cap > 0)
			out[0] = '\0';
		return -1;
	}
	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = abc[v >> 18];
		out[o++] = abc[(v >> 12) & 0x3f];
		out[o++] = abc[(v >> 6) & 0x3f];
		out[o++] = abc[v & 0x3f];
	}
	rem = n - i;
	if (rem > 0) {
		v = (uint32_t)in[i] << 16;
		if (rem == 2)
			v |= (uint32_t)in[i + 1] << 8;
		out[o++] = abc[v >> 18];
		out[o++] = abc[(v >> 12) & 0x3f];
		if (rem == 2)
			out[o++] = abc[(v >> 6) & 0x3f];
		else if (!url)
			out[o++] = '=';
		if (!url)
			out[o++] = '=';
	}
	out[o] = '\0';
	return (ssize_t)o;
}

/* 1 + the 6-bit value of each base64 character, 0 for a character outside
 * the alphabet: b64_dec_std for the standard alphabet ('+' '/'),
 * b64_dec_url for the URL one ('-' '_'). */
#define B64_LETTERS \
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7, \
	['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, \
	['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, \
	['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24, ['Y'] = 25, \
	['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, \
	['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, \
	['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42, ['q'] = 43, \
	['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49, \
	['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, \
	['3'] = 56, ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, \
	['9'] = 62
static const uint8_t b64_dec_std[256] = { B64_LETTERS, ['+'] = 63, ['/'] = 64 };
static const uint8_t b64_dec_url[256] = { B64_LETTERS, ['-'] = 63, ['_'] = 64 };

/* Returns the 6-bit value of base64 character c in the chosen alphabet, or
 * -1 when c is not in it. */
static inline int
b64_val(unsigned char c, int url)
{
	return (int)(url ? b64_dec_url : b64_dec_std)[c] - 1;
}

/* Checks the padding of in[0..*n): strips up to two trailing '=' and shrinks
 * *n to the data characters. Padding, when present, must bring the total to a
 * multiple of 4 (so "xx==" and "xxx=" only); without padding a data length of
 * 1 mod 4 is impossible. Returns 0, or -1 on bad padding or length. */
static int
b64_strip_pad(const char *in, size_t *n)
{
	size_t total = *n; /* length with padding */
	size_t pad = 0;    /* '=' characters at the end */

	while (pad < total && pad < 3 && in[total - 1 - pad] == '=')
		pad++;
	if (pad > 2 || (pad > 0 && total % 4 != 0))
		return -1;
	*n = total - pad;
	if (*n % 4 == 1)
		return -1;
	return 0;
}

/* Base64 decode in[0..n) into out (cap bytes). Padding is optional but must be
 * correct when present; any other character, and non-zero bits left over in
 * the last character (a non-canonical encoding), are rejected. Returns the
 * decoded length, or -1; on -1 whatever was written to out is wiped. */
ssize_t
crypto_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap,
    int url)
{
	size_t len = n;      /* data characters without padding */
	size_t need;         /* decoded bytes */
	size_t i, o = 0;     /* input and output index */
	uint32_t acc = 0;    /* bit accumulator */
	unsigned bits = 0;   /* valid bits in acc */
	int v;               /* value of one character */
	ssize_t rc = -1;

	if (n > 0 && in == NULL)
		return -1;
	if (b64_strip_pad(in, &len) != 0)
		return -1;
	need = len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1);
	if (need > cap || need > LK_SSIZE_MAX || (need > 0 && out == NULL))
		return -1;
	/* whole groups of four characters: three bytes each */
	for (i = 0; i + 4 <= len; i += 4) {
		int a = b64_val((unsigned char)in[i], url);
		int b = b64_val((unsigned char)in[i + 1], url);
		int c = b64_val((unsigned char)in[i + 2], url);
		int d = b64_val((unsigned char)in[i + 3], url);
		uint32_t g;
		if ((a | b | c | d) < 0)
			goto out;
		g = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
		out[o++] = (uint8_t)(g >> 16);
		out[o++] = (uint8_t)(g >> 8);
		out[o++] = (uint8_t)g;
	}
	for (; i < len; i++) {
		v = b64_val((unsigned char)in[i], url);
		if (v < 0)
			goto out;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0)
		goto out;
	rc = (ssize_t)o;
out:
	if (rc < 0)
		crypto_wipe(out, o);
	return rc;
}

/* Derives the AES-256 key from the configured key string. */
static void seal_key(const char *key, uint8_t k[32])
{
	crypto_sha256(key, strlen(key), k);
}

ssize_t crypto_seal(const char *key, const uint8_t *in, size_t n, uint8_t *out,
    size_t outcap)
{
	EVP_CIPHER_CTX *x = NULL;
	uint8_t k[32];
	int len = 0, fin = 0;
	ssize_t rc = -1;

	if (n > (size_t)INT32_MAX - LK_SEAL_OVERHEAD || outcap < n + LK_SEAL_OVERHEAD ||
	    crypto_random(out, 12) < 0)
		return -1;
	seal_key(key, k);
	if ((x = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex(x, EVP_aes_256_gcm(), NULL, k, out) != 1 ||
	    EVP_EncryptUpdate(x, out + 12, &len, in, (int)n) != 1 ||
	    EVP_EncryptFinal_ex(x, out + 12 + len, &fin) != 1 ||
	    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16, out + 12 + len + fin) != 1)
		goto out;
	rc = 12 + len + fin + 16;
out:
	EVP_CIPHER_CTX_free(x);
	crypto_wipe(k, sizeof k);
	return rc;
}

ssize_t crypto_open(const char *key, const uint8_t *in, size_t n, uint8_t *out,
    size_t outcap)
{
	EVP_CIPHER_CTX *x = NULL;
	uint8_t k[32];
	int len = 0, fin = 0;
	ssize_t rc = -1;
	size_t clen;

	if (n < LK_SEAL_OVERHEAD || n > (size_t)INT32_MAX)
		return -1;
	clen = n - LK_SEAL_OVERHEAD;
	if (outcap < clen + 1)
		return -1;
	seal_key(key, k);
	if ((x = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex(x, EVP_aes_256_gcm(), NULL, k, in) != 1 ||
	    EVP_DecryptUpdate(x, out, &len, in + 12, (int)clen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_TAG, 16, (void *)(uintptr_t)(in + n - 16)) != 1 ||
	    EVP_DecryptFinal_ex(x, out + len, &fin) != 1)
		goto out;
	rc = len + fin;
out:
	EVP_CIPHER_CTX_free(x);
	crypto_wipe(k, sizeof k);
	return rc;
}
