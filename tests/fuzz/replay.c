/* replay.c: a plain main() for the fuzz harnesses, so `make check` replays
 * their corpora without clang or libFuzzer. Every argument is a file or a
 * directory; each regular file (directories: each file inside, dot files
 * skipped, not recursive) is read whole and fed once to
 * LLVMFuzzerTestOneInput. A harness finding aborts the process, which fails
 * the test. Exit status 0 when every input ran, 1 on an unreadable argument
 * or when no input was found. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads path whole and runs the harness on it. Returns 0 or -1. */
static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;     /* the input, exactly its size */
	struct stat st;
	size_t n;
	int rc = -1;

	if (f == NULL || fstat(fileno(f), &st) < 0 || st.st_size < 0)
		goto out;
	n = (size_t)st.st_size;
	if ((data = malloc(n ? n : 1)) == NULL || fread(data, 1, n, f) != n)
		goto out;
	(void)LLVMFuzzerTestOneInput(data, n);
	rc = 0;
out:
	if (rc < 0)
		fprintf(stderr, "replay: cannot read %s\n", path);
	free(data);
	if (f)
		fclose(f);
	return rc;
}

/* Runs every regular file of directory dir; *count grows by the number
 * run. Returns 0 or -1. */
static int
run_dir(const char *dir, int *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	char path[4096];
	int rc = 0;

	if (d == NULL) {
		fprintf(stderr, "replay: cannot open %s\n", dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >=
		    sizeof path || stat(path, &st) < 0) {
			rc = -1;
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (run_file(path) < 0)
			rc = -1;
		else
			(*count)++;
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	struct stat st;
	int i, count = 0, rc = 0;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: no such file %s\n", argv[i]);
			rc = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i], &count) < 0)
				rc = 1;
		} else if (run_file(argv[i]) < 0)
			rc = 1;
		else
			count++;
	}
	printf("replay: %d inputs from %d argument(s)\n", count, argc - 1);
	return rc != 0 || count == 0 ? 1 : 0;
}
