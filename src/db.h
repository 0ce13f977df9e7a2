/* db.h: the worker's one MariaDB connection and its registry of prepared
 * statements (db_stmts.def, the only place SQL text appears). Statements are
 * prepared after every (re)connect; results come back as strings in the
 * request arena. Transactions are retried whole on deadlock/certification
 * failure (1213) by db_tx(). */
#ifndef LK_DB_H
#define LK_DB_H

#include <stddef.h>

#include <string.h>

#include "arena.h"
#include "str.h"

enum stmt_id {
#define S(name, sql) name,
#include "db_stmts.def"
#undef S
	ST__COUNT
};

/* Column indices of USER_COLS / SESSION_COLS (order of db_stmts.def).
 * UC_PASSWORD and UC_PW_HISTORY exist only in the rows of statements that
 * add USER_SECRET_COLS after USER_COLS (never in the caller's c->user). */
enum user_col {
	UC_ID, UC_CREATED, UC_UPDATED, UC_NAME, UC_REGISTRATION, UC_STATUS,
	UC_LABELS, UC_PASSWORD_UPDATE, UC_EMAIL, UC_PHONE, UC_EMAIL_VER,
	UC_PHONE_VER, UC_MFA, UC_PREFS, UC_ACCESSED, UC_TARGETS,
	UC_TOTP,         /* 1: a verified TOTP authenticator (005_mfa.sql) */
	UC_RECOVERY,     /* 1: MFA recovery codes were generated */
	UC__N,
	UC_PASSWORD = UC__N, UC_PW_HISTORY, UC__ALL
};
/* Columns of AUTH_SESSION_COLS (after USER_COLS in ST_AUTH_SESSION). */
enum auth_session_col { AS_ID, AS_FACTORS, AS_SECRET, AS_MFA_UPDATED, AS__N };
enum session_col {
	SC_ID, SC_CREATED, SC_UPDATED, SC_USER_ID, SC_EXPIRE, SC_PROVIDER,
	SC_PROVIDER_UID, SC_PAT, SC_PAT_EXPIRY, SC_PRT, SC_IP, SC_OS_CODE,
	SC_OS_NAME, SC_OS_VERSION, SC_CLIENT_TYPE, SC_CLIENT_CODE,
	SC_CLIENT_NAME, SC_CLIENT_VERSION, SC_CLIENT_ENGINE,
	SC_CLIENT_ENGINE_VERSION, SC_DEVICE_NAME, SC_DEVICE_BRAND,
	SC_DEVICE_MODEL, SC_COUNTRY, SC_FACTORS, SC_MFA_UPDATED, SC_SECRET,
	SC__N
};

enum dbv_type { DV_STR, DV_INT, DV_NULL, DV_BLOB };

/* One statement argument. */
struct dbv {
	enum dbv_type t; /* kind */
	const char *p;   /* DV_STR bytes */
	size_t n;        /* DV_STR length */
	long long i;     /* DV_INT value */
};
/* A string argument; NULL binds SQL NULL. */
static inline struct dbv dv_str(const char *s)
{
	struct dbv v = { s ? DV_STR : DV_NULL, s, s ? strlen(s) : 0, 0 };
	return v;
}
#define DVS(s) dv_str(s)
#define DVI(v) ((struct dbv){ DV_INT, NULL, 0, (long long)(v) })
#define DVNULL ((struct dbv){ DV_NULL, NULL, 0, 0 })
#define DVB(ptr, len) ((struct dbv){ DV_BLOB, (const char *)(ptr), (len), 0 })

/* A result set, all cells as strings in the arena. */
struct dbres {
	int nrows, ncols;   /* shape */
	const char **cell;  /* nrows*ncols NUL-terminated values, NULL for SQL NULL */
	size_t *len;        /* their lengths */
};

/* Cell (row, col) or NULL. */
static inline const char *db_cell(const struct dbres *r, int row, int col)
{
	return r->cell[row * r->ncols + col];
}

enum db_rc {
	DB_OK = 0,     /* done */
	DB_DUP,        /* duplicate key (1062) */
	DB_RETRY,      /* deadlock / certification failure: redo the transaction */
	DB_DOWN,       /* not connected / connection lost */
	DB_FAIL        /* any other error (logged) */
};

struct db_conf {
	const char *host, *socket, *user, *password, *name; /* connection */
	unsigned port;                                       /* 0 = default */
};

/* Sets the connection parameters (copied by reference; keep them alive). */
void db_configure(const struct db_conf *conf);
/* Connects and prepares every statement if not connected. Returns DB_OK or
 * DB_DOWN. Cheap when already connected. */
enum db_rc db_ensure(void);
/* Closes the connection and the statements. */
void db_close(void);
/* Runs statement id with args; res (may be NULL) receives the rows. */
enum db_rc db_exec(enum stmt_id id, const struct dbv *args, int nargs,
    struct dbres *res, struct arena *a);
/* Prepares, runs and closes one statement whose text is a constant of
 * db_stmts.def (migrations, before the registry's tables exist). */
enum db_rc db_exec_once(const char *sql, const struct dbv *args, int nargs,
    struct dbres *res, struct arena *a);
/* Rows changed by the last db_exec, and the LAST_INSERT_ID it produced. */
unsigned long long db_affected(void);
unsigned long long db_insert_id(void);
/* Transaction control. */
enum db_rc db_begin(void);
enum db_rc db_commit(void);
void db_rollback(void);
/* Runs fn(arg) inside a transaction, retrying the whole of it up to 5 times
 * on DB_RETRY. fn returns a db_rc; anything but DB_OK rolls back. */
enum db_rc db_tx(enum db_rc (*fn)(void *arg), void *arg);
/* Makes later connections skip statement preparation (for migrate). */
void db_migrate_mode(void);
/* Runs a whole SQL script (migrations only; never request data). */
enum db_rc db_script(const char *sql, size_t n);

#endif
