/* fuzz_base32.c: libFuzzer harness for the base32 codec of totp.c (TOTP
 * secrets) and the URI writer beside it. Every input is used three ways:
 * 1: as base32 text: totp_b32_decode must stay inside an exact-size copy
 *    and its output buffer; when it accepts, the bytes re-encode to the
 *    input upper-cased without spaces and '=' (the decoder accepts only
 *    canonical text), that encoding decodes to the same bytes, and one byte
 *    less of room is refused;
 * 2: as raw bytes: encoding gives TOTP_B32_LEN characters that decode back;
 * 3: as a NUL-terminated issuer and email for totp_uri into a buffer whose
 *    size the first byte picks: the answer is the string's length or -1
 *    with "".
 * Also replayed by replay.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "totp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_base32: check failed: %s (line %d)\n", #cond, \
	    __LINE__); abort(); } } while (0)

/* Largest input tried: decoding and URIs are linear, longer adds nothing. */
#define FUZZ_MAX 4096

/* Writes in[0..n) upper-cased without spaces and '=' into out (n bytes);
 * returns the length. */
static size_t
normalise(const char *in, size_t n, char *out)
{
	size_t i, o = 0; /* input and output index */

	for (i = 0; i < n; i++) {
		char c = in[i];
		if (c == ' ' || c == '=')
			continue;
		out[o++] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
	}
	return o;
}

/* Mode 1: decode text[0..n) and check the round trip. */
static void
decode_text(const char *text, size_t n)
{
	uint8_t *dec = malloc(n ? n : 1), *again = malloc(n ? n : 1);
	char *enc = malloc(n + 1), *norm = malloc(n ? n : 1);
	ssize_t d, e;   /* decoded and re-encoded lengths */
	size_t nn;      /* normalised length */

	FUZZ_CHECK(dec && again && enc && norm);
	d = totp_b32_decode(text, n, dec, n);
	if (d < 0)
		goto out;
	FUZZ_CHECK((size_t)d <= n * 5 / 8);
	e = totp_b32_encode(dec, (size_t)d, enc, n + 1);
	FUZZ_CHECK(e >= 0 && (size_t)e == TOTP_B32_LEN((size_t)d));
	nn = normalise(text, n, norm);
	FUZZ_CHECK((size_t)e == nn && memcmp(enc, norm, nn) == 0);
	FUZZ_CHECK(totp_b32_decode(enc, (size_t)e, again, n) == d);
	FUZZ_CHECK(memcmp(again, dec, (size_t)d) == 0);
	if (d > 0)
		FUZZ_CHECK(totp_b32_decode(text, n, again, (size_t)d - 1) == -1);
out:
	free(dec);
	free(again);
	free(enc);
	free(norm);
}

/* Mode 2: encode raw[0..n) and decode it back. */
static void
encode_raw(const uint8_t *raw, size_t n)
{
	size_t len = TOTP_B32_LEN(n); /* expected encoded length */
	char *enc = malloc(len + 1);
	uint8_t *back = malloc(n ? n : 1);

	FUZZ_CHECK(enc && back);
	FUZZ_CHECK(totp_b32_encode(raw, n, enc, len) == -1);
	FUZZ_CHECK(totp_b32_encode(raw, n, enc, len + 1) == (ssize_t)len);
	FUZZ_CHECK(strlen(enc) == len);
	FUZZ_CHECK(totp_b32_decode(enc, len, back, n) == (ssize_t)n);
	FUZZ_CHECK(n == 0 || memcmp(back, raw, n) == 0);
	free(enc);
	free(back);
}

/* Mode 3: the input as issuer and email of a URI in a buffer of cap bytes. */
static void
uri(const char *s, size_t cap)
{
	char *out = malloc(cap ? cap : 1); /* exact size: overruns show */
	ssize_t n;

	FUZZ_CHECK(out != NULL);
	n = totp_uri(out, cap, s, s, NULL, NULL, "JBSWY3DPEHPK3PXP");
	if (cap == 0)
		FUZZ_CHECK(n == -1);
	else if (n < 0)
		FUZZ_CHECK(n == -1 && out[0] == '\0');
	else
		FUZZ_CHECK((size_t)n < cap && strlen(out) == (size_t)n);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size > FUZZ_MAX)
		return 0;
	/* exact-size copy: reads past the input show up under ASan */
	if ((text = malloc(size ? size : 1)) == NULL)
		abort();
	memcpy(text, data, size);
	decode_text(text, size);
	encode_raw(data, size);
	free(text);
	/* NUL-terminated copy for the URI; its size scales with the input */
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	uri(text, size == 0 ? 0 : (size_t)data[0] * 4);
	free(text);
	return 0;
}
