/* ua.c: User-Agent -> the device fields Appwrite stores on sessions and logs
 * (spec/CONTRACT.md §9.4).  Pure, bounded, no allocation.
 *
 * Appwrite uses Matomo Device Detector 6.x (bots skipped, default version
 * truncation, no client hints).  This is our own small table-driven detector
 * giving Matomo's answers for what latchkey meets: the big browsers on
 * Windows, Mac, Linux, Chrome OS, iOS, iPadOS, Android; HTTP libraries; the
 * Appwrite SDK and CLI.  Matomo facts kept (codes, names, rule order):
 *  - tokens match case-insensitively where a word starts (the byte before is
 *    not [A-Za-z0-9_-]); rules run in Matomo's order, the first match wins;
 *  - client and OS versions are cut to major.minor, '_' read as '.'
 *    (Chrome/70.0.3538.77 -> "70.0", Mac OS X 10_15_7 -> "10.15"); engine
 *    versions are not (Blink: Chrome's, WebKit: AppleWebKit's, Gecko: rv:);
 *  - libraries have no short code (clientCode ""); "desktop" = a desktop OS
 *    without a mobile-only browser; Android with Chrome/ is a smartphone if
 *    "Mobile" occurs, else a tablet; Apple OSes get brand "Apple".
 * Our choices where Matomo has no rule or a large database: AppwriteNodeJSSDK
 * -> library "Appwrite Node.js SDK"; a UA of exactly "node" (Node's fetch) ->
 * library "Node Fetch"; Node's "win32" -> Windows, no version (Matomo: "95");
 * Android models: only Samsung codes (kept raw; Matomo maps known ones to
 * names such as "Galaxy S23 Ultra"), Google Pixel and Nexus are known.
 * Appwrite's CLI rule: "AppwriteCLI" anywhere (case-sensitive) -> desktop /
 * cli / Appwrite CLI, engine "", version = the first space-separated word's
 * text after its first '/' (to the next '/'), printable ASCII only.
 * At most LK_MAX_UA bytes are read; NUL and invalid UTF-8 are plain bytes;
 * bytes copied into fields are digits/dots or printable ASCII. */
#include "ua.h"

#include <string.h>

#include "lk_limits.h"
#include "str.h"

#define NPOS ((size_t)-1) /* "not found" */
#define F_TOK 1  /* find_at: only at the start of a word */
#define F_CASE 2 /* find_at: case-sensitive */
#define PUT(f, v) put((f), sizeof(f), (v)) /* bounded store of a constant */
#define BYTE(s, i) ((unsigned char)(s).p[i]) /* s.p[i] as 0..255; i < s.n */

