/* pw.c: argon2id hashing and verification (see pw.h). */
#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>

#include "crypto.h"
#include "pw.h"

static unsigned cost_m = 7168, cost_t = 5, cost_p = 1; /* new-hash costs */
static char dummy[LK_PW_HASH_MAX];  /* hash of a random password */
static char options_json[128];      /* hashOptions of new hashes */

#define HUGE_2M ((size_t)2 << 20)   /* transparent huge page size */
#define PW_HASH_LEN 32              /* raw hash bytes of new hashes */
#define PW_MAX_HASH 128             /* longest raw hash we verify */
#define PW_MAX_SALT 64              /* longest salt we verify */
#define PW_MAX_MEM (4u << 20)       /* KiB: refuse absurd stored costs (4 GiB) */

/* argon2's working memory comes from its own 2 MiB-aligned mapping, asked
 * for huge pages, so the 7 MiB never sits in a worker's heap. A fresh
 * mapping costs the kernel zeroing every page (about 0.3 ms of the 12 ms
 * hash, measured), so the mapping is kept from one hash to the next while
 * the worker is busy, and handed back by pw_release_memory() once it idles
 * (worker.c calls it from a timer): a busy worker pays no zeroing, an idle
 * one keeps a small resident size. */
static uint8_t *volatile kept;          /* the kept mapping, or NULL (the
                                        * idle timer may unmap it) */
static size_t kept_len;                 /* its length */
static volatile sig_atomic_t kept_busy; /* 1 while argon2 uses it */
static time_t kept_at;                  /* when it was last given back */

