/* privs.c: dropping root in the processes that face requests or the
 * network (workers, the delivery process). */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

#include "config.h"
#include "privs.h"

int privs_drop(void)
{
	struct passwd *pw;

	if (geteuid() != 0 || cfg.user == NULL || *cfg.user == '\0')
		return 0;
	if ((pw = getpwnam(cfg.user)) == NULL ||
	    initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0 || setuid(0) == 0) {
		fprintf(stderr, "latchkey: cannot drop privileges to %s\n", cfg.user);
		return -1;
	}
	return 0;
}