/* Returns c lower-cased when it is an ASCII capital, else c. */
static int lc(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Returns 1 when c is an ASCII digit. */
static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Returns 1 when c belongs to a word ([A-Za-z0-9_-]), Matomo's boundary set. */
static int is_word(int c)
{
	return is_digit(c) || (lc(c) >= 'a' && lc(c) <= 'z') || c == '_' ||
	    c == '-';
}

/* Returns 1 when the NUL-terminated t occurs at s[i..]; case-insensitive
 * when ci.  Never reads past s.n. */
static int at(struct str s, size_t i, const char *t, int ci)
{
	size_t k;

	for (k = 0; t[k] != '\0'; k++) {
		int a, b;

		if (i + k >= s.n)
			return 0;
		a = BYTE(s, i + k);
		b = (unsigned char)t[k];
		if (ci ? lc(a) != lc(b) : a != b)
			return 0;
	}
	return 1;
}

/* Returns the first position >= from where t occurs, or NPOS.  Flags:
 * F_TOK only where a word starts, F_CASE case-sensitive. */
static size_t find_at(struct str s, size_t from, const char *t, int flags)
{
	size_t i;

	for (i = from; i < s.n; i++)
		if (at(s, i, t, !(flags & F_CASE)) && (!(flags & F_TOK) || i == 0 ||
		    !is_word(BYTE(s, i - 1))))
			return i;
	return NPOS;
}

/* Returns the first word-start position of t in s, or NPOS. */
static size_t find_tok(struct str s, const char *t)
{
	return find_at(s, 0, t, F_TOK);
}

/* Returns the length of the version starting at s[i]: a digit, then digits,
 * dots and (when us) underscores.  0 when s[i] is no digit. */
static size_t ver_span(struct str s, size_t i, int us)
{
	size_t k = i;

	if (i >= s.n || !is_digit(BYTE(s, i)))
		return 0;
	while (k < s.n && (is_digit(BYTE(s, k)) || BYTE(s, k) == '.' ||
	    (us && BYTE(s, k) == '_')))
		k++;
	return k - i;
}

/* Returns where a version starts at s[i] (seps NULL) or after exactly one
 * byte of seps, or NPOS when no digit is there. */
static size_t ver_at(struct str s, size_t i, const char *seps)
{
	if (seps != NULL) {
		if (i >= s.n || BYTE(s, i) == 0 || strchr(seps, BYTE(s, i)) == NULL)
			return NPOS;
		i++;
	}
	return (i < s.n && is_digit(BYTE(s, i))) ? i : NPOS;
}

/* Stores the NUL-terminated v into dst (cap bytes), truncated; always
 * NUL-terminates.  v may be dst itself. */
static void put(char *dst, size_t cap, const char *v)
{
	size_t n = strlen(v);

	if (n >= cap)
		n = cap - 1;
	memmove(dst, v, n);
	dst[n] = '\0';
}

/* Stores the version s[i..i+len) into dst (cap bytes) with '_' as '.', cut
 * to major.minor when cut, trailing dots dropped; always NUL-terminates. */
static void put_ver(char *dst, size_t cap, struct str s, size_t i, size_t len,
    int cut)
{
	size_t k, o = 0, dots = 0;

	for (k = 0; k < len && o + 1 < cap; k++) {
		char c = s.p[i + k] == '_' ? '.' : s.p[i + k];

		if (c == '.' && cut && ++dots > 1)
			break;
		dst[o++] = c;
	}
	while (o > 0 && dst[o - 1] == '.')
		o--;
	dst[o] = '\0';
}

/* Stores the printable-ASCII prefix of s[i..i+len) into dst (cap bytes),
 * trailing spaces dropped; always NUL-terminates. */
static void put_clean(char *dst, size_t cap, struct str s, size_t i, size_t len)
{
	size_t k, o = 0;

	for (k = 0; k < len && o + 1 < cap; k++) {
		int c = BYTE(s, i + k);

		if (c < 0x20 || c > 0x7e)
			break;
		dst[o++] = (char)c;
	}
	while (o > 0 && dst[o - 1] == ' ')
		o--;
	dst[o] = '\0';
}

/* Returns the major number of the version string v (at most 6 digits), or
 * -1 when v does not start with a digit. */
static long major_of(const char *v)
{
	long m = 0;
	int k;

	if (!is_digit((unsigned char)v[0]))
		return -1;
	for (k = 0; k < 6 && is_digit((unsigned char)v[k]); k++)
		m = m * 10 + (v[k] - '0');
	return m;
}

/* Returns 1 when code is one of the NULL-terminated list. */
static int code_in(const char *code, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(code, *list) == 0)
			return 1;
	return 0;
}

/* ---- operating system ---------------------------------------------------- */

enum os_ver {
	OV_NONE,  /* the rule gives no version */
	OV_AFTER, /* the version follows vtok after one of " /-" */
	OV_WINNT, /* "Windows NT x.y" mapped through nt_names */
	OV_CROS   /* "CrOS <platform> <version>" */
};

struct os_rule {
	const char *tok;  /* word that selects the rule */
	const char *vtok; /* word the version follows (OV_AFTER) */
	enum os_ver ver;  /* how the version is read */
	const char *code; /* Matomo short code */
	const char *name; /* Matomo name */
};

/* Matomo's order: Android and Chrome OS before Windows, iOS before Mac,
 * distributions before plain GNU/Linux. */
static const struct os_rule os_rules[] = {
	{ "Chromebook", NULL, OV_NONE, "COS", "Chrome OS" },
	{ "Android", "Android", OV_AFTER, "AND", "Android" },
	{ "CrOS", NULL, OV_CROS, "COS", "Chrome OS" },
	{ "Windows NT", NULL, OV_WINNT, "WIN", "Windows" },
	{ "Windows", NULL, OV_NONE, "WIN", "Windows" },
	{ "win32", NULL, OV_NONE, "WIN", "Windows" },
	{ "iPad", "OS", OV_AFTER, "IPA", "iPadOS" },
	{ "iPhone", "OS", OV_AFTER, "IOS", "iOS" },
	{ "iPod", "OS", OV_AFTER, "IOS", "iOS" },
	{ "Mac OS X", "Mac OS X", OV_AFTER, "MAC", "Mac" },
	{ "Macintosh", NULL, OV_NONE, "MAC", "Mac" },
	{ "Darwin", NULL, OV_NONE, "MAC", "Mac" },
	{ "Ubuntu", "Ubuntu", OV_AFTER, "UBT", "Ubuntu" },
	{ "Fedora", "Fedora", OV_AFTER, "FED", "Fedora" },
	{ "Debian", "Debian", OV_AFTER, "DEB", "Debian" },
	{ "Linux", NULL, OV_NONE, "LIN", "GNU/Linux" },
	{ "X11", NULL, OV_NONE, "LIN", "GNU/Linux" },
};

