/* fcgi_finish.h: ends a FastCGI request without libfcgi's lingering close
 * when that is safe. Header-only so that the bench floors (bench/) end their
 * requests the same way latchkey does.
 *
 * FCGX_Finish_r closes the connection with shutdown(SHUT_WR) and then waits
 * (up to 2 s) for the web server to close its end, so that bytes the server
 * sent and we never read cannot turn our close into a reset that loses the
 * answer. That wait costs one more sleep and wake-up per request, about a
 * third of a small request's cost behind lighttpd. A reset comes only from
 * unread bytes in the kernel's receive queue; lighttpd and nginx send the
 * whole request (body included) before reading the answer, and the rest of
 * it that we did not read sits in libfcgi's own buffer. So when the socket
 * has nothing left to read at the end, the connection is closed at once
 * (FCGX_Detach: libfcgi then flushes the answer and close()s without the
 * wait); when it has, libfcgi's lingering close runs as before. */
#ifndef LK_FCGI_FINISH_H
#define LK_FCGI_FINISH_H

#include <poll.h>

#include <fcgiapp.h>

static inline void lk_fcgi_finish(FCGX_Request *rq)
{
	struct pollfd p = { rq->ipcFd, POLLIN, 0 };

	if (rq->ipcFd >= 0 && !rq->keepConnection && poll(&p, 1, 0) == 0)
		(void)FCGX_Detach(rq);
	FCGX_Finish_r(rq);
}

#endif
