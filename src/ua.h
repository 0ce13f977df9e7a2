/* ua.h: User-Agent parsing into Appwrite's session/log device fields
 * (spec/CONTRACT.md §9.4). Pure, bounded, no allocation. */
#ifndef LK_UA_H
#define LK_UA_H

#include <stddef.h>

struct ua_info {
	char os_code[8];               /* "WIN", "MAC", "IOS", "AND", "LIN", ... or "" */
	char os_name[32];              /* "Windows", "Mac", "iOS", "Android", "GNU/Linux" */
	char os_version[24];           /* "10", "14.4", ... */
	char client_type[16];          /* "browser", "library", "mobile app", "desktop" */
	char client_code[8];           /* "CH", "FF", "SF", "MF", "CM", "PS", "OP", "cli" */
	char client_name[40];          /* "Chrome", "Firefox", "Node Fetch", ... */
	char client_version[24];       /* "70.0", ... */
	char client_engine[24];        /* "Blink", "Gecko", "WebKit", "" */
	char client_engine_version[24];/* engine version or "" */
	char device_name[24];          /* "desktop", "smartphone", "tablet", "" */
	char device_brand[24];         /* "Apple", "Samsung", ... or "" */
	char device_model[32];         /* "iPhone", "iPad", ... or "" */
};

/* Parses ua[0..n) (any bytes; at most LK_MAX_UA are looked at) into out.
 * Unknown fields are "". Always NUL-terminates every field. */
void ua_parse(const char *ua, size_t n, struct ua_info *out);

#endif
