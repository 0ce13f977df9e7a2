/* errors.c: the error table (see errors.def). */
#include "errors.h"

struct err_row {
	int status;        /* declared HTTP status */
	const char *type;  /* Appwrite type */
	const char *msg;   /* default message */
};

static const struct err_row err_rows[E__COUNT] = {
#define E(name, status, type, msg) [name] = { status, type, msg },
#include "errors.def"
#undef E
};

int err_status_passes(int status)
{
	static const int pass[] = { 400, 401, 402, 403, 404, 408, 409, 412,
	    413, 416, 429, 451, 501, 503 };
	unsigned i;

	for (i = 0; i < sizeof pass / sizeof pass[0]; i++)
		if (pass[i] == status)
			return 1;
	return 0;
}

int err_status(enum lk_err err)
{
	int s = (unsigned)err < E__COUNT ? err_rows[err].status : 500;

	return err_status_passes(s) ? s : 500;
}

const char *err_type(enum lk_err err)
{
	return (unsigned)err < E__COUNT ? err_rows[err].type : "general_unknown";
}

const char *err_message(enum lk_err err)
{
	if ((unsigned)err >= E__COUNT || !err_status_passes(err_rows[err].status))
		return "Server Error";
	return err_rows[err].msg;
}
