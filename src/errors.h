/* errors.h: the error enum (from errors.def) and its lookup. Handlers return
 * an enum lk_err and never write error bodies themselves. */
#ifndef LK_ERRORS_H
#define LK_ERRORS_H

enum lk_err {
#define E(name, status, type, msg) name,
#include "errors.def"
#undef E
	E__COUNT
};

/* HTTP status to send for err (after Appwrite's masking). */
int err_status(enum lk_err err);
/* Appwrite `type` string of err. */
const char *err_type(enum lk_err err);
/* Default message of err ("Server Error" for masked statuses). */
const char *err_message(enum lk_err err);
/* Returns 1 when Appwrite passes status through unmasked. */
int err_status_passes(int status);

#endif
