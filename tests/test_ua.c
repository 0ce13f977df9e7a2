/* test_ua.c: table-driven check suite for ua_parse (src/ua.c, spec §9.4).
 * Each row is a real-world (or hostile) User-Agent and the twelve fields
 * Appwrite (Matomo Device Detector) reports for it.  Rows marked "ours"
 * are latchkey decisions documented at the top of src/ua.c. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "lk_limits.h"
#include "ua.h"

#define NF 12 /* fields of struct ua_info */

struct ua_case {
	const char *ua;        /* input bytes (may hold NUL) */
	size_t n;              /* input length */
	const char *want[NF];  /* osCode ... deviceModel */
};

/* Input with its length (sizeof, so embedded NULs count). */
#define B(s) s, sizeof(s) - 1
#define NONE { "", "", "", "", "", "", "", "", "", "", "", "" }

#define CHROME70_WIN "Mozilla/5.0 (Windows NT 10.0; Win64; x64) " \
	"AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.77 Safari/537.36"
#define CHROME70_WANT { "WIN", "Windows", "10", "browser", "CH", "Chrome", \
	"70.0", "Blink", "70.0.3538.77", "desktop", "", "" }

static const struct ua_case cases[] = {
	/* 0: Appwrite's reference case (spec §9.4). */
	{ B(CHROME70_WIN), CHROME70_WANT },
	/* 1: Appwrite's unit test (Firefox 47, Windows 7). */
	{ B("Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:47.0) Gecko/20100101 Firefox/47.0"),
	  { "WIN", "Windows", "7", "browser", "FF", "Firefox", "47.0", "Gecko", "47.0", "desktop", "", "" } },
	/* 2: Edge (Chromium) on Windows 10. */
	{ B("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91"),
	  { "WIN", "Windows", "10", "browser", "PS", "Microsoft Edge", "120.0", "Blink", "120.0.0.0", "desktop", "", "" } },
	/* 3: legacy Edge (EdgeHTML). */
	{ B("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.18363"),
	  { "WIN", "Windows", "10", "browser", "PS", "Microsoft Edge", "18.18363", "Edge", "18.18363", "desktop", "", "" } },
	/* 4: Opera on Windows 10. */
	{ B("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0"),
	  { "WIN", "Windows", "10", "browser", "OP", "Opera", "106.0", "Blink", "120.0.0.0", "desktop", "", "" } },
	/* 5: Chrome on Windows 8.1. */
	{ B("Mozilla/5.0 (Windows NT 6.3; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36"),
	  { "WIN", "Windows", "8.1", "browser", "CH", "Chrome", "109.0", "Blink", "109.0.0.0", "desktop", "", "" } },
	/* 6: Internet Explorer 11 on Windows 7. */
	{ B("Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko"),
	  { "WIN", "Windows", "7", "browser", "IE", "Internet Explorer", "11.0", "Trident", "7.0", "desktop", "", "" } },
	/* 7: Vivaldi on Windows 10. */
	{ B("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Vivaldi/6.5.3206.53"),
	  { "WIN", "Windows", "10", "browser", "VI", "Vivaldi", "6.5", "Blink", "120.0.0.0", "desktop", "", "" } },
	/* 8: Chrome on macOS (Matomo cuts 10_15_7 to 10.15). */
	{ B("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"),
	  { "MAC", "Mac", "10.15", "browser", "CH", "Chrome", "120.0", "Blink", "120.0.0.0", "desktop", "Apple", "" } },
	/* 9: Safari on macOS. */
	{ B("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2.1 Safari/605.1.15"),
	  { "MAC", "Mac", "10.15", "browser", "SF", "Safari", "17.2", "WebKit", "605.1.15", "desktop", "Apple", "" } },
	/* 10: Firefox on macOS. */
	{ B("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0"),
	  { "MAC", "Mac", "10.15", "browser", "FF", "Firefox", "121.0", "Gecko", "121.0", "desktop", "Apple", "" } },
	/* 11: Opera on macOS. */
	{ B("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36 OPR/105.0.0.0"),
	  { "MAC", "Mac", "10.15", "browser", "OP", "Opera", "105.0", "Blink", "119.0.0.0", "desktop", "Apple", "" } },
	/* 12: Chrome on Linux. */
	{ B("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"),
	  { "LIN", "GNU/Linux", "", "browser", "CH", "Chrome", "120.0", "Blink", "120.0.0.0", "desktop", "", "" } },
	/* 13: Firefox on Ubuntu. */
	{ B("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"),
	  { "UBT", "Ubuntu", "", "browser", "FF", "Firefox", "121.0", "Gecko", "121.0", "desktop", "", "" } },
	/* 14: Firefox on Fedora. */
	{ B("Mozilla/5.0 (X11; Fedora; Linux x86_64; rv:122.0) Gecko/20100101 Firefox/122.0"),
	  { "FED", "Fedora", "", "browser", "FF", "Firefox", "122.0", "Gecko", "122.0", "desktop", "", "" } },
	/* 15: Chrome on Chrome OS. */
	{ B("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"),
	  { "COS", "Chrome OS", "14541.0", "browser", "CH", "Chrome", "120.0", "Blink", "120.0.0.0", "desktop", "", "" } },
	/* 16: Headless Chrome (Puppeteer) on Linux. */
	{ B("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.28 Safari/537.36"),
	  { "LIN", "GNU/Linux", "", "browser", "HC", "Headless Chrome", "120.0", "Blink", "120.0.6099.28", "desktop", "", "" } },
	/* 17: iPhone Safari (Appwrite's unit test). */
	{ B("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"),
	  { "IOS", "iOS", "17.0", "browser", "MF", "Mobile Safari", "17.0", "WebKit", "605.1.15", "smartphone", "Apple", "iPhone" } },
	/* 18: Chrome on iPhone. */
	{ B("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/123.0.6312.52 Mobile/15E148 Safari/604.1"),
	  { "IOS", "iOS", "17.4", "browser", "CI", "Chrome Mobile iOS", "123.0", "WebKit", "605.1.15", "smartphone", "Apple", "iPhone" } },
	/* 19: Firefox on iPhone. */
	{ B("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/121.0 Mobile/15E148 Safari/605.1.15"),
	  { "IOS", "iOS", "17.2", "browser", "F1", "Firefox Mobile iOS", "121.0", "WebKit", "605.1.15", "smartphone", "Apple", "iPhone" } },
	/* 20: Safari on iPad (iPadOS from 13 on). */
	{ B("Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"),
	  { "IPA", "iPadOS", "17.4", "browser", "MF", "Mobile Safari", "17.4", "WebKit", "605.1.15", "tablet", "Apple", "iPad" } },
	/* 21: Safari on an old iPad (iOS 12). */
	{ B("Mozilla/5.0 (iPad; CPU OS 12_5_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1"),
	  { "IOS", "iOS", "12.5", "browser", "MF", "Mobile Safari", "12.1", "WebKit", "605.1.15", "tablet", "Apple", "iPad" } },
	/* 22: Chrome on an Android phone (reduced UA). */
	{ B("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36"),
	  { "AND", "Android", "10", "browser", "CM", "Chrome Mobile", "120.0", "Blink", "120.0.6099.144", "smartphone", "", "" } },
	/* 23: Chrome on a Pixel. */
	{ B("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.6312.99 Mobile Safari/537.36"),
	  { "AND", "Android", "14", "browser", "CM", "Chrome Mobile", "123.0", "Blink", "123.0.6312.99", "smartphone", "Google", "Pixel 8" } },
	/* 24: Chrome on an Android tablet (no "Mobile"). */
	{ B("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"),
	  { "AND", "Android", "10", "browser", "CH", "Chrome", "120.0", "Blink", "120.0.0.0", "tablet", "", "" } },
	/* 25: Chrome on a Samsung tablet (model kept raw: ours). */
	{ B("Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"),
	  { "AND", "Android", "13", "browser", "CH", "Chrome", "120.0", "Blink", "120.0.0.0", "tablet", "Samsung", "SM-X710" } },
	/* 26: Samsung Internet (reduced UA). */
	{ B("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36"),
	  { "AND", "Android", "10", "browser", "SB", "Samsung Browser", "23.0", "Blink", "115.0.0.0", "smartphone", "", "" } },
	/* 27: Samsung Internet with a model. */
	{ B("Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36"),
	  { "AND", "Android", "14", "browser", "SB", "Samsung Browser", "24.0", "Blink", "117.0.0.0", "smartphone", "Samsung", "SM-S918B" } },
	/* 28: Firefox on an Android phone. */
	{ B("Mozilla/5.0 (Android 14; Mobile; rv:124.0) Gecko/124.0 Firefox/124.0"),
	  { "AND", "Android", "14", "browser", "FM", "Firefox Mobile", "124.0", "Gecko", "124.0", "smartphone", "", "" } },
	/* 29: Edge on Android. */
	{ B("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 EdgA/120.0.2210.115"),
	  { "AND", "Android", "10", "browser", "PS", "Microsoft Edge", "120.0", "Blink", "120.0.0.0", "smartphone", "", "" } },
	/* 30: Opera Mobile on Android. */
	{ B("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36 OPR/79.1.4195.76079"),
	  { "AND", "Android", "10", "browser", "OM", "Opera Mobile", "79.1", "Blink", "119.0.0.0", "smartphone", "", "" } },
	/* 31: Android WebView (an app's embedded browser). */
	{ B("Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230805.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36"),
	  { "AND", "Android", "13", "browser", "CV", "Chrome Webview", "116.0", "Blink", "116.0.0.0", "smartphone", "Google", "Pixel 7" } },
	/* 32: node-appwrite server SDK (ours: library "Appwrite Node.js SDK"). */
	{ B("AppwriteNodeJSSDK/14.2.0 (linux; x64) Node.js/v20.11.1"),
	  { "LIN", "GNU/Linux", "", "library", "", "Appwrite Node.js SDK", "14.2", "", "", "desktop", "", "" } },
	/* 33: node-appwrite on Windows (ours: win32 -> Windows, no version). */
	{ B("AppwriteNodeJSSDK/14.2.0 (win32; x64) Node.js/v20.11.1"),
	  { "WIN", "Windows", "", "library", "", "Appwrite Node.js SDK", "14.2", "", "", "desktop", "", "" } },
	/* 34: curl. */
	{ B("curl/8.4.0"),
	  { "", "", "", "library", "", "curl", "8.4", "", "", "", "", "" } },
	/* 35: Node's built-in fetch, older undici. */
	{ B("undici"),
	  { "", "", "", "library", "", "undici", "", "", "", "", "", "" } },
	/* 36: Node's built-in fetch (ours: "Node Fetch"). */
	{ B("node"),
	  { "", "", "", "library", "", "Node Fetch", "", "", "", "", "", "" } },
	/* 37: node-fetch. */
	{ B("node-fetch/1.0 (+https://github.com/bitinn/node-fetch)"),
	  { "", "", "", "library", "", "Node Fetch", "1.0", "", "", "", "", "" } },
	/* 38: Python requests. */
	{ B("python-requests/2.31.0"),
	  { "", "", "", "library", "", "Python Requests", "2.31", "", "", "", "", "" } },
	/* 39: Go. */
	{ B("Go-http-client/1.1"),
	  { "", "", "", "library", "", "Go-http-client", "1.1", "", "", "", "", "" } },
	/* 40: Appwrite CLI (Appwrite's unit test; OS/device still parsed). */
	{ B("AppwriteCLI/2.0.0 (linux; x64) node/18.0.0"),
	  { "LIN", "GNU/Linux", "", "desktop", "cli", "Appwrite CLI", "2.0.0", "", "", "desktop", "", "" } },
	/* 41: Appwrite CLI on macOS (Appwrite's unit test). */
	{ B("AppwriteCLI/8.2.0 Darwin/24.5.0 arm64"),
	  { "MAC", "Mac", "", "desktop", "cli", "Appwrite CLI", "8.2.0", "", "", "desktop", "Apple", "" } },
	/* 42: Appwrite CLI without a version. */
	{ B("AppwriteCLI"),
	  { "", "", "", "desktop", "cli", "Appwrite CLI", "", "", "", "", "", "" } },
	/* 43: "AppwriteCLI" is case-sensitive (PHP str_contains). */
	{ B("appwritecli/1.0"), NONE },
	/* 44: Appwrite CLI version longer than the field: cut, terminated. */
	{ B("AppwriteCLI/1234567890.1234567890.1234567890 (linux; x64)"),
	  { "LIN", "GNU/Linux", "", "desktop", "cli", "Appwrite CLI", "1234567890.1234567890.1", "", "", "desktop", "", "" } },
	/* 45: Appwrite CLI version stops at a control byte. */
	{ B("AppwriteCLI/1.2\x01\xff (linux; x64)"),
	  { "LIN", "GNU/Linux", "", "desktop", "cli", "Appwrite CLI", "1.2", "", "", "desktop", "", "" } },
	/* 46: empty. */
	{ B(""), NONE },
	/* 47: the literal stored when the header is missing. */
	{ B("UNKNOWN"), NONE },
	/* 48: no letters at all. */
	{ B("5.0 (0; 1) 2/3"), NONE },
	/* 49: garbage bytes, NULs and invalid UTF-8. */
	{ B("\x00\x01\xff\xfe\x80\x9f\xc3(\xc0\xaf;;//\x00"), NONE },
	/* 50: a NUL byte does not end the input. */
	{ B("\x00" CHROME70_WIN), CHROME70_WANT },
	/* 51: a token glued to a word does not count ("xChrome"). */
	{ B("xChrome/99.0 yWindows NT 10.0"), NONE },
	/* 52: version digits without end: cut to the field; Matomo takes no
	 * engine version of more than 7 digits without a dot. */
	{ B("Chrome/99999999999999999999999999999999999999999999"),
	  { "", "", "", "browser", "CH", "Chrome", "99999999999999999999999", "Blink", "", "", "", "" } },
	/* 53: Brave (Matomo reports Chrome's version). */
	{ B("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Brave/124"),
	  { "WIN", "Windows", "10", "browser", "BR", "Brave", "124.0", "Blink", "124.0.0.0", "desktop", "", "" } },
	/* 54: Internet Explorer in compatibility view (version from Trident). */
	{ B("Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.2; WOW64; Trident/6.0; .NET4.0E; .NET4.0C)"),
	  { "WIN", "Windows", "8", "browser", "IE", "Internet Explorer", "10.0", "Trident", "6.0", "desktop", "", "" } },
	/* 55: Android on a Chromebook (Matomo's device database would also
	 * give brand HP and a model; we keep no such database). */
	{ B("Mozilla/5.0 (Linux; Android 9; HP Chromebook 13 G1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0.3987.162 Safari/537.36"),
	  { "COS", "Chrome OS", "", "browser", "CH", "Chrome", "80.0", "Blink", "80.0.3987.162", "desktop", "", "" } },
	/* 56: "OPR" inside a build id is not Opera (a separator is required);
	 * Matomo's database would also give Asus / ZenFone 3 Deluxe. */
	{ B("Mozilla/5.0 (Linux; Android 8.0.0; ASUS_Z01FD Build/OPR1.170623.026) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/68.0.3440.91 Mobile Safari/537.36"),
	  { "AND", "Android", "8.0", "browser", "CM", "Chrome Mobile", "68.0", "Blink", "68.0.3440.91", "smartphone", "", "" } },
	/* 57: Windows 10 with touch: Matomo assumes a tablet. */
	{ B("Mozilla/5.0 (Windows NT 10.0; Win64; x64; Touch) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"),
	  { "WIN", "Windows", "10", "browser", "CH", "Chrome", "124.0", "Blink", "124.0.0.0", "tablet", "", "" } },
};