/* "Windows NT" kernel versions -> Matomo's Windows version names. */
static const struct {
	const char *nt;   /* version after "Windows NT " */
	const char *name; /* osVersion */
} nt_names[] = {
	{ "11.0", "11" }, { "10.0", "10" }, { "6.4", "10" }, { "6.3", "8.1" },
	{ "6.2", "8" },   { "6.1", "7" },   { "6.0", "Vista" },
	{ "5.2", "Server 2003" }, { "5.1", "XP" }, { "5.0", "2000" },
};

/* Stores into dst (cap bytes) the major.minor version after the first word
 * vtok that has one, one byte of seps (if not NULL) in between ("Android 14",
 * "CPU OS 17_4" with us: '_' allowed; "Version/17.2"). */
static void ver_after(struct str s, const char *vtok, const char *seps, int us,
    char *dst, size_t cap)
{
	size_t i = 0;

	while ((i = find_at(s, i, vtok, F_TOK)) != NPOS) {
		size_t v = ver_at(s, i + strlen(vtok), seps);

		if (v != NPOS) {
			put_ver(dst, cap, s, v, ver_span(s, v, us), 1);
			return;
		}
		i++;
	}
}

/* Stores the Windows name of "Windows NT x.y" at s[i] ("NT" when unknown). */
static void os_ver_winnt(struct str s, size_t i, struct ua_info *o)
{
	size_t v = ver_at(s, i + strlen("Windows NT"), " "), len, k;

	PUT(o->os_version, "NT");
	if (v == NPOS)
		return;
	len = ver_span(s, v, 0);
	for (k = 0; k < sizeof(nt_names) / sizeof(nt_names[0]); k++)
		if (strlen(nt_names[k].nt) == len && at(s, v, nt_names[k].nt, 0)) {
			PUT(o->os_version, nt_names[k].name);
			return;
		}
}

/* Stores the version of "CrOS <platform> <version>" found at s[i]. */
static void os_ver_cros(struct str s, size_t i, struct ua_info *o)
{
	i += strlen("CrOS");
	if (i >= s.n || s.p[i] != ' ')
		return;
	for (i++; i < s.n && (is_word(BYTE(s, i)) && s.p[i] != '-'); i++)
		;
	if (i < s.n && s.p[i] == ' ' && ver_at(s, i + 1, NULL) != NPOS)
		put_ver(o->os_version, sizeof(o->os_version), s, i + 1,
		    ver_span(s, i + 1, 0), 1);
}

/* Fills the os_* fields from the first matching rule of os_rules. */
static void detect_os(struct str s, struct ua_info *o)
{
	size_t k;

	for (k = 0; k < sizeof(os_rules) / sizeof(os_rules[0]); k++) {
		const struct os_rule *r = &os_rules[k];
		size_t i = find_tok(s, r->tok);

		if (i == NPOS)
			continue;
		PUT(o->os_code, r->code);
		PUT(o->os_name, r->name);
		if (r->ver == OV_AFTER)
			ver_after(s, r->vtok, " /-", 1, o->os_version,
			    sizeof(o->os_version));
		else if (r->ver == OV_WINNT)
			os_ver_winnt(s, i, o);
		else if (r->ver == OV_CROS)
			os_ver_cros(s, i, o);
		break;
	}
	/* Matomo names an iPad's OS iPadOS only from version 13 on. */
	if (strcmp(o->os_code, "IPA") == 0 && major_of(o->os_version) < 13) {
		PUT(o->os_code, "IOS");
		PUT(o->os_name, "iOS");
	}
}

/* ---- client (browser or library) ----------------------------------------- */

