/* test_router.c: check suite for src/router.c and the route table
 * (routes.def). A table of method + path requests with the route, path
 * variables and path_found they must give, plus invariants every row of the
 * table must keep (methods, patterns, declared path parameters, rate-limit
 * fields, reachability of each route by its own pattern). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "router.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- router_match ---- */

struct rcase {
	const char *method;  /* request method */
	const char *path;    /* path below /v1 */
	size_t n;            /* explicit path length (NUL inside), else 0 */
	int match;           /* expected result */
	const char *pattern; /* expected route pattern when match */
	int path_found;      /* expected path_found */
	const char *var;     /* "name=value" of the first path variable or NULL */
};

static const struct rcase route_cases[] = {
	{ "GET", "/account", 0, 1, "/account", 1, NULL },
	{ "POST", "/account", 0, 1, "/account", 1, NULL },
	{ "DELETE", "/account", 0, 1, "/account", 1, NULL },
	{ "GET", "/account/", 0, 1, "/account", 1, NULL },
	{ "PUT", "/account", 0, 0, NULL, 1, NULL },
	{ "HEAD", "/account", 0, 0, NULL, 1, NULL },
	{ "get", "/account", 0, 0, NULL, 1, NULL },
	{ "", "/account", 0, 0, NULL, 1, NULL },
	{ "GET", "/account//", 0, 0, NULL, 0, NULL },
	{ "GET", "//account", 0, 0, NULL, 0, NULL },
	{ "GET", "/accounts", 0, 0, NULL, 0, NULL },
	{ "GET", "/accoun", 0, 0, NULL, 0, NULL },
	{ "GET", "/Account", 0, 0, NULL, 0, NULL },
	{ "GET", "/v1/account", 0, 0, NULL, 0, NULL },
	{ "GET", "account", 0, 0, NULL, 0, NULL },
	{ "GET", "", 0, 0, NULL, 0, NULL },
	{ "GET", "/", 0, 0, NULL, 0, NULL },
	{ "GET", "/account\0/x", 11, 0, NULL, 0, NULL },
	{ "GET", "/account\0", 9, 0, NULL, 0, NULL },
	{ "PATCH", "/account/name", 0, 1, "/account/name", 1, NULL },
	{ "PATCH", "/account/email", 0, 1, "/account/email", 1, NULL },
	{ "PATCH", "/account/password", 0, 1, "/account/password", 1, NULL },
	{ "PATCH", "/account/phone", 0, 1, "/account/phone", 1, NULL },
	{ "GET", "/account/prefs", 0, 1, "/account/prefs", 1, NULL },
	{ "PATCH", "/account/prefs", 0, 1, "/account/prefs", 1, NULL },
	{ "POST", "/account/prefs", 0, 0, NULL, 1, NULL },
	{ "PATCH", "/account/status", 0, 1, "/account/status", 1, NULL },
	{ "GET", "/account/logs", 0, 1, "/account/logs", 1, NULL },
	{ "GET", "/account/identities", 0, 1, "/account/identities", 1, NULL },
	{ "DELETE", "/account/identities/abc", 0, 1,
	  "/account/identities/{identityId}", 1, "identityId=abc" },
	{ "GET", "/account/identities/abc", 0, 0, NULL, 1, NULL },
	{ "DELETE", "/account/identities/", 0, 0, NULL, 1, NULL }, /* GET list */
	{ "POST", "/account/jwts", 0, 1, "/account/jwts", 1, NULL },
	{ "POST", "/account/jwt", 0, 1, "/account/jwt", 1, NULL },
	{ "GET", "/account/jwt", 0, 0, NULL, 1, NULL },
	{ "GET", "/account/sessions", 0, 1, "/account/sessions", 1, NULL },
	{ "GET", "/account/sessions/", 0, 1, "/account/sessions", 1, NULL },
	{ "DELETE", "/account/sessions", 0, 1, "/account/sessions", 1, NULL },
	{ "POST", "/account/sessions", 0, 1, "/account/sessions", 1, NULL },
	{ "POST", "/account/sessions/anonymous", 0, 1,
	  "/account/sessions/anonymous", 1, NULL },
	{ "POST", "/account/sessions/email", 0, 1, "/account/sessions/email", 1, NULL },
	{ "GET", "/account/sessions/abc", 0, 1, "/account/sessions/{sessionId}", 1,
	  "sessionId=abc" },
	{ "GET", "/account/sessions/current", 0, 1,
	  "/account/sessions/{sessionId}", 1, "sessionId=current" },
	{ "GET", "/account/sessions/abc/", 0, 1,
	  "/account/sessions/{sessionId}", 1, "sessionId=abc" },
	{ "PATCH", "/account/sessions/current", 0, 1,
	  "/account/sessions/{sessionId}", 1, "sessionId=current" },
	{ "DELETE", "/account/sessions/x", 0, 1,
	  "/account/sessions/{sessionId}", 1, "sessionId=x" },
	/* a literal path of another method falls through to the variable one,
	 * as Appwrite's router does */
	{ "GET", "/account/sessions/anonymous", 0, 1,
	  "/account/sessions/{sessionId}", 1, "sessionId=anonymous" },
	{ "DELETE", "/account/sessions/email", 0, 1,
	  "/account/sessions/{sessionId}", 1, "sessionId=email" },
	{ "PUT", "/account/sessions/abc", 0, 0, NULL, 1, NULL },
	{ "GET", "/account/sessions/a%2Fb", 0, 1, "/account/sessions/{sessionId}",
	  1, "sessionId=a%2Fb" },
	{ "GET", "/account/sessions/a/b", 0, 0, NULL, 0, NULL },
	{ "GET", "/account/sessions//", 0, 0, NULL, 0, NULL },
	{ "GET", "/account/sessionsx", 0, 0, NULL, 0, NULL },
	{ "GET", "/account/sessions/abc?x=1", 0, 1,
	  "/account/sessions/{sessionId}", 1, "sessionId=abc?x=1" },
	/* push targets (E48-E50) */
	{ "POST", "/account/targets/push", 0, 1, "/account/targets/push", 1, NULL },
	{ "PUT", "/account/targets/t1/push", 0, 1,
	  "/account/targets/{targetId}/push", 1, "targetId=t1" },
	{ "DELETE", "/account/targets/t1/push", 0, 1,
	  "/account/targets/{targetId}/push", 1, "targetId=t1" },
	{ "GET", "/account/targets/t1/push", 0, 0, NULL, 1, NULL },
	{ "PUT", "/account/targets/push", 0, 0, NULL, 1, NULL },
	{ "POST", "/account/targets/t1/push", 0, 0, NULL, 1, NULL },
	{ "PUT", "/account/targets/t1", 0, 0, NULL, 0, NULL },
	{ "PUT", "/account/targets/t1/push/x", 0, 0, NULL, 0, NULL },
};