#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

static const char *const field_names[NF] = {
	"osCode", "osName", "osVersion", "clientType", "clientCode", "clientName",
	"clientVersion", "clientEngine", "clientEngineVersion", "deviceName",
	"deviceBrand", "deviceModel",
};

/* Fills f[] with pointers to the twelve fields of u and sz[] with their
 * sizes, in field_names order. */
static void fields_of(struct ua_info *u, const char *f[NF], size_t sz[NF])
{
	const char *p[NF] = {
		u->os_code, u->os_name, u->os_version, u->client_type,
		u->client_code, u->client_name, u->client_version,
		u->client_engine, u->client_engine_version, u->device_name,
		u->device_brand, u->device_model,
	};
	const size_t s[NF] = {
		sizeof(u->os_code), sizeof(u->os_name), sizeof(u->os_version),
		sizeof(u->client_type), sizeof(u->client_code),
		sizeof(u->client_name), sizeof(u->client_version),
		sizeof(u->client_engine), sizeof(u->client_engine_version),
		sizeof(u->device_name), sizeof(u->device_brand),
		sizeof(u->device_model),
	};
	int k;

	for (k = 0; k < NF; k++) {
		f[k] = p[k];
		sz[k] = s[k];
	}
}

/* Fails unless every field of u is NUL-terminated within its array. */
static void assert_terminated(struct ua_info *u)
{
	const char *f[NF];
	size_t sz[NF];
	int k;

	fields_of(u, f, sz);
	for (k = 0; k < NF; k++)
		ck_assert_msg(memchr(f[k], '\0', sz[k]) != NULL,
		    "field %s not terminated", field_names[k]);
}

