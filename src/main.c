/* main.c: the latchkey master: reads the configuration, opens or inherits
 * the FastCGI socket, preforks workers, respawns the ones that die, recycles
 * them, stops gracefully on SIGTERM and reloads on SIGHUP. Also runs the
 * schema migrations (`latchkey migrate`). */
#include "autoconf.h" /* first: _GNU_SOURCE */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "config.h"
#include "arena.h"
#include "db.h"
#include "pw.h"
#include "privs.h"
#include "worker.h"

#define MAX_WORKERS 256

static pid_t workers[MAX_WORKERS];        /* live worker pids, 0 = free slot */
static pid_t delivery_pid;                /* the delivery process, 0 = none */
static volatile sig_atomic_t got_term;    /* SIGTERM/SIGINT received */
static volatile sig_atomic_t got_hup;     /* SIGHUP received */
static volatile sig_atomic_t got_chld;    /* SIGCHLD received */
static const char *config_file;           /* -c argument or LATCHKEY_CONFIG */
static struct db_conf dbc;                /* connection parameters */

/* Records a signal for the master loop. */
static void on_signal(int sig)
{
	if (sig == SIGTERM || sig == SIGINT)
		got_term = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGCHLD)
		got_chld = 1;
}

/* Fills the database parameters from cfg. */
static void setup_db(void)
{
	config_db_conf(&dbc);
	db_configure(&dbc);
}

/* Loads the configuration; prints why it failed. Returns 0 or -1. */
static int load_config(void)
{
	char err[256];

	if (config_load(config_file, err, sizeof err) < 0) {
		fprintf(stderr, "latchkey: configuration: %s\n", err);
		return -1;
	}
	setup_db();
	return 0;
}

/* Keeps migration files named NNN_*.sql. */
static int is_migration(const struct dirent *d)
{
	const char *n = d->d_name;
	size_t l = strlen(n);

	return l > 8 && n[0] >= '0' && n[0] <= '9' && n[1] >= '0' && n[1] <= '9' &&
	    n[2] >= '0' && n[2] <= '9' && n[3] == '_' && strcmp(n + l - 4, ".sql") == 0;
}

/* Reads a whole file into a malloc'd buffer (caller frees). */
static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long len;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    len < 4 * 1024 * 1024 && fseek(f, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)len + 1)) != NULL) {
		*n = fread(b, 1, (size_t)len, f);
		b[*n] = '\0';
	}
	fclose(f);
	return b;
}

/* Applies every migration not yet recorded. Returns the exit status. */
static int migrate(void)
{
	struct dirent **list = NULL;
	struct arena a;
	int n, i, rc = 0;

	db_migrate_mode();
	if (arena_init(&a, 1024 * 1024) < 0)
		return 1;
	if (db_script(SQL_MIGRATIONS_CREATE, strlen(SQL_MIGRATIONS_CREATE)) != DB_OK) {
		fprintf(stderr, "latchkey: migrate: cannot reach the database\n");
		arena_free(&a);
		return 1;
	}
	if ((n = scandir(cfg.schema_dir, &list, is_migration, alphasort)) < 0) {
		fprintf(stderr, "latchkey: migrate: cannot read %s\n", cfg.schema_dir);
		arena_free(&a);
		return 1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		char path[4096], *sql;
		size_t len = 0;
		struct dbres seen;
		struct dbv v[] = { DVS(list[i]->d_name) };

		arena_reset(&a);
		if (db_exec_once(SQL_MIGRATION_SEEN, v, 1, &seen, &a) != DB_OK) {
			rc = 1;
			break;
		}
		if (seen.nrows)
			continue;
		snprintf(path, sizeof path, "%s/%s", cfg.schema_dir, list[i]->d_name);
		if ((sql = slurp(path, &len)) == NULL) {
			fprintf(stderr, "latchkey: migrate: cannot read %s\n", path);
			rc = 1;
			break;
		}
		/* every statement of a migration is idempotent (IF NOT EXISTS), so
		 * a run cut short is simply run again */
		if (db_script(sql, len) != DB_OK ||
		    db_exec_once(SQL_MIGRATION_RECORD, v, 1, NULL, &a) != DB_OK) {
			fprintf(stderr, "latchkey: migrate: %s failed\n", list[i]->d_name);
			rc = 1;
		} else
			printf("migrated %s\n", list[i]->d_name);
		free(sql);
	}
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	arena_free(&a);
	db_close();
	return rc;
}

