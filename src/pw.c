/* pw.c: argon2id hashing and verification (see pw.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>

#include "crypto.h"
#include "pw.h"

static unsigned cost_m = 7168, cost_t = 5, cost_p = 1; /* new-hash costs */
static char dummy[LK_PW_HASH_MAX];  /* hash of a random password */
static char options_json[128];      /* hashOptions of new hashes */

int pw_init(unsigned m_kib, unsigned t, unsigned p)
{
	char rnd[33];

	cost_m = m_kib;
	cost_t = t;
	cost_p = p;
	snprintf(options_json, sizeof options_json,
	    "{\"type\":\"argon2\",\"memoryCost\":%u,\"timeCost\":%u,\"threads\":%u}",
	    m_kib, t, p);
	if (crypto_random_hex(rnd, 32) < 0)
		return -1;
	return pw_hash(rnd, 32, dummy);
}

int pw_hash(const char *pw, size_t n, char out[LK_PW_HASH_MAX])
{
	unsigned char salt[16];
	int rc;

	if (crypto_random(salt, sizeof salt) < 0)
		return -1;
	rc = argon2id_hash_encoded(cost_t, cost_m, cost_p, pw, n, salt,
	    sizeof salt, 32, out, LK_PW_HASH_MAX);
	return rc == ARGON2_OK ? 0 : -1;
}

int pw_verify(const char *hash, const char *pw, size_t n)
{
	if (hash == NULL || n == 0)
		return 0;
	if (strncmp(hash, "$argon2id$", 10) == 0)
		return argon2id_verify(hash, pw, n) == ARGON2_OK;
	if (strncmp(hash, "$argon2i$", 9) == 0)
		return argon2i_verify(hash, pw, n) == ARGON2_OK;
	return 0;
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

/* qsort/bsearch comparator over char* entries. */
static int dict_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int pw_dict_load(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t cap = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f)) {
		size_t n = strcspn(line, "\r\n");
		char **nd;
		line[n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (dict_n == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((nd = realloc(dict, cap * sizeof *dict)) == NULL)
				break;
			dict = nd;
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