/* Parses ua[0..n) from an exactly-sized heap copy (so ASan catches any
 * read past n) and compares all twelve fields with want. */
static void check_parse(int row, const char *ua, size_t n, const char *const want[NF])
{
	char *copy = malloc(n > 0 ? n : 1);
	struct ua_info u;
	const char *f[NF];
	size_t sz[NF];
	int k;

	ck_assert_ptr_nonnull(copy);
	if (n > 0)
		memcpy(copy, ua, n);
	memset(&u, 0x5a, sizeof(u));
	ua_parse(copy, n, &u);
	free(copy);
	assert_terminated(&u);
	fields_of(&u, f, sz);
	for (k = 0; k < NF; k++)
		ck_assert_msg(strcmp(f[k], want[k]) == 0,
		    "row %d %s: got \"%s\", want \"%s\"", row, field_names[k],
		    f[k], want[k]);
}

/* One table row (loop test over cases[]). */
START_TEST(test_table)
{
	check_parse(_i, cases[_i].ua, cases[_i].n, cases[_i].want);
}
END_TEST

/* A 5000-byte UA: only the first LK_MAX_UA bytes are looked at. */
START_TEST(test_long)
{
	static const char *const want[NF] = CHROME70_WANT;
	static const char *const none[NF] = NONE;
	char *buf = malloc(5000);
	size_t ul = strlen(CHROME70_WIN);

	ck_assert_ptr_nonnull(buf);
	memset(buf, 'x', 5000);
	buf[ul] = ' ';
	memcpy(buf, CHROME70_WIN, ul);
	check_parse(-1, buf, 5000, want);
	/* The same UA starting after byte LK_MAX_UA is not seen. */
	memset(buf, ' ', 5000);
	memcpy(buf + LK_MAX_UA + 10, CHROME70_WIN, ul);
	check_parse(-2, buf, 5000, none);
	/* A token cut by the cap is not seen either ("AppwriteCLI"). */
	memset(buf, ' ', 5000);
	memcpy(buf + LK_MAX_UA - 5, "AppwriteCLI/1.0", 15);
	check_parse(-3, buf, 5000, none);
	free(buf);
}
END_TEST