enum guard {
	G_NONE,          /* no extra condition */
	G_MOBILE_BEFORE, /* word "Mobile" earlier in the UA (Opera Mobile) */
	G_MOBTAB_BEFORE, /* word "Mobile" or "Tablet" earlier (Firefox Mobile) */
	G_NOT_OPERA,     /* no "Opera" after the token (Firefox) */
	G_MOBILE_AFTER,  /* " Mobile" right after the version (Chrome Mobile) */
	G_WEBVIEW,       /* " wv)" or word "Version/" earlier (Chrome Webview) */
	G_NOT_BOOK,      /* not "Chromebook" */
	G_APPLE_BEFORE,  /* iPhone, iPad or iPod earlier (Mobile Safari) */
	G_SAFARI_AFTER,  /* "Safari/" later (Mobile ... Safari/) */
	G_EXACT          /* the token is the whole UA */
};

enum engine {
	E_NONE,    /* no engine (libraries) */
	E_BLINK,   /* always Blink */
	E_WEBKIT,  /* always WebKit */
	E_GECKO,   /* always Gecko */
	E_TRIDENT, /* always Trident */
	E_EDGE,    /* always Edge (EdgeHTML) */
	E_CHROME,  /* Blink from client version 28 on, else WebKit */
	E_OPERA,   /* Blink from 15, Presto from 7, else unknown */
	E_AUTO     /* from the UA, like Matomo's engine parser */
};

struct client_rule {
	const char *tok;   /* word that selects the rule */
	const char *seps;  /* bytes allowed between tok and its version; NULL: none */
	int need;          /* 1: the rule matches only with a version after tok */
	enum guard guard;  /* extra condition */
	const char *vtok;  /* version read right after this word instead, or NULL */
	const char *fixed; /* fixed version instead, or NULL */
	const char *type;  /* clientType */
	const char *code;  /* clientCode ("" for libraries) */
	const char *name;  /* clientName */
	enum engine eng;   /* how the engine is chosen */
};

#define BR "browser"
#define LB "library"

/* Matomo's order: browsers (Edge, Brave, Firefox, Opera, ..., Chrome, IE,
 * Safari), then libraries.  Brave's version is Chrome's, as in Matomo. */
