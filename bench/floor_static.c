/* floor_static.c: floor (a) of bench/run: a FastCGI program that answers
 * every request with a fixed JSON body and the same headers latchkey sends.
 * Run it the way latchkey runs: N prefork processes accepting on one unix
 * socket (spawn-fcgi -F N), behind lighttpd with latchkey's configuration. */
#include <stdlib.h>

#include <fcgiapp.h>

#include "fcgi_finish.h" /* latchkey's way of ending a request */

static const char body[] =
    "{\"$id\":\"floor\",\"name\":\"Floor\",\"email\":\"floor@bench.test\",\"status\":true}";

int main(void)
{
	FCGX_Request rq;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&rq, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&rq) >= 0) {
		FCGX_PutS("Status: 200 OK\r\n"
		    "Content-Type: application/json; charset=UTF-8\r\n"
		    "X-Content-Type-Options: nosniff\r\n"
		    "Cache-Control: no-cache, no-store, must-revalidate\r\n"
		    "Expires: 0\r\nPragma: no-cache\r\n\r\n", rq.out);
		FCGX_PutStr(body, (int)sizeof body - 1, rq.out);
		lk_fcgi_finish(&rq);
	}
	return 0;
}
