/* timeutil.c: UTC clock and formats (see timeutil.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timeutil.h"

int64_t time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Splits ms into broken-down UTC time and milliseconds. */
static void split(int64_t ms, struct tm *tm, int *milli)
{
	time_t s = (time_t)(ms / 1000);

	gmtime_r(&s, tm);
	*milli = (int)(ms % 1000);
}

/* Writes v as n decimal digits (zero-padded) at p; returns p + n. */
static char *put_digits(char *p, unsigned v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

/* "YYYY-MM-DD?HH:MM:SS.mmm" with sep between date and time (23 bytes). */
static char *fields(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi,
    unsigned sec, unsigned ms, char sep, char *p)
{
	p = put_digits(p, y % 10000u, 4);
	*p++ = '-';
	p = put_digits(p, mo, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = sep;
	p = put_digits(p, h, 2);
	*p++ = ':';
	p = put_digits(p, mi, 2);
	*p++ = ':';
	p = put_digits(p, sec, 2);
	*p++ = '.';
	return put_digits(p, ms % 1000u, 3);
}

static char *stamp(int64_t ms, char sep, char *p)
{
	struct tm tm;
	int milli;

	split(ms, &tm, &milli);
	return fields((unsigned)(tm.tm_year + 1900), (unsigned)tm.tm_mon + 1,
	    (unsigned)tm.tm_mday, (unsigned)tm.tm_hour, (unsigned)tm.tm_min,
	    (unsigned)tm.tm_sec, (unsigned)milli, sep, p);
}

void time_fields_iso(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi,
    unsigned s, unsigned ms, char out[LK_ISOTIME_LEN])
{
	memcpy(fields(y % 10000u, mo % 100u, d % 100u, h % 100u, mi % 100u, s % 100u,
	    ms, 'T', out), "+00:00", 7);
}

void time_db(int64_t ms, char out[LK_DBTIME_LEN])
{
	*stamp(ms, ' ', out) = '\0';
}

void time_iso(int64_t ms, char out[LK_ISOTIME_LEN])
{
	memcpy(stamp(ms, 'T', out), "+00:00", 7);
}

void time_db_us(char out[40])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(out, 40, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out + 19, 40 - 19, ".%06u", (unsigned)(ts.tv_nsec / 1000) % 1000000u);
}

/* Reads exactly n digits at s; returns the value or -1. */
static int digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int time_parse_iso(const char *s, int64_t *ms)
{
	struct tm tm;
	int frac = 0, scale = 100, sign, oh, om;
	size_t i = 19, n;

	if (s == NULL || (n = strlen(s)) < 19 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = digits(s, 4) - 1900;
	tm.tm_mon = digits(s + 5, 2) - 1;
	tm.tm_mday = digits(s + 8, 2);
	tm.tm_hour = digits(s + 11, 2);
	tm.tm_min = digits(s + 14, 2);
	tm.tm_sec = digits(s + 17, 2);
	if (tm.tm_year < 0 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 ||
	    tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60)
		return -1;
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			frac += (s[i] - '0') * scale;
			scale /= 10;
		}
	}
	*ms = (int64_t)timegm(&tm) * 1000 + frac;
	if (i == n || (s[i] == 'Z' && i + 1 == n))
		return 0;
	if ((s[i] != '+' && s[i] != '-') || n - i != 6 || s[i + 3] != ':' ||
	    (oh = digits(s + i + 1, 2)) < 0 || (om = digits(s + i + 4, 2)) < 0)
		return -1;
	sign = s[i] == '-' ? -1 : 1;
	*ms -= sign * ((int64_t)oh * 3600 + om * 60) * 1000;
	return 0;
}
