/* worker.h: one prefork FastCGI worker: accept, parse, dispatch, answer,
 * until told to stop or after max_requests. */
#ifndef LK_WORKER_H
#define LK_WORKER_H

/* Serves requests on listen_fd. Returns the process exit status. */
int worker_run(int listen_fd);

#endif