static const struct client_rule client_rules[] = {
	{ "Edge", " /", 1, G_NONE, NULL, NULL, BR, "PS", "Microsoft Edge", E_EDGE },
	{ "EdgiOS", " /", 1, G_NONE, NULL, NULL, BR, "PS", "Microsoft Edge", E_WEBKIT },
	{ "EdgA", " /", 1, G_NONE, NULL, NULL, BR, "PS", "Microsoft Edge", E_BLINK },
	{ "Edg", " /", 1, G_NONE, NULL, NULL, BR, "PS", "Microsoft Edge", E_BLINK },
	{ "Brave", "/", 0, G_NONE, "Chrome/", NULL, BR, "BR", "Brave", E_BLINK },
	{ "Firefox", " /", 0, G_MOBTAB_BEFORE, NULL, NULL, BR, "FM", "Firefox Mobile", E_GECKO },
	{ "FxiOS", "/", 1, G_NONE, NULL, NULL, BR, "F1", "Firefox Mobile iOS", E_WEBKIT },
	{ "Firefox", " /", 0, G_NOT_OPERA, NULL, NULL, BR, "FF", "Firefox", E_GECKO },
	{ "OPR", "/", 1, G_MOBILE_BEFORE, NULL, NULL, BR, "OM", "Opera Mobile", E_OPERA },
	{ "OPR", " /", 1, G_NONE, NULL, NULL, BR, "OP", "Opera", E_OPERA },
	{ "YaBrowser", "/", 1, G_NONE, NULL, NULL, BR, "YA", "Yandex Browser", E_AUTO },
	{ "Vivaldi", "/", 1, G_NONE, NULL, NULL, BR, "VI", "Vivaldi", E_AUTO },
	{ "SamsungBrowser", " /", 0, G_NONE, NULL, NULL, BR, "SB", "Samsung Browser", E_AUTO },
	{ "CriOS", "/", 0, G_NONE, NULL, NULL, BR, "CI", "Chrome Mobile iOS", E_WEBKIT },
	{ "Chrome", "/", 0, G_WEBVIEW, NULL, NULL, BR, "CV", "Chrome Webview", E_CHROME },
	{ "Chrome", "/", 0, G_MOBILE_AFTER, NULL, NULL, BR, "CM", "Chrome Mobile", E_CHROME },
	{ "Chromium", "/", 0, G_NONE, NULL, NULL, BR, "CR", "Chromium", E_CHROME },
	{ "HeadlessChrome", "/", 0, G_NONE, NULL, NULL, BR, "HC", "Headless Chrome", E_BLINK },
	{ "Chrome", "/", 0, G_NOT_BOOK, NULL, NULL, BR, "CH", "Chrome", E_CHROME },
	{ "Trident/4.0", NULL, 0, G_NONE, NULL, "8.0", BR, "IE", "Internet Explorer", E_TRIDENT },
	{ "Trident/5.0", NULL, 0, G_NONE, NULL, "9.0", BR, "IE", "Internet Explorer", E_TRIDENT },
	{ "Trident/6.0", NULL, 0, G_NONE, NULL, "10.0", BR, "IE", "Internet Explorer", E_TRIDENT },
	{ "Trident/7.0", NULL, 0, G_NONE, NULL, "11.0", BR, "IE", "Internet Explorer", E_TRIDENT },
	{ "Trident/8.0", NULL, 0, G_NONE, NULL, "11.0", BR, "IE", "Internet Explorer", E_TRIDENT },
	{ "MSIE", " ", 1, G_NONE, NULL, NULL, BR, "IE", "Internet Explorer", E_TRIDENT },
	{ "Version", "/", 1, G_APPLE_BEFORE, NULL, NULL, BR, "MF", "Mobile Safari", E_WEBKIT },
	{ "MobileSafari", "/", 1, G_NONE, NULL, NULL, BR, "MF", "Mobile Safari", E_WEBKIT },
	{ "Mobile", NULL, 0, G_SAFARI_AFTER, "Version/", NULL, BR, "MF", "Mobile Safari", E_WEBKIT },
	{ "iPhone", NULL, 0, G_NONE, NULL, NULL, BR, "MF", "Mobile Safari", E_WEBKIT },
	{ "iPad", NULL, 0, G_NONE, NULL, NULL, BR, "MF", "Mobile Safari", E_WEBKIT },
	{ "iPod", NULL, 0, G_NONE, NULL, NULL, BR, "MF", "Mobile Safari", E_WEBKIT },
	{ "Safari", "/", 1, G_NONE, "Version/", NULL, BR, "SF", "Safari", E_WEBKIT },
	{ "Macintosh", NULL, 0, G_NONE, NULL, NULL, BR, "SF", "Safari", E_WEBKIT },
	{ "AppwriteNodeJSSDK", "/", 0, G_NONE, NULL, NULL, LB, "", "Appwrite Node.js SDK", E_NONE },
	{ "Dart", "/", 1, G_NONE, NULL, NULL, LB, "", "Dart", E_NONE },
	{ "python-httpx", "/", 0, G_NONE, NULL, NULL, LB, "", "HTTPX", E_NONE },
	{ "Wget", "/", 0, G_NONE, NULL, NULL, LB, "", "Wget", E_NONE },
	{ "curl", "/", 0, G_NONE, NULL, NULL, LB, "", "curl", E_NONE },
	{ "libcurl", "/", 0, G_NONE, NULL, NULL, LB, "", "curl", E_NONE },
	{ "python-requests", "/", 0, G_NONE, NULL, NULL, LB, "", "Python Requests", E_NONE },
	{ "okhttp", "/", 1, G_NONE, NULL, NULL, LB, "", "OkHttp", E_NONE },
	{ "Go-http-client", "/", 0, G_NONE, NULL, NULL, LB, "", "Go-http-client", E_NONE },
	{ "node-fetch", "/", 0, G_NONE, NULL, NULL, LB, "", "Node Fetch", E_NONE },
	{ "PostmanRuntime", "/", 0, G_NONE, NULL, NULL, LB, "", "Postman Desktop", E_NONE },
	{ "axios", "/", 0, G_NONE, NULL, NULL, LB, "", "Axios", E_NONE },
	{ "undici", NULL, 0, G_EXACT, NULL, NULL, LB, "", "undici", E_NONE },
	{ "node", NULL, 0, G_EXACT, NULL, NULL, LB, "", "Node Fetch", E_NONE },
};

/* Returns 1 when the word t occurs in s before position pos. */
static int tok_before(struct str s, size_t pos, const char *t)
{
	size_t i = find_tok(s, t);

	return i != NPOS && i < pos;
}

