/* timeutil.h: the clock and the two datetime formats latchkey speaks:
 * database 'YYYY-MM-DD HH:MM:SS.mmm' and Appwrite's
 * 'YYYY-MM-DDTHH:MM:SS.mmm+00:00'. Always UTC. */
#ifndef LK_TIMEUTIL_H
#define LK_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define LK_DBTIME_LEN 24  /* "YYYY-MM-DD HH:MM:SS.mmm" + NUL */
#define LK_ISOTIME_LEN 30 /* "YYYY-MM-DDTHH:MM:SS.mmm+00:00" + NUL */

/* Milliseconds since the epoch. */
int64_t time_now_ms(void);
/* Formats ms into the database / Appwrite format. */
void time_db(int64_t ms, char out[LK_DBTIME_LEN]);
void time_iso(int64_t ms, char out[LK_ISOTIME_LEN]);
/* Appwrite's format from broken-down UTC fields (ms: milliseconds). */
void time_fields_iso(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi,
    unsigned s, unsigned ms, char out[LK_ISOTIME_LEN]);
/* Formats the current time with microseconds ('YYYY-MM-DD HH:MM:SS.uuuuuu'). */
void time_db_us(char out[40]);
/* Parses an ISO 8601 date-time 'YYYY-MM-DD[T ]HH:MM:SS[.fff][Z|+HH:MM]'
 * (Appwrite's format included); returns 0 and sets *ms, or -1. */
int time_parse_iso(const char *s, int64_t *ms);

#endif
