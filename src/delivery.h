/* delivery.h: the delivery process (see delivery.c). */
#ifndef LK_DELIVERY_H
#define LK_DELIVERY_H

/* Sends the outbox until SIGTERM. Returns an exit status. */
int delivery_run(void);

#endif