/* Returns 1 when guard g holds for a token at pos whose match ends at end. */
static int guard_ok(enum guard g, struct str s, size_t pos, size_t end)
{
	switch (g) {
	case G_NONE:
		return 1;
	case G_MOBILE_BEFORE:
		return tok_before(s, pos, "Mobile");
	case G_MOBTAB_BEFORE:
		return tok_before(s, pos, "Mobile") || tok_before(s, pos, "Tablet");
	case G_NOT_OPERA:
		return find_at(s, pos, "Opera", 0) == NPOS;
	case G_MOBILE_AFTER:
		return at(s, end, " Mobile", 1);
	case G_WEBVIEW:
		return pos > 0 && s.p[pos - 1] == ' ' &&
		    (find_at(s, 0, " wv)", 0) < pos || tok_before(s, pos, "Version/"));
	case G_NOT_BOOK:
		return !at(s, end, "book", 1);
	case G_APPLE_BEFORE:
		return tok_before(s, pos, "iPhone") || tok_before(s, pos, "iPad") ||
		    tok_before(s, pos, "iPod");
	case G_SAFARI_AFTER:
		return find_at(s, end, "Safari/", 0) != NPOS;
	case G_EXACT:
		return pos == 0 && end == s.n;
	}
	return 0;
}

/* Returns the position of the first occurrence of rule r's token that
 * satisfies the rule, or NPOS; *vpos gets the version position (or NPOS). */
static size_t rule_match(struct str s, const struct client_rule *r, size_t *vpos)
{
	size_t i = 0, tl = strlen(r->tok);

	while ((i = find_at(s, i, r->tok, F_TOK)) != NPOS) {
		size_t end;

		*vpos = r->seps != NULL ? ver_at(s, i + tl, r->seps) : NPOS;
		end = *vpos != NPOS ? *vpos + ver_span(s, *vpos, 0) : i + tl;
		if ((!r->need || *vpos != NPOS) && guard_ok(r->guard, s, i, end))
			return i;
		i++;
	}
	return NPOS;
}

/* Returns the engine Matomo's engine parser would find in s. */
static const char *engine_auto(struct str s)
{
	size_t i = find_at(s, 0, "Chrome/", 0);

	if (i != NPOS && ver_at(s, i + 7, NULL) != NPOS) {
		char v[8]; /* Chrome's major.minor, cut to fit */

		put_ver(v, sizeof(v), s, i + 7, ver_span(s, i + 7, 0), 1);
		if (major_of(v) >= 28)
			return "Blink";
	}
	if (find_at(s, 0, "WebKit", 0) != NPOS)
		return "WebKit";
	i = find_at(s, 0, "Gecko", 0);
	if (i != NPOS && !(i >= 5 && at(s, i - 5, "like ", 1)))
		return "Gecko";
	return "";
}

/* Engine names of the fixed enum engine values, indexed by the enum. */
static const char *const engine_names[] = { /* E_NONE .. E_EDGE */
	"", "Blink", "WebKit", "Gecko", "Trident", "Edge"
};

/* Returns the engine name for rule engine e and client version ver. */
static const char *engine_name(struct str s, enum engine e, const char *ver)
{
	long m = major_of(ver);

	if (e == E_CHROME)
		return m >= 28 ? "Blink" : "WebKit";
	if (e == E_OPERA)
		return m >= 15 ? "Blink" : m >= 7 ? "Presto" : "";
	if (e == E_AUTO)
		return engine_auto(s);
	return engine_names[e];
}

/* Stores the first version that follows t anywhere (one of " /_" may be
 * in between) uncut, as engine versions are.  Returns 1 if found. */
static int engine_ver_tok(struct str s, const char *t, char *dst, size_t cap)
{
	size_t i = 0;

	while ((i = find_at(s, i, t, 0)) != NPOS) {
		size_t v = ver_at(s, i + strlen(t), NULL), len;

		if (v == NPOS)
			v = ver_at(s, i + strlen(t), " /_");
		len = v != NPOS ? ver_span(s, v, 0) : 0;
		/* Matomo: a version without a dot has at most 7 digits. */
		if (len > 0 && (len <= 7 || memchr(s.p + v, '.', len) != NULL)) {
			put_ver(dst, cap, s, v, len, 0);
			return 1;
		}
		i++;
	}
	return 0;
}