/* Each route_cases row. */
START_TEST(test_match)
{
	const struct rcase *c = &route_cases[_i];
	struct route_match m;
	struct str path = { c->path, c->n ? c->n : strlen(c->path) };
	int r;

	memset(&m, 0x5a, sizeof m);
	r = router_match(c->method, path, &m);
	ck_assert_msg(r == c->match, "row %d: %s %s -> %d", _i, c->method,
	    c->path, r);
	ck_assert_msg(m.path_found == c->path_found, "row %d: path_found %d",
	    _i, m.path_found);
	if (!r) {
		ck_assert_ptr_null(m.route);
		return;
	}
	ck_assert_ptr_nonnull(m.route);
	ck_assert_str_eq(m.route->pattern, c->pattern);
	ck_assert_str_eq(m.route->method, c->method);
	if (c->var == NULL) {
		ck_assert_int_eq(m.nvars, 0);
	} else {
		const char *eq = strchr(c->var, '=');
		struct str name = { c->var, (size_t)(eq - c->var) };
		ck_assert_int_eq(m.nvars, 1);
		ck_assert(str_eq(m.var_name[0], name));
		ck_assert_msg(str_eqc(m.var_val[0], eq + 1), "row %d: value '%.*s'",
		    _i, (int)m.var_val[0].n, m.var_val[0].p);
	}
}
END_TEST

/* A NULL path with length 0 matches nothing. */
START_TEST(test_match_empty)
{
	struct route_match m;

	ck_assert_int_eq(router_match("GET", STR_NULL, &m), 0);
	ck_assert_int_eq(m.path_found, 0);
	ck_assert_ptr_null(m.route);
}
END_TEST

/* ---- the table ---- */


/* Row _i: method, pattern, handler, scope, variables, parameters and rate
 * limit fields are well formed. */
