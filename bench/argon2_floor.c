/* argon2_floor.c: floor (c) of bench/run: argon2id hashes per second with
 * latchkey's configured costs, one process per core (Debian's libargon2, the
 * library latchkey links).
 *
 *   argon2_floor [-p PROCS] [-s SECONDS] [-m KIB] [-t PASSES] [-l LANES]
 *
 * Defaults: one process per online core, 5 s, m=7168 KiB, t=5, p=1 (the
 * defaults of latchkey's argon2_memory, argon2_time, argon2_threads).  Each
 * process hashes a password with a fresh salt in a loop until the time is
 * up; the count of finished hashes over the elapsed time is printed as
 *   procs=2 seconds=5.01 hashes=634 hashes_per_s=126.5 ms_per_hash=15.8
 *   cpu_ms_per_hash=15.6 m=7168 t=5 p=1
 * ms_per_hash is wall time per hash and process; cpu_ms_per_hash is the CPU
 * time the processes used per hash (getrusage), which load from elsewhere on
 * the machine does not inflate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <argon2.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long procs = sysconf(_SC_NPROCESSORS_ONLN);
	double seconds = 5, t0, t1;
	unsigned m = 7168, t = 5, p = 1;
	long i, total = 0;
	int fds[2], opt;

	while ((opt = getopt(argc, argv, "p:s:m:t:l:")) != -1) {
		switch (opt) {
		case 'p': procs = atol(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'm': m = (unsigned)atoi(optarg); break;
		case 't': t = (unsigned)atoi(optarg); break;
		case 'l': p = (unsigned)atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-p procs] [-s seconds] [-m kib] [-t passes] [-l lanes]\n",
			    argv[0]);
			return 2;
		}
	}
	if (procs < 1 || seconds <= 0 || pipe(fds) < 0)
		return 2;
	t0 = now_s();
	for (i = 0; i < procs; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			unsigned char salt[16];
			char enc[256];
			const char pw[] = "correct horse battery staple";
			long n = 0;
			double end = t0 + seconds;
			close(fds[0]);
			srand((unsigned)getpid());
			do {
				int k;
				for (k = 0; k < 16; k++)
					salt[k] = (unsigned char)rand();
				if (argon2id_hash_encoded(t, m, p, pw, sizeof pw - 1, salt,
				    sizeof salt, 32, enc, sizeof enc) != ARGON2_OK)
					_exit(1);
				n++;
			} while (now_s() < end);
			if (write(fds[1], &n, sizeof n) != sizeof n)
				_exit(1);
			_exit(0);
		}
	}
	close(fds[1]);
	for (i = 0; i < procs; i++) {
		long n;
		if (read(fds[0], &n, sizeof n) == sizeof n)
			total += n;
	}
	while (wait(NULL) > 0)
		;
	t1 = now_s();
	{
		struct rusage ru;
		double cpu = 0;
		if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
			cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
			    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
		printf("procs=%ld seconds=%.2f hashes=%ld hashes_per_s=%.1f ms_per_hash=%.2f "
		    "cpu_ms_per_hash=%.2f m=%u t=%u p=%u\n", procs, t1 - t0, total,
		    (double)total / (t1 - t0),
		    total ? (t1 - t0) * 1000.0 * (double)procs / (double)total : 0.0,
		    total ? cpu * 1000.0 / (double)total : 0.0, m, t, p);
	}
	return 0;
}