/* Stores Gecko's version: "rv:x" when a "Gecko/<8-10 digits>" follows. */
static int gecko_rv(struct str s, char *dst, size_t cap)
{
	size_t i = find_at(s, 0, " rv", 0), v, g, d;

	if (i == NPOS || i + 3 >= s.n || (s.p[i + 3] != ':' && s.p[i + 3] != ' '))
		return 0;
	v = i + 4;
	if (ver_span(s, v, 0) == 0 || (g = find_at(s, v, "Gecko/", 0)) == NPOS)
		return 0;
	for (d = 0; g + 6 + d < s.n && is_digit(BYTE(s, g + 6 + d)); d++)
		;
	if (d < 8 || d > 10)
		return 0;
	put_ver(dst, cap, s, v, ver_span(s, v, 0), 0);
	return 1;
}

/* Fills client_engine and client_engine_version for rule engine e. */
static void detect_engine(struct str s, enum engine e, struct ua_info *o)
{
	const char *name = engine_name(s, e, o->client_version);
	char *dst = o->client_engine_version;
	size_t cap = sizeof(o->client_engine_version);

	PUT(o->client_engine, name);
	if (strcmp(name, "Blink") == 0) {
		if (!engine_ver_tok(s, "Chrome", dst, cap) &&
		    !engine_ver_tok(s, "Chromium", dst, cap))
			engine_ver_tok(s, "Cronet", dst, cap);
	} else if (strcmp(name, "Gecko") == 0) {
		if (!gecko_rv(s, dst, cap))
			engine_ver_tok(s, "Gecko", dst, cap);
	} else if (name[0] != '\0') {
		engine_ver_tok(s, name, dst, cap);
	}
}

/* Fills the client_* fields from the first matching rule of client_rules. */
static void detect_client(struct str s, struct ua_info *o)
{
	size_t k, v;

	for (k = 0; k < sizeof(client_rules) / sizeof(client_rules[0]); k++) {
		const struct client_rule *r = &client_rules[k];

		if (rule_match(s, r, &v) == NPOS)
			continue;
		PUT(o->client_type, r->type);
		PUT(o->client_code, r->code);
		PUT(o->client_name, r->name);
		if (r->fixed != NULL)
			PUT(o->client_version, r->fixed);
		else if (r->vtok != NULL)
			ver_after(s, r->vtok, NULL, 0, o->client_version,
			    sizeof(o->client_version));
		else if (v != NPOS)
			put_ver(o->client_version, sizeof(o->client_version), s, v,
			    ver_span(s, v, 0), 1);
		detect_engine(s, r->eng, o);
		return;
	}
}

/* ---- device -------------------------------------------------------------- */

static const char *const apple_os[] = { "IOS", "IPA", "MAC", NULL };
static const char *const desktop_os[] = {
	"WIN", "MAC", "LIN", "UBT", "FED", "DEB", "COS", NULL
};
static const char *const mobile_only[] = { "MF", "FM", "OM", NULL };

/* Apple handhelds, by the word in the UA (not after "like "). */
static const struct {
	const char *tok;   /* word in the UA */
	const char *type;  /* deviceName */
	const char *model; /* deviceModel */
} apple_devices[] = {
	{ "iPad", "tablet", "iPad" },
	{ "iPhone", "smartphone", "iPhone" },
	{ "iPod", "portable media player", "iPod Touch" },
};

/* Android model prefixes we know the brand of. */
static const struct {
	const char *prefix; /* start of the model segment */
	const char *brand;  /* deviceBrand */
	int drop;           /* 1: the prefix is not part of the model */
} android_brands[] = {
	{ "SAMSUNG ", "Samsung", 1 }, { "SM-", "Samsung", 0 },
	{ "GT-", "Samsung", 0 },      { "Pixel", "Google", 0 },
	{ "Nexus", "Google", 0 },
};

/* Sets brand, model and type of an iPhone/iPad/iPod named in the UA. */
static void device_apple(struct str s, struct ua_info *o)
{
	size_t k;

	for (k = 0; k < sizeof(apple_devices) / sizeof(apple_devices[0]); k++) {
		size_t i = find_tok(s, apple_devices[k].tok);

		if (i == NPOS || (i >= 5 && at(s, i - 5, "like ", 1)))
			continue;
		PUT(o->device_name, apple_devices[k].type);
		PUT(o->device_brand, "Apple");
		PUT(o->device_model, apple_devices[k].model);
		return;
	}
}

