/* fuzz_ua.c: libFuzzer harness for ua_parse: any bytes in, every field of
 * struct ua_info NUL-terminated inside its array, the same answer twice
 * (no hidden state). Also replayed by replay.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ua.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_ua: check failed: %s (line %d)\n", #cond, \
	    __LINE__); abort(); } } while (0)

/* Checks that field f (an array) holds a NUL. */
#define TERMINATED(f) FUZZ_CHECK(memchr((f), '\0', sizeof(f)) != NULL)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ua_info u, v;
	char *copy = malloc(size ? size : 1);   /* exact size: overreads show */

	FUZZ_CHECK(copy != NULL);
	memcpy(copy, data, size);
	memset(&u, 0x5a, sizeof u);
	ua_parse(copy, size, &u);
	TERMINATED(u.os_code);
	TERMINATED(u.os_name);
	TERMINATED(u.os_version);
	TERMINATED(u.client_type);
	TERMINATED(u.client_code);
	TERMINATED(u.client_name);
	TERMINATED(u.client_version);
	TERMINATED(u.client_engine);
	TERMINATED(u.client_engine_version);
	TERMINATED(u.device_name);
	TERMINATED(u.device_brand);
	TERMINATED(u.device_model);
	memset(&v, 0, sizeof v);
	ua_parse(copy, size, &v);
	FUZZ_CHECK(strcmp(u.os_name, v.os_name) == 0);
	FUZZ_CHECK(strcmp(u.client_name, v.client_name) == 0);
	FUZZ_CHECK(strcmp(u.client_version, v.client_version) == 0);
	FUZZ_CHECK(strcmp(u.device_model, v.device_model) == 0);
	free(copy);
	return 0;
}
