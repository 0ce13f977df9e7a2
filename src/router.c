/* router.c: route table and matching (see router.h, routes.def). */
#include <string.h>

#include "api.h"
#include "router.h"

/* The parameter list of a route without parameters. */
static const struct pspec no_params[] = { { NULL, V_STRING, 0 } };

#define PARAMS(...) ((const struct pspec[]){ __VA_ARGS__, { NULL, V_STRING, 0 } })
#define P(name, v, req) { name, v, req }
/* A row: designated initialisers of struct route. The fields a row leaves
 * out are 0 / NULL, but params starts as no_params, so every route has a
 * terminated list (the parameter check walks it to name == NULL); a row's own
 * .params replaces it. That replacement is what -Woverride-init reports, so
 * the warning is off for the table alone, and checked on the rows below. */
#define ROUTE(...) { .params = no_params, __VA_ARGS__ },

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
const struct route router_routes[] = {
#include "routes.def"
};
#pragma GCC diagnostic pop
const size_t router_nroutes = sizeof router_routes / sizeof router_routes[0];

/* The rows once more without the default, -Woverride-init on: a row that
 * names a field twice does not build. */
#undef ROUTE
#define ROUTE(...) { __VA_ARGS__ },
_Static_assert(sizeof (const struct route[]){
#include "routes.def"
} == sizeof router_routes, "routes.def: a row names a field twice");

/* Matches one pattern against path; fills vars. Returns 1 on a match. */
static int match_pattern(const char *pat, struct str path, struct route_match *m)
{
	const char *p = pat, *s = path.p, *se = path.p ? path.p + path.n : NULL;

	m->nvars = 0;
	while (*p && s < se) {
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			const char *seg = s;
			if (pe == NULL || m->nvars >= LK_MAX_PATH_PARAMS)
				return 0;
			while (s < se && *s != '/')
				s++;
			if (s == seg)
				return 0;
			m->var_name[m->nvars] = (struct str){ p + 1, (size_t)(pe - p - 1) };
			m->var_val[m->nvars++] = (struct str){ seg, (size_t)(s - seg) };
			p = pe + 1;
			continue;
		}
		if (*p != *s)
			return 0;
		p++, s++;
	}
	/* tolerate one trailing slash */
	if (*p == '\0' && s + 1 == se && *s == '/')
		s++;
	return *p == '\0' && s == se;
}

int router_match(const char *method, struct str path, struct route_match *m)
{
	size_t i;

	memset(m, 0, sizeof *m);
	for (i = 0; i < router_nroutes; i++) {
		const struct route *r = &router_routes[i];
		struct route_match tmp;
		if (!match_pattern(r->pattern, path, &tmp))
			continue;
		m->path_found = 1;
		if (strcmp(r->method, method) != 0)
			continue;
		tmp.route = r;
		tmp.path_found = 1;
		*m = tmp;
		return 1;
	}
	return 0;
}