/* Sets brand and model from the segment after "Android <ver>; " when its
 * prefix is in android_brands; a known brand implies a smartphone. */
static void device_android(struct str s, struct ua_info *o)
{
	size_t i = find_tok(s, "Android"), b, e, k, pl;

	if (i == NPOS || (b = ver_at(s, i + 7, " ")) == NPOS)
		return;
	b += ver_span(s, b, 0);
	if (!at(s, b, "; ", 0))
		return;
	b += 2;
	for (e = b; e < s.n && s.p[e] != ';' && s.p[e] != ')' &&
	    !at(s, e, " Build/", 0); e++)
		;
	for (k = 0; k < sizeof(android_brands) / sizeof(android_brands[0]); k++) {
		if (!at(s, b, android_brands[k].prefix, 1))
			continue;
		pl = android_brands[k].drop ? strlen(android_brands[k].prefix) : 0;
		PUT(o->device_brand, android_brands[k].brand);
		put_clean(o->device_model, sizeof(o->device_model), s, b + pl,
		    e - b - pl);
		PUT(o->device_name, "smartphone");
		return;
	}
}

/* Returns Matomo's device type for an Android UA, or "" when unknown. */
static const char *android_type(struct str s, const struct ua_info *o)
{
	long m = major_of(o->os_version);

	if (find_tok(s, "Chrome/") != NPOS)
		return find_tok(s, "Mobile") != NPOS ? "smartphone" : "tablet";
	if (find_tok(s, "Tablet") != NPOS && find_tok(s, "Tablet PC") == NPOS)
		return "tablet";
	if (find_at(s, 0, "; Mobile;", 0) != NPOS)
		return "smartphone";
	if (m >= 0 && m < 2)
		return "smartphone";
	if (m == 3)
		return "tablet";
	return o->device_name;
}

/* Fills the device_* fields (after OS and client are known). */
static void detect_device(struct str s, struct ua_info *o)
{
	int is_browser = strcmp(o->client_type, BR) == 0;
	long wm = major_of(o->os_version);

	if (code_in(o->os_code, apple_os))
		device_apple(s, o);
	if (strcmp(o->os_code, "AND") == 0) {
		device_android(s, o);
		PUT(o->device_name, android_type(s, o));
	}
	/* Windows 8 and later with "Touch": Matomo assumes a tablet. */
	if (o->device_name[0] == '\0' && strcmp(o->os_code, "WIN") == 0 &&
	    wm >= 8 && find_tok(s, "Touch") != NPOS)
		PUT(o->device_name, "tablet");
	if (o->device_name[0] == '\0' && code_in(o->os_code, desktop_os) &&
	    !(is_browser && code_in(o->client_code, mobile_only)))
		PUT(o->device_name, "desktop");
	if (o->device_brand[0] == '\0' && code_in(o->os_code, apple_os))
		PUT(o->device_brand, "Apple");
}

/* ---- Appwrite CLI ---------------------------------------------------------- */

/* Appwrite's override for its CLI: replaces the client fields. */
static void detect_cli(struct str s, struct ua_info *o)
{
	size_t i, e;

	if (find_at(s, 0, "AppwriteCLI", F_CASE) == NPOS)
		return;
	PUT(o->client_type, "desktop");
	PUT(o->client_code, "cli");
	PUT(o->client_name, "Appwrite CLI");
	PUT(o->client_version, "");
	PUT(o->client_engine, "");
	PUT(o->client_engine_version, "");
	for (i = 0; i < s.n && s.p[i] != ' ' && s.p[i] != '/'; i++)
		;
	if (i >= s.n || s.p[i] != '/')
		return;
	for (e = i + 1; e < s.n && s.p[e] != ' ' && s.p[e] != '/'; e++)
		;
	put_clean(o->client_version, sizeof(o->client_version), s, i + 1,
	    e - i - 1);
}

/* Parses ua[0..n) (at most LK_MAX_UA bytes looked at) into out; every field
 * ends up NUL-terminated, "" when unknown.  out is owned by the caller. */
void ua_parse(const char *ua, size_t n, struct ua_info *out)
{
	struct str s = { ua, ua != NULL ? n : 0 };

	memset(out, 0, sizeof(*out));
	if (s.n > LK_MAX_UA)
		s.n = LK_MAX_UA;
	if (s.n == 0)
		return;
	detect_os(s, out);
	detect_client(s, out);
	detect_device(s, out);
	detect_cli(s, out);
}
