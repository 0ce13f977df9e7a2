/* delivery_main.c: latchkey-delivery, started by the latchkey master: reads
 * the same configuration, drops root, and sends the outbox (delivery.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <syslog.h>

#include "config.h"
#include "db.h"
#include "delivery.h"
#include "privs.h"

int main(int argc, char **argv)
{
	const char *file = getenv("LATCHKEY_CONFIG");
	struct db_conf dbc;
	char err[256];

	openlog("latchkey-delivery", LOG_PID | LOG_PERROR, LOG_DAEMON);
	if (argc == 3 && strcmp(argv[1], "-c") == 0)
		file = argv[2];
	else if (argc != 1) {
		fprintf(stderr, "usage: latchkey-delivery [-c config]\n");
		return 2;
	}
	if (config_load(file, err, sizeof err) < 0) {
		fprintf(stderr, "latchkey-delivery: configuration: %s\n", err);
		return 1;
	}
	if (privs_drop() < 0)
		return 1;
	/* shown as "lk-delivery" by ps and /proc/PID/comm */
	prctl(PR_SET_NAME, "lk-delivery", 0, 0, 0);
	config_db_conf(&dbc);
	db_configure(&dbc);
	return delivery_run();
}