START_TEST(test_table_row)
{
	const struct route *r = &router_routes[_i];
	static const char *const methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };
	const char *p;
	size_t i;
	int ok = 0, nvars = 0, j;

	for (i = 0; i < NELEM(methods); i++)
		ok |= strcmp(r->method, methods[i]) == 0;
	ck_assert_msg(ok, "route %d: method %s", _i, r->method);
	ck_assert_msg(r->pattern[0] == '/', "route %d: pattern", _i);
	ck_assert_msg(strlen(r->pattern) == 1 ||
	    r->pattern[strlen(r->pattern) - 1] != '/', "route %d: trailing /", _i);
	ck_assert_ptr_nonnull(r->handler);
	ck_assert_ptr_nonnull(r->params);
	ck_assert(r->scope == SC_ACCOUNT || r->scope == SC_SESSIONS_WRITE ||
	    r->scope == SC_PUBLIC || r->scope == SC_TARGETS_WRITE);
	/* each {var} is a whole segment, declared as a required parameter */
	for (p = r->pattern; (p = strchr(p, '{')) != NULL; p++) {
		const char *e = strchr(p, '}');
		int declared = 0;
		ck_assert_msg(e != NULL, "route %d: unclosed {", _i);
		ck_assert_msg(p[-1] == '/' && (e[1] == '\0' || e[1] == '/'),
		    "route %d: variable is not a whole segment", _i);
		for (j = 0; r->params[j].name; j++)
			if (strlen(r->params[j].name) == (size_t)(e - p - 1) &&
			    strncmp(r->params[j].name, p + 1, (size_t)(e - p - 1)) == 0)
				declared = r->params[j].required;
		ck_assert_msg(declared, "route %d %s: {%.*s} not a required param",
		    _i, r->pattern, (int)(e - p - 1), p + 1);
		nvars++;
	}
	ck_assert_int_le(nvars, LK_MAX_PATH_PARAMS);
	/* parameter names are unique */
	for (j = 0; r->params[j].name; j++) {
		int k;
		ck_assert(r->params[j].name[0] != '\0');
		for (k = j + 1; r->params[k].name; k++)
			ck_assert_msg(strcmp(r->params[j].name, r->params[k].name) != 0,
			    "route %d: duplicate param %s", _i, r->params[j].name);
	}
	/* rate limits name a counter and a key template */
	ck_assert_int_ge(r->rl_limit, 0);
	if (r->rl_limit > 0) {
		ck_assert_ptr_nonnull(r->rl_group);
		ck_assert_ptr_nonnull(r->rl_key[0]);
		ck_assert(r->rl_group[0] != '\0');
	}
	/* no other row has the same method and pattern */
	for (i = 0; i < router_nroutes; i++)
		if (i != (size_t)_i)
			ck_assert_msg(strcmp(router_routes[i].method, r->method) != 0 ||
			    strcmp(router_routes[i].pattern, r->pattern) != 0,
			    "route %d duplicated at %zu", _i, i);
}
END_TEST

/* Row _i is reachable: its pattern with every {var} replaced by a value
 * matches this very route, with the variables in order. */
START_TEST(test_table_reachable)
{
	const struct route *r = &router_routes[_i];
	struct route_match m;
	char path[512];
	size_t n = 0;
	const char *p;
	int vars = 0;

	for (p = r->pattern; *p && n + 16 < sizeof path; p++) {
		if (*p == '{') {
			n += (size_t)snprintf(path + n, sizeof path - n, "v%dx", vars++);
			p = strchr(p, '}');
			continue;
		}
		path[n++] = *p;
	}
	path[n] = '\0';
	ck_assert_msg(router_match(r->method, str_c(path), &m) == 1,
	    "route %d: %s %s does not match", _i, r->method, path);
	ck_assert_msg(m.route == r, "route %d: %s %s matched %s", _i, r->method,
	    path, m.route->pattern);
	ck_assert_int_eq(m.nvars, vars);
	ck_assert_int_eq(m.path_found, 1);
	if (vars) {
		ck_assert(str_eqc(m.var_val[0], "v0x"));
		ck_assert(m.var_name[0].n > 0);
	}
}
END_TEST

/* Builds the router suite. */
static Suite *
router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *tc;

	tc = check_tcase("match");
	tcase_add_loop_test(tc, test_match, 0, NELEM(route_cases));
	tcase_add_test(tc, test_match_empty);
	suite_add_tcase(s, tc);

	tc = check_tcase("table");
	tcase_add_loop_test(tc, test_table_row, 0, (int)router_nroutes);
	tcase_add_loop_test(tc, test_table_reachable, 0, (int)router_nroutes);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; exit status 1 when any test failed. */
int
main(void)
{
	return check_run(router_suite());
}
