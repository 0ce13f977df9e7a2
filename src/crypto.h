/* crypto.h: randomness, hashing, encodings and constant-time helpers.
 * Backed by getrandom(2) and OpenSSL libcrypto; no state, no allocation. */
#ifndef LK_CRYPTO_H
#define LK_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Fills buf with n bytes from getrandom(); returns 0, or -1 on failure. */
int crypto_random(void *buf, size_t n);

/* Writes n random lower-case hex characters and a NUL to out (size n+1).
 * Returns 0 or -1. */
int crypto_random_hex(char *out, size_t n);

/* Writes n random decimal digits (each uniform 0-9, no modulo bias) and a NUL. */
int crypto_random_digits(char *out, size_t n);

/* Writes a 20-char Appwrite-style ID (8 hex seconds, 5 hex microseconds,
 * 7 random hex) and a NUL to out. Returns 0 or -1. */
int crypto_unique_id(char out[21]);

/* Lower-case hex of in[0..n) into out (size 2n+1, NUL-terminated). */
void crypto_hex(const uint8_t *in, size_t n, char *out);

/* SHA-256 of p[0..n) as raw bytes / as 64 lower-case hex chars + NUL. */
void crypto_sha256(const void *p, size_t n, uint8_t out[32]);
void crypto_sha256_hex(const void *p, size_t n, char out[65]);

/* HMAC-SHA256(key, msg) into out. */
void crypto_hmac_sha256(const void *key, size_t klen, const void *msg,
    size_t mlen, uint8_t out[32]);

/* Returns 1 when a and b (n bytes each) are equal, in time independent of
 * their contents; else 0. */
int crypto_ct_eq(const void *a, const void *b, size_t n);

/* Zeroes n bytes at p in a way the compiler cannot remove. */
void crypto_wipe(void *p, size_t n);

/* Base64 encode in[0..n) into out (cap bytes incl. NUL). url != 0 selects the
 * URL-safe alphabet without padding, else standard with '=' padding.
 * Returns the encoded length, or -1 when out is too small. */
ssize_t crypto_b64_encode(const uint8_t *in, size_t n, char *out, size_t cap,
    int url);

/* Base64 decode in[0..n) into out (cap bytes). url != 0: URL-safe alphabet,
 * padding optional; else standard alphabet, padding optional but must be
 * correct if present. Returns decoded length, or -1 on bad input or small out. */
ssize_t crypto_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap,
    int url);



/* Authenticated encryption for secrets at rest: AES-256-GCM under
 * SHA-256(key). Output is nonce(12) || ciphertext || tag(16), so
 * outcap must be >= n + LK_SEAL_OVERHEAD. Returns the sealed length or -1. */
#define LK_SEAL_OVERHEAD 28
ssize_t crypto_seal(const char *key, const uint8_t *in, size_t n, uint8_t *out,
    size_t outcap);
/* Opens a sealed blob; returns the plaintext length, or -1 when it was
 * tampered with, sealed under another key, or out is too small. */
ssize_t crypto_open(const char *key, const uint8_t *in, size_t n, uint8_t *out,
    size_t outcap);

#endif