/* Opens the listening socket: cfg.listen, or the inherited fd 0. */
static int open_listener(void)
{
	struct stat st;
	int fd;

	if (cfg.listen == NULL) {
		if (fstat(0, &st) == 0 && S_ISSOCK(st.st_mode))
			return 0;
		fprintf(stderr, "latchkey: no listen address and fd 0 is not a socket\n");
		return -1;
	}
	if (cfg.listen[0] == '/')
		unlink(cfg.listen);
	if ((fd = FCGX_OpenSocket(cfg.listen, 1024)) < 0) {
		fprintf(stderr, "latchkey: cannot listen on %s\n", cfg.listen);
		return -1;
	}
	if (cfg.listen[0] == '/')
		chmod(cfg.listen, (mode_t)cfg.socket_mode);
	return fd;
}


/* Forks a worker into slot i. */
static void spawn(int i, int fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct sigaction sa;
		/* only the workers, which face requests, give up root; the master
		 * keeps it to re-read its configuration and remove its socket */
		if (privs_drop() < 0)
			_exit(1);
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = SIG_DFL;
		sigaction(SIGCHLD, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* exit(), not _exit(): LeakSanitizer checks at normal exit */
		exit(worker_run(fd));
	}
	if (pid > 0)
		workers[i] = pid;
	else
		syslog(LOG_ERR, "fork failed: %s", strerror(errno));
}

/* Starts the delivery process: the latchkey-delivery program next to this
 * one (a separate program, so that request workers never load libcurl),
 * which sends the outbox so that no request waits on SMTP. */
static void spawn_delivery(void)
{
	static char path[4096];
	pid_t pid;

	if (!cfg.delivery)
		return;
	if (path[0] == '\0') {
		ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
		char *slash;
		if (n <= 0 || (slash = memrchr(path, '/', (size_t)n)) == NULL) {
			syslog(LOG_ERR, "cannot find my own program; no delivery process");
			return;
		}
		snprintf(slash + 1, sizeof path - (size_t)(slash + 1 - path), "latchkey-delivery");
	}
	if ((pid = fork()) == 0) {
		struct sigaction sa;
		sigset_t none;
		static char a0[] = "latchkey-delivery", a1[] = "-c", a2[4096];
		char *argv[] = { a0, a1, a2, NULL };
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = SIG_DFL;
		sigaction(SIGCHLD, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (config_file == NULL)
			argv[1] = NULL;
		else
			snprintf(a2, sizeof a2, "%s", config_file);
		/* it reads the configuration (secrets) itself, then drops root */
		execv(path, argv);
		syslog(LOG_ERR, "cannot run %s", path);
		_exit(127);
	}
	delivery_pid = pid > 0 ? pid : 0;
}

/* Sends sig to every worker. */
static void signal_workers(int sig)
{
	int i;

	for (i = 0; i < MAX_WORKERS; i++)
		if (workers[i] > 0)
			kill(workers[i], sig);
	if (delivery_pid > 0)
		kill(delivery_pid, sig);
}

/* Reaps dead workers; respawns them unless stopping. */
static void reap(int fd, int respawn)
{
	pid_t pid;
	int st, i;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == delivery_pid) {
			delivery_pid = 0;
			if (WIFSIGNALED(st))
				syslog(LOG_WARNING, "delivery process killed by signal %d", WTERMSIG(st));
			if (respawn)
				spawn_delivery();
			continue;
		}
		for (i = 0; i < MAX_WORKERS; i++)
			if (workers[i] == pid) {
				workers[i] = 0;
				if (WIFSIGNALED(st))
					syslog(LOG_WARNING, "worker %d killed by signal %d",
					    (int)pid, WTERMSIG(st));
				if (respawn && i < cfg.workers)
					spawn(i, fd);
			}
	}
}