/* Seconds of the monotonic clock. */
static time_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static int pw_alloc(uint8_t **memory, size_t bytes)
{
	size_t len = (bytes + HUGE_2M - 1) & ~(HUGE_2M - 1);
	uint8_t *raw, *aligned;
	size_t head;

	if (kept != NULL && kept_len == len && !kept_busy) {
		kept_busy = 1;
		*memory = kept;
		return 0;
	}
	raw = mmap(NULL, len + HUGE_2M, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return -1;
	aligned = (uint8_t *)(((uintptr_t)raw + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1));
	head = (size_t)(aligned - raw);
	if (head)
		munmap(raw, head);
	munmap(aligned + len, HUGE_2M - head);
	(void)madvise(aligned, len, MADV_HUGEPAGE);
	*memory = aligned;
	return 0;
}

/* Takes argon2's working memory back (libargon2 wiped it already): keeps
 * it when nothing is kept yet (or it is the kept one), else unmaps it. */
static void pw_free(uint8_t *memory, size_t bytes)
{
	size_t len = (bytes + HUGE_2M - 1) & ~(HUGE_2M - 1);

	if (memory == kept || kept == NULL) {
		kept_len = len;
		kept = memory;
		kept_busy = 0;
		kept_at = mono_s();
		return;
	}
	munmap(memory, len);
}

int pw_holds_memory(void)
{
	return kept != NULL;
}

int pw_memory_idle(void)
{
	return kept != NULL && mono_s() - kept_at >= 1;
}

void pw_release_memory(void)
{
	int e = errno;

	if (kept != NULL && !kept_busy) {
		munmap(kept, kept_len);
		kept = NULL;
	}
	errno = e;
}

static pthread_mutex_t *slots; /* shared with every worker; NULL = no cap */
static int nslots;             /* how many */
static int held = -1;          /* the slot this process holds, -1 = none */

int pw_limit_init(int n)
{
	pthread_mutexattr_t at;
	int i;

	if (n <= 0)
		return 0;
	slots = mmap(NULL, sizeof *slots * (size_t)n, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED) {
		slots = NULL;
		return -1;
	}
	pthread_mutexattr_init(&at);
	pthread_mutexattr_setpshared(&at, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
	for (i = 0; i < n; i++)
		pthread_mutex_init(&slots[i], &at);
	pthread_mutexattr_destroy(&at);
	nslots = n;
	return 0;
}

/* Locks slot i, taking over one whose holder died. Returns 0 or an errno. */
static int slot_lock(int i, int wait)
{
	int rc = wait ? pthread_mutex_lock(&slots[i]) : pthread_mutex_trylock(&slots[i]);

	if (rc == EOWNERDEAD) {
		pthread_mutex_consistent(&slots[i]);
		rc = 0;
	}
	return rc;
}

void pw_slot_acquire(void)
{
	int i;

	if (slots == NULL || held >= 0)
		return;
	for (i = 0; i < nslots; i++)
		if (slot_lock(i, 0) == 0) {
			held = i;
			return;
		}
	/* all busy: queue on one of them */
	i = (int)(getpid() % nslots);
	if (slot_lock(i, 1) == 0)
		held = i;
}

void pw_slot_release(void)
{
	if (slots == NULL || held < 0)
		return;
	pthread_mutex_unlock(&slots[held]);
	held = -1;
}

/* Computes the raw argon2 hash of pw with the given parameters into out.
 * Returns ARGON2_OK or an argon2 error. */
static int raw_hash(argon2_type type, uint32_t version, uint32_t m, uint32_t t,
    uint32_t p, const char *pw, size_t n, const uint8_t *salt, size_t saltlen,
    uint8_t *out, size_t outlen)
{
	argon2_context x;

	memset(&x, 0, sizeof x);
	x.out = out;
	x.outlen = (uint32_t)outlen;
	x.pwd = (uint8_t *)(uintptr_t)pw;
	x.pwdlen = (uint32_t)n;
	x.salt = (uint8_t *)(uintptr_t)salt;
	x.saltlen = (uint32_t)saltlen;
	x.t_cost = t;
	x.m_cost = m;
	x.lanes = p;
	x.threads = p;
	x.version = version;
	x.allocate_cbk = pw_alloc;
	x.free_cbk = pw_free;
	x.flags = ARGON2_DEFAULT_FLAGS;
	{
		int rc;
		pw_slot_acquire();
		rc = argon2_ctx(&x, type);
		pw_slot_release();
		return rc;
	}
}

/* Base64 without padding (the PHC string alphabet is the standard one). */
static int b64_nopad(const uint8_t *in, size_t n, char *out, size_t cap)
{
	ssize_t k = crypto_b64_encode(in, n, out, cap, 0);

	if (k < 0)
		return -1;
	while (k > 0 && out[k - 1] == '=')
		out[--k] = '\0';
	return 0;
}

int pw_init(unsigned m_kib, unsigned t, unsigned p)
{
	char rnd[33];
	int rc;

	cost_m = m_kib;
	cost_t = t;
	cost_p = p;
	snprintf(options_json, sizeof options_json,
	    "{\"type\":\"argon2\",\"memoryCost\":%u,\"timeCost\":%u,\"threads\":%u}",
	    m_kib, t, p);
	if (crypto_random_hex(rnd, 32) < 0)
		return -1;
	rc = pw_hash(rnd, 32, dummy);
	/* the master forks the workers: none of them inherits the mapping */
	pw_release_memory();
	return rc;
}

int pw_hash(const char *pw, size_t n, char out[LK_PW_HASH_MAX])
{
	uint8_t salt[16], hash[PW_HASH_LEN];
	char s64[32], h64[64];
	int rc = -1;

	if (crypto_random(salt, sizeof salt) < 0 ||
	    raw_hash(Argon2_id, ARGON2_VERSION_13, cost_m, cost_t, cost_p, pw, n,
	    salt, sizeof salt, hash, sizeof hash) != ARGON2_OK ||
	    b64_nopad(salt, sizeof salt, s64, sizeof s64) < 0 ||
	    b64_nopad(hash, sizeof hash, h64, sizeof h64) < 0)
		goto out;
	/* the PHC string libargon2 itself would write */
	if (snprintf(out, LK_PW_HASH_MAX, "$argon2id$v=19$m=%u,t=%u,p=%u$%s$%s",
	    cost_m, cost_t, cost_p, s64, h64) < LK_PW_HASH_MAX)
		rc = 0;
out:
	crypto_wipe(hash, sizeof hash);
	return rc;
}

/* Reads an unsigned decimal at *s (advancing it). Returns -1 when none. */
static long read_uint(const char **s)
{
	long v = 0;
	int digits = 0;

	while (**s >= '0' && **s <= '9' && digits < 10) {
		v = v * 10 + (**s - '0');
		(*s)++;
		digits++;
	}
	return digits ? v : -1;
}

/* The parts of a PHC argon2 string. */
struct phc {
	argon2_type type;            /* i, d or id */
	uint32_t version;            /* 0x10 or 0x13 */
	uint32_t m, t, p;            /* costs */
	uint8_t salt[PW_MAX_SALT];   /* decoded salt */
	size_t saltlen;              /* its length */
	uint8_t hash[PW_MAX_HASH];   /* decoded hash */
	size_t hashlen;              /* its length */
};

/* Parses "$argon2{i,d,id}$[v=N$]m=M,t=T,p=P$salt$hash". Returns 0 or -1. */
static int phc_parse(const char *s, struct phc *h)
{
	const char *dollar;
	long m, t, p, v = 0x10;
	ssize_t k;

	if (strncmp(s, "$argon2id$", 10) == 0) { h->type = Argon2_id; s += 10; }
	else if (strncmp(s, "$argon2i$", 9) == 0) { h->type = Argon2_i; s += 9; }
	else if (strncmp(s, "$argon2d$", 9) == 0) { h->type = Argon2_d; s += 9; }
	else return -1;
	if (strncmp(s, "v=", 2) == 0) {
		s += 2;
		if ((v = read_uint(&s)) < 0 || *s++ != '$')
			return -1;
	}
	if (strncmp(s, "m=", 2) != 0)
		return -1;
	s += 2;
	if ((m = read_uint(&s)) < 0 || strncmp(s, ",t=", 3) != 0)
		return -1;
	s += 3;
	if ((t = read_uint(&s)) < 0 || strncmp(s, ",p=", 3) != 0)
		return -1;
	s += 3;
	if ((p = read_uint(&s)) < 0 || *s++ != '$' || (dollar = strchr(s, '$')) == NULL)
		return -1;
	if ((v != 0x10 && v != 0x13) || m < 8 || (unsigned long)m > PW_MAX_MEM ||
	    t < 1 || t > 1000 || p < 1 || p > 64)
		return -1;
	if ((k = crypto_b64_decode(s, (size_t)(dollar - s), h->salt, sizeof h->salt, 0)) < 8)
		return -1;
	h->saltlen = (size_t)k;
	s = dollar + 1;
	if ((k = crypto_b64_decode(s, strlen(s), h->hash, sizeof h->hash, 0)) < 4)
		return -1;
	h->hashlen = (size_t)k;
	h->version = (uint32_t)v;
	h->m = (uint32_t)m;
	h->t = (uint32_t)t;
	h->p = (uint32_t)p;
	return 0;
}

int pw_verify(const char *hash, const char *pw, size_t n)
{
	struct phc h;
	uint8_t got[PW_MAX_HASH];
	int ok;

	if (hash == NULL || phc_parse(hash, &h) < 0)
		return 0;
	ok = raw_hash(h.type, h.version, h.m, h.t, h.p, pw, n, h.salt, h.saltlen,
	    got, h.hashlen) == ARGON2_OK && crypto_ct_eq(got, h.hash, h.hashlen);
	crypto_wipe(got, sizeof got);
	return ok;
}

void pw_verify_dummy(const char *pw, size_t n)
{
	(void)pw_verify(dummy, pw, n);
}

const char *pw_options_json(void)
{
	return options_json;
}

static char **dict;      /* sorted entries (owned) */
static size_t dict_n;    /* how many */
static size_t dict_cap;  /* allocated entries (every load appends) */

/* qsort/bsearch comparator over char* entries. */
static int dict_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int pw_dict_load(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f)) {
		size_t n = strcspn(line, "\r\n");
		char **nd;
		line[n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (dict_n == dict_cap) {
			size_t cap = dict_cap ? dict_cap * 2 : 1024;
			if ((nd = realloc(dict, cap * sizeof *dict)) == NULL)
				break;
			dict = nd;
			dict_cap = cap;
		}
		if ((dict[dict_n] = strdup(line)) != NULL)
			dict_n++;
	}
	fclose(f);
	if (dict_n)
		qsort(dict, dict_n, sizeof *dict, dict_cmp);
	return 0;
}

int pw_dict_has(const char *pw, size_t n)
{
	char key[LK_PW_HASH_MAX * 2];
	const char *k = key;

	if (dict_n == 0 || n >= sizeof key)
		return 0;
	memcpy(key, pw, n);
	key[n] = '\0';
	return bsearch(&k, dict, dict_n, sizeof *dict, dict_cmp) != NULL;
}