/* NULL input with n > 0 is treated as empty. */
START_TEST(test_null)
{
	struct ua_info u;

	memset(&u, 0x5a, sizeof(u));
	ua_parse(NULL, 10, &u);
	assert_terminated(&u);
	ck_assert_str_eq(u.os_code, "");
	ck_assert_str_eq(u.device_model, "");
}
END_TEST

/* Returns the next value of a xorshift32 sequence (test data only). */
static uint32_t xs32(uint32_t *st)
{
	uint32_t x = *st;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*st = x;
	return x;
}

/* Splices of real tokens and random bytes, exactly-sized buffers: every
 * field must stay terminated and no byte past n may be read (ASan). */
START_TEST(test_random)
{
	static const char *const parts[] = {
		"Mozilla/5.0 (", "Windows NT ", "Android ", "; ", ") ", "Chrome/",
		"Mobile", " Safari/", "Version/", "iPhone", "iPad", "CPU OS ",
		"Mac OS X ", "CrOS ", "rv:", "Gecko/", "OPR/", "Edg/", "Firefox/",
		"AppwriteCLI/", "SM-", "Pixel ", " Build/", "wv)", "Trident/7.0",
		"MSIE ", "10_15_7", "120.0.0.0", "1.", "_", "/", " ", "\x00", "\xff",
	};
	uint32_t st = 0x9e3779b9u;
	int it;

	for (it = 0; it < 20000; it++) {
		char tmp[1400] = { 0 };
		size_t n = 0, want = xs32(&st) % sizeof(tmp);
		char *copy;
		struct ua_info u;

		while (n < want) {
			uint32_t r = xs32(&st);
			const char *p = parts[r % (sizeof(parts) / sizeof(parts[0]))];
			size_t pl = p[0] != '\0' ? strlen(p) : 1; /* "\x00" is 1 */

			if (r & 0x10000) {
				tmp[n++] = (char)(r >> 24); /* a random byte */
				continue;
			}
			if (n + pl > want)
				break;
			memcpy(tmp + n, p, pl);
			n += pl;
		}
		copy = malloc(n > 0 ? n : 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, tmp, n);
		ua_parse(copy, n, &u);
		free(copy);
		assert_terminated(&u);
	}
}
END_TEST

/* Builds the suite. */
static Suite *ua_suite(void)
{
	Suite *s = suite_create("ua");
	TCase *tc = check_tcase("core");

	tcase_add_loop_test(tc, test_table, 0, NCASES);
	tcase_add_test(tc, test_long);
	tcase_add_test(tc, test_null);
	tcase_add_test(tc, test_random);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; exit status 1 when any test failed. */
int main(void)
{
	return check_run(ua_suite());
}
