/* totp.h: time-based one-time passwords for MFA authenticators (spec
 * ACCOUNT_ENDPOINTS.md §1.9, E40, E41): RFC 4226 HOTP and RFC 6238 TOTP
 * with HMAC-SHA1, 6 digits, a 30-second step and T0 = 0; the RFC 4648
 * base32 text of their secrets; and the otpauth:// URI an authenticator app
 * scans. No state and no allocation: every output goes to a buffer the
 * caller owns, and every writer checks the caller's bound first. */
#ifndef LK_TOTP_H
#define LK_TOTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TOTP_DIGITS       6   /* digits of a code */
#define TOTP_PERIOD       30  /* seconds per time step */
#define TOTP_KEY_MAX      256 /* longest secret accepted, bytes (Appwrite: 64) */
#define TOTP_SECRET_BYTES 20  /* random bytes of a new secret (160 bits) */
#define TOTP_SECRET_B32   32  /* base32 characters of a new secret */

/* Base32 characters for n bytes, without padding or NUL (n * 8 / 5 rounded
 * up); n must be far below SIZE_MAX / 8. */
#define TOTP_B32_LEN(n) (((n) * 8 + 4) / 5)

/* Base32 encode in[0..n) into out (cap bytes incl. NUL) with the RFC 4648
 * alphabet A-Z 2-7, upper case, WITHOUT '=' padding. Returns the encoded
 * length, or -1 when out is too small (out is then "" if cap > 0). */
ssize_t totp_b32_encode(const uint8_t *in, size_t n, char *out, size_t cap);

/* Base32 decode in[0..n) into out (cap bytes, no NUL added). Accepts upper
 * and lower case; ignores spaces anywhere and up to six '=' after the last
 * data character. Rejects any other byte, '=' before a data character, a
 * data length no encoder produces (1, 3 or 6 mod 8) and non-zero bits left
 * over in the last character, so every accepted text is the canonical
 * encoding of its bytes up to case, spaces and padding. Returns the decoded
 * length, or -1 on bad input or when out is too small (whatever was written
 * to out is then wiped). */
ssize_t totp_b32_decode(const char *in, size_t n, uint8_t *out, size_t cap);

/* Returns the RFC 6238 time step of unix_seconds: floor(t / TOTP_PERIOD),
 * T0 = 0 (negative for times before 1970). */
int64_t totp_step(int64_t unix_seconds);

/* Writes the RFC 4226 HOTP value of key[0..klen) at counter as TOTP_DIGITS
 * zero-padded decimal digits and a NUL. Returns 0, or -1 (out is then "")
 * when the key is empty, longer than TOTP_KEY_MAX or OpenSSL fails. */
int totp_hotp(const uint8_t *key, size_t klen, uint64_t counter,
    char out[TOTP_DIGITS + 1]);

/* The TOTP code of time step `step` (from totp_step): totp_hotp with the
 * step as counter. Returns 0, or -1 (out is then "") for a negative step or
 * any totp_hotp failure. */
int totp_code(const uint8_t *key, size_t klen, int64_t step,
    char out[TOTP_DIGITS + 1]);

/* Returns 1 when the NUL-terminated otp is exactly TOTP_DIGITS ASCII digits
 * and equals the code of exactly this one step (compared with crypto_ct_eq),
 * else 0. Reads at most TOTP_DIGITS + 1 bytes of otp; NULL gives 0. The
 * caller chooses the step: no window of neighbouring steps is tried. */
int totp_verify(const uint8_t *key, size_t klen, const char *otp, int64_t step);

/* E41/E47: returns 1 when otp (NUL-terminated, exactly TOTP_DIGITS ASCII
 * digits) is the code of the current step totp_step(now_s), and that step
 * is after last_step (the last step this authenticator accepted; pass -1 when
 * none), so a code is good once only; then *step_out (when not NULL) is set
 * to the step, which the caller stores as the new last_step. Else returns 0
 * and leaves *step_out alone. The previous and the next step are refused. */
int totp_accept(const uint8_t *key, size_t klen, const char *otp,
    int64_t now_s, int64_t last_step, int64_t *step_out);

/* Writes a new secret: TOTP_SECRET_BYTES bytes from crypto_random encoded
 * as TOTP_SECRET_B32 base32 characters (no padding) and a NUL. Returns 0,
 * or -1 (out is then "") when the kernel gives no randomness. */
int totp_secret_new(char out[TOTP_SECRET_B32 + 1]);

/* Writes the E40 provisioning URI and a NUL into out (cap bytes):
 *   otpauth://totp/<pct(issuer ":" label)>?issuer=<pct(issuer)>&secret=<pct(secret)>
 * where pct percent-encodes every byte outside [A-Za-z0-9-._~] as %XX
 * (upper-case hex, as PHP's rawurlencode), so ':' is %3A, '@' %40 and a
 * space %20. issuer is the project name. The label is the user's email; if
 * that is empty, the phone; if that is empty too, the user id (Appwrite 1.6
 * fails with 500 for a user without an email; spec E40 Q). An empty issuer
 * drops both the "issuer:" prefix and the issuer parameter. The default
 * algorithm (SHA1), digits (6) and period (30) are left out and the query
 * keys are in sorted order. NULL strings count as empty. Returns the URI
 * length, or -1 when it does not fit (out is then "" if cap > 0). */
ssize_t totp_uri(char *out, size_t cap, const char *issuer, const char *email,
    const char *phone, const char *user_id, const char *secret);

#endif
