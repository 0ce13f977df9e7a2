/* api_mfa.h: what the MFA handlers share (api_mfa.c: the switch, factors,
 * the authenticator, recovery codes; api_mfa_challenge.c: challenges). */
#ifndef LK_API_MFA_H
#define LK_API_MFA_H

#include <stdint.h>
#include <sys/types.h>

#include "crypto.h"
#include "ctx.h"
#include "totp.h"

#define NCODES 6           /* recovery codes (spec 6.8) */
#define CODE_HEX 10        /* hex characters of one: 40 bits */
/* sealed JSON array of the codes: ["xxxxxxxxxx",...] */
#define CODES_JSON (NCODES * (CODE_HEX + 3) + 2)
#define CODES_SEALED (CODES_JSON + LK_SEAL_OVERHEAD)

/* The MFA columns of the caller's row (ST_MFA_GET / ST_MFA_LOCK). */
struct mfa_row {
	uint8_t key[TOTP_KEY_MAX]; /* the opened TOTP key */
	ssize_t klen;              /* its length, -1 when none */
	int verified;              /* totp_verified */
	long long last_step;       /* totp_last_step */
	char codes[NCODES][CODE_HEX + 1]; /* unused recovery codes */
	int ncodes;                /* how many, -1 when never generated */
};

/* An answer being checked (a TOTP code at enrolment, a challenge answer). */
struct mfa_try {
	struct ctx *c;         /* request */
	const char *otp;       /* the code */
	const char *factors;   /* out: the session's factors after it */
	enum lk_err e;         /* out: why nothing was done */
	int guessed;           /* out: 1 when a code was compared and was wrong */
};

/* Reads the caller's MFA columns (lock: FOR UPDATE, inside a transaction):
 * the opened TOTP key and the unused recovery codes. */
enum db_rc mfa_read(struct ctx *c, int lock, struct mfa_row *m);
/* Seals n recovery codes for ST_RECOVERY_CODES_*; returns the length or -1. */
ssize_t mfa_seal_codes(char codes[][CODE_HEX + 1], int n, uint8_t out[CODES_SEALED]);
/* The caller's session factors with add[0..n) added once each, as the JSON
 * stored in sessions.factors (arena); NULL when a name is not one. */
const char *mfa_factors_plus(struct ctx *c, const char *const *add, int n);
/* Returns e, counting it against the user when it answers a wrong code
 * (SECURITY.md 3). */
enum lk_err mfa_refused(struct ctx *c, enum lk_err e, int guessed);

#endif
