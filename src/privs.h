/* privs.h: giving up root (see privs.c). */
#ifndef LK_PRIVS_H
#define LK_PRIVS_H

/* Switches to cfg.user (groups, gid, uid) when running as root with a user
 * configured; makes sure root cannot be regained. Returns 0 or -1. */
int privs_drop(void);

#endif