/* Returns the number of live workers. */
static int live_workers(void)
{
	int i, n = 0;

	for (i = 0; i < MAX_WORKERS; i++)
		n += workers[i] > 0;
	return n + (delivery_pid > 0);
}

/* The master loop. Returns the exit status. */
static int serve(void)
{
	struct sigaction sa;
	sigset_t block, old;
	int fd, i;
	time_t deadline;

	fprintf(stderr, "latchkey: starting (pid %d)\n", (int)getpid());
	if ((fd = open_listener()) < 0)
		return 1;
	if (pw_init((unsigned)cfg.argon2_memory, (unsigned)cfg.argon2_time,
	    (unsigned)cfg.argon2_threads) < 0) {
		fprintf(stderr, "latchkey: argon2 self-test failed\n");
		return 1;
	}
	/* at most one argon2 hash per core at a time, however many workers */
	{
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		if (pw_limit_init(cores > 0 ? (int)cores : 1) < 0)
			syslog(LOG_WARNING, "argon2 concurrency cap unavailable");
	}
	/* password_dictionary: files of common passwords, comma-separated */
	if (cfg.password_dictionary) {
		const char *p = cfg.password_dictionary;
		while (*p) {
			size_t n = strcspn(p, ",");
			char path[4096];
			snprintf(path, sizeof path, "%.*s", (int)n, p);
			if (n > 0 && n < sizeof path && pw_dict_load(path) < 0)
				syslog(LOG_WARNING, "password dictionary %s not found", path);
			p += n + (p[n] == ',');
		}
	}
	if (cfg.pidfile) {
		FILE *f = fopen(cfg.pidfile, "w");
		if (f) {
			fprintf(f, "%d\n", (int)getpid());
			fclose(f);
		}
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	for (i = 0; i < cfg.workers && i < MAX_WORKERS; i++)
		spawn(i, fd);
	spawn_delivery();
	fprintf(stderr, "latchkey: serving with %ld workers\n", cfg.workers);
	while (!got_term) {
		sigsuspend(&old);
		if (got_chld) {
			got_chld = 0;
			reap(fd, 1);
		}
		if (got_hup) {
			got_hup = 0;
			if (load_config() == 0) {
				syslog(LOG_INFO, "configuration reloaded");
				/* old workers finish their request and exit; reap()
				 * starts new ones with the new configuration */
				signal_workers(SIGTERM);
			}
		}
	}
	signal_workers(SIGTERM);
	deadline = time(NULL) + 30;
	sigprocmask(SIG_SETMASK, &old, NULL);
	while (live_workers() > 0 && time(NULL) < deadline) {
		reap(fd, 0);
		if (live_workers() > 0)
			usleep(50000);
	}
	signal_workers(SIGKILL);
	reap(fd, 0);
	if (cfg.listen && cfg.listen[0] == '/')
		unlink(cfg.listen);
	if (cfg.pidfile)
		unlink(cfg.pidfile);
	return 0;
}

/* Prints usage. */
static int usage(void)
{
	fprintf(stderr, "usage: latchkey [-c config] [serve|migrate|version]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *cmd = "serve";
	int i;

	openlog("latchkey", LOG_PID | LOG_PERROR, LOG_DAEMON);
	config_file = getenv("LATCHKEY_CONFIG");
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			config_file = argv[++i];
		else if (argv[i][0] != '-')
			cmd = argv[i];
		else
			return usage();
	}
	if (strcmp(cmd, "version") == 0) {
		printf("latchkey %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (load_config() < 0)
		return 1;
	if (strcmp(cmd, "migrate") == 0)
		return migrate();
	if (strcmp(cmd, "serve") == 0)
		return serve();
	return usage();
}
