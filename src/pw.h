/* pw.h: password hashing with argon2id (libargon2) and verification of
 * stored PHC strings with their own parameters. */
#ifndef LK_PW_H
#define LK_PW_H

#include <stddef.h>

#define LK_PW_HASH_MAX 160 /* PHC string buffer */

/* Sets the cost used for new hashes (KiB, passes, lanes) and precomputes the
 * dummy hash used for unknown accounts. Returns 0 or -1. */
int pw_init(unsigned m_kib, unsigned t, unsigned p);
/* Hashes pw[0..n) into out (PHC string). Returns 0 or -1. */
int pw_hash(const char *pw, size_t n, char out[LK_PW_HASH_MAX]);
/* Returns 1 when pw matches the stored hash (argon2id or argon2i PHC
 * string), 0 otherwise (also for unsupported formats). */
int pw_verify(const char *hash, const char *pw, size_t n);
/* Burns the same time as a real verification (SECURITY.md 4). */
void pw_verify_dummy(const char *pw, size_t n);
/* The hashOptions JSON object describing new hashes. */
const char *pw_options_json(void);
/* Caps how many processes run argon2 at once (the bench measured that
 * twice as many hashes as cores costs throughput). Call in the master
 * before forking: the slots are robust process-shared mutexes, so a worker
 * killed mid-hash frees its slot. slots <= 0 disables the cap. */
int pw_limit_init(int slots);
/* Takes / gives back a slot (pw_hash and pw_verify do this themselves;
 * exported for tests). */
void pw_slot_acquire(void);
void pw_slot_release(void);
/* 1 while argon2's working memory from the last hash is kept for the next;
 * pw_memory_idle(): kept and unused for a second or more. */
int pw_holds_memory(void);
int pw_memory_idle(void);
/* Unmaps the kept working memory unless a hash is using it. Async-signal-
 * safe: worker.c calls it from a timer once the worker idles. */
void pw_release_memory(void);
/* Adds a common-password list (one per line) to those used when a project
 * turns on passwordDictionary; each call appends. A missing file adds
 * nothing (returns -1). */
int pw_dict_load(const char *path);
/* Returns 1 when pw[0..n) is in the list (exact, case-sensitive). */
int pw_dict_has(const char *pw, size_t n);

/* pw_policy.c: a project's password rules (004_password_policy.sql). */
struct pw_policy {
	int dictionary;   /* 1: refuse common passwords (Appwrite's passwordDictionary) */
	int min_length;   /* characters, 8 = Appwrite's floor only */
	int upper;        /* 1: needs A-Z */
	int lower;        /* 1: needs a-z */
	int number;       /* 1: needs 0-9 */
	int symbol;       /* 1: needs ASCII punctuation or a non-ASCII character */
	int min_score;    /* minimum zxcvbn score 1..4, 0 = off */
};
/* Appwrite's message for a password the dictionary refuses (sic). */
#define PW_DICTIONARY_MESSAGE "Password must be between 8 and 265 characters " \
	"long, and should not be one of the commonly used password."
/* 1 when pw[0..n) is common: in the loaded list, or guessed by zxcvbn in
 * fewer than 10,000 tries. */
int pw_common(const char *pw, size_t n);
/* zxcvbn's strength score of pw[0..n), 0 (too guessable) to 4. */
int pw_score(const char *pw, size_t n);
/* NULL when pw[0..n) passes every rule of p, else the message naming the
 * first rule it breaks (a constant, or written into msg). */
const char *pw_policy_check(const struct pw_policy *p, const char *pw, size_t n,
    char *msg, size_t msgn);

#endif
