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
/* Loads the common-password list (one per line) used when a project turns
 * on passwordDictionary. A missing file leaves the list empty (returns -1). */
int pw_dict_load(const char *path);
/* Returns 1 when pw[0..n) is in the list (exact, case-sensitive). */
int pw_dict_has(const char *pw, size_t n);

#endif
