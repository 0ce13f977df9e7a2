/* db.c: connection, reconnect and the prepared-statement registry. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <mysql.h>
#include <errmsg.h>

#include "db.h"
#include "timeutil.h"

static const char *const stmt_sql[ST__COUNT] = {
#define S(name, sql) [name] = sql,
#include "db_stmts.def"
#undef S
};

static MYSQL *conn;                      /* the connection, NULL when down */
static MYSQL_STMT *stmts[ST__COUNT];     /* prepared statements */
static const struct db_conf *cfg;        /* connection parameters, not owned */
static unsigned long long last_affected; /* of the last db_exec */
static unsigned long long last_insert;   /* LAST_INSERT_ID of the last db_exec */
static int in_tx;                        /* 1 inside db_begin..commit */
static int migrate_mode;                 /* 1: connect without preparing */

void db_configure(const struct db_conf *conf)
{
	cfg = conf;
}

void db_close(void)
{
	int i;

	for (i = 0; i < ST__COUNT; i++)
		if (stmts[i]) {
			mysql_stmt_close(stmts[i]);
			stmts[i] = NULL;
		}
	if (conn)
		mysql_close(conn);
	conn = NULL;
	in_tx = 0;
}

/* Logs a connection-level error without any request data. */
static void db_log(const char *what, unsigned err, const char *msg)
{
	syslog(LOG_ERR, "db: %s: %u %s", what, err, msg ? msg : "");
}

/* Prepares every statement of the registry. Returns 0 or -1. */
static int prepare_all(void)
{
	int i;

	for (i = 0; i < ST__COUNT; i++) {
		stmts[i] = mysql_stmt_init(conn);
		if (stmts[i] == NULL ||
		    mysql_stmt_prepare(stmts[i], stmt_sql[i], strlen(stmt_sql[i]))) {
			db_log("prepare", stmts[i] ? mysql_stmt_errno(stmts[i]) : 0,
			    stmts[i] ? mysql_stmt_error(stmts[i]) : "no memory");
			fprintf(stderr, "latchkey: cannot prepare statement %d: %s\n", i,
			    stmts[i] ? mysql_stmt_error(stmts[i]) : "no memory");
			return -1;
		} else {
			my_bool on = 1;
			mysql_stmt_attr_set(stmts[i], STMT_ATTR_UPDATE_MAX_LENGTH, &on);
		}
	}
	return 0;
}

enum db_rc db_ensure(void)
{
	unsigned timeout = 3;
	static const char init[] = "SET time_zone='+00:00',"
	    "sql_mode='STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION',"
	    "SESSION tx_isolation='READ-COMMITTED'";

	if (conn)
		return DB_OK;
	if (cfg == NULL || (conn = mysql_init(NULL)) == NULL)
		return DB_DOWN;
	mysql_options(conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(conn, MYSQL_OPT_READ_TIMEOUT, &(unsigned){ 30 });
	mysql_options(conn, MYSQL_OPT_WRITE_TIMEOUT, &(unsigned){ 30 });
	mysql_options(conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (!mysql_real_connect(conn, cfg->host, cfg->user, cfg->password,
	    cfg->name, cfg->port, cfg->socket, CLIENT_MULTI_STATEMENTS) ||
	    mysql_real_query(conn, init, sizeof init - 1) ||
	    (!migrate_mode && prepare_all() < 0)) {
		db_log("connect", mysql_errno(conn), mysql_error(conn));
		if (migrate_mode)
			fprintf(stderr, "latchkey: database: %s\n", mysql_error(conn));
		db_close();
		return DB_DOWN;
	}
	return DB_OK;
}

/* Maps a MariaDB error number to a db_rc, dropping the connection when it
 * is gone. */
static enum db_rc map_err(unsigned e, const char *msg)
{
	switch (e) {
	case 1062:
		return DB_DUP;
	case 1213: /* deadlock, also Galera certification failure */
	case 1205: /* lock wait timeout */
		return DB_RETRY;
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_CONN_HOST_ERROR:
	case CR_CONNECTION_ERROR:
	case 1927: /* connection killed */
	case 1053: /* server shutdown */
		db_log("lost", e, msg);
		db_close();
		return DB_DOWN;
	default:
		db_log("query", e, msg);
		return DB_FAIL;
	}
}

/* Binds args to st. Returns 0 or -1 on a count mismatch. */
static int bind_args(MYSQL_STMT *st, const struct dbv *args, int nargs,
    MYSQL_BIND *b)
{
	int i;

	if ((int)mysql_stmt_param_count(st) != nargs)
		return -1;
	memset(b, 0, sizeof(MYSQL_BIND) * (size_t)nargs);
	for (i = 0; i < nargs; i++) {
		switch (args[i].t) {
		case DV_STR:
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)(uintptr_t)args[i].p;
			b[i].buffer_length = args[i].n;
			break;
		case DV_BLOB:
			b[i].buffer_type = MYSQL_TYPE_BLOB;
			b[i].buffer = (void *)(uintptr_t)args[i].p;
			b[i].buffer_length = args[i].n;
			break;
		case DV_INT:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)(uintptr_t)&args[i].i;
			break;
		default:
			b[i].buffer_type = MYSQL_TYPE_NULL;
		}
	}
	return nargs ? (mysql_stmt_bind_param(st, b) ? -1 : 0) : 0;
}

/* 1 for a column read as MYSQL_TIME (DATETIME, TIMESTAMP): formatted here
 * in Appwrite's form, cheaper than the connector's own text conversion. */
static int is_datetime(const MYSQL_FIELD *f)
{
	return f->type == MYSQL_TYPE_DATETIME || f->type == MYSQL_TYPE_TIMESTAMP;
}

/* Appwrite's "YYYY-MM-DDTHH:MM:SS.mmm+00:00" of t in the arena (the
 * connection runs in UTC). */
static char *iso_datetime(const MYSQL_TIME *t, struct arena *a)
{
	char *o = arena_alloc(a, LK_ISOTIME_LEN);

	if (o != NULL)
		time_fields_iso(t->year, t->month, t->day, t->hour, t->minute,
		    t->second, (unsigned)(t->second_part / 1000), o);
	return o;
}

/* Fetches all rows of st into res. Returns DB_OK or an error. */
static enum db_rc fetch_rows(MYSQL_STMT *st, struct dbres *res, struct arena *a)
{
	MYSQL_RES *meta = mysql_stmt_result_metadata(st);
	MYSQL_FIELD *f;
	MYSQL_BIND *b = NULL;
	unsigned long *lens = NULL;
	my_bool *nulls = NULL;
	int nc, nr, r, c, rc;

	memset(res, 0, sizeof *res);
	if (meta == NULL)
		return DB_OK;
	if (mysql_stmt_store_result(st)) {
		mysql_free_result(meta);
		return map_err(mysql_stmt_errno(st), mysql_stmt_error(st));
	}
	nc = (int)mysql_num_fields(meta);
	nr = (int)mysql_stmt_num_rows(st);
	f = mysql_fetch_fields(meta);
	b = arena_alloc(a, sizeof *b * (size_t)nc);
	lens = arena_alloc(a, sizeof *lens * (size_t)nc);
	nulls = arena_alloc(a, sizeof *nulls * (size_t)nc);
	res->cell = arena_alloc(a, sizeof(char *) * (size_t)(nr * nc + 1));
	res->len = arena_alloc(a, sizeof(size_t) * (size_t)(nr * nc + 1));
	rc = DB_FAIL;
	if (!b || !lens || !nulls || !res->cell || !res->len)
		goto out;
	memset(b, 0, sizeof *b * (size_t)nc);
	for (c = 0; c < nc; c++) {
		b[c].buffer_type = is_datetime(&f[c]) ? MYSQL_TYPE_DATETIME : MYSQL_TYPE_STRING;
		b[c].buffer_length = is_datetime(&f[c]) ? sizeof(MYSQL_TIME) : f[c].max_length + 1;
		b[c].length = &lens[c];
		b[c].is_null = &nulls[c];
	}
	for (r = 0; r < nr; r++) {
		for (c = 0; c < nc; c++)
			if ((b[c].buffer = arena_alloc(a, b[c].buffer_length)) == NULL)
				goto out;
		if (mysql_stmt_bind_result(st, b))
			goto out;
		if ((rc = mysql_stmt_fetch(st)) != 0 && rc != MYSQL_DATA_TRUNCATED) {
			rc = DB_FAIL;
			goto out;
		}
		for (c = 0; c < nc; c++) {
			char *v = b[c].buffer;
			size_t n;
			if (is_datetime(&f[c])) {
				if (!nulls[c] && (v = iso_datetime(b[c].buffer, a)) == NULL)
					goto out;
				n = LK_ISOTIME_LEN - 1;
			} else {
				n = lens[c] < b[c].buffer_length ? lens[c] : b[c].buffer_length - 1;
				v[n] = '\0';
			}
			res->cell[r * nc + c] = nulls[c] ? NULL : v;
			res->len[r * nc + c] = nulls[c] ? 0 : n;
		}
	}
	res->nrows = nr;
	res->ncols = nc;
	rc = DB_OK;
out:
	mysql_stmt_free_result(st);
	mysql_free_result(meta);
	return (enum db_rc)rc;
}

enum db_rc db_exec(enum stmt_id id, const struct dbv *args, int nargs,
    struct dbres *res, struct arena *a)
{
	MYSQL_BIND b[32];
	MYSQL_STMT *st;
	struct dbres dummy;

	if (conn == NULL && (in_tx || db_ensure() != DB_OK))
		return DB_DOWN;
	st = stmts[id];
	if (nargs > 32 || bind_args(st, args, nargs, b) < 0) {
		db_log("bind", (unsigned)id, "argument count");
		return DB_FAIL;
	}
	if (mysql_stmt_execute(st))
		return map_err(mysql_stmt_errno(st), mysql_stmt_error(st));
	last_affected = mysql_stmt_affected_rows(st);
	last_insert = mysql_stmt_insert_id(st);
	return fetch_rows(st, res ? res : &dummy, a);
}

enum db_rc db_exec_once(const char *sql, const struct dbv *args, int nargs,
    struct dbres *res, struct arena *a)
{
	MYSQL_BIND b[8];
	MYSQL_STMT *st;
	struct dbres dummy;
	enum db_rc rc;

	if (conn == NULL && db_ensure() != DB_OK)
		return DB_DOWN;
	if ((st = mysql_stmt_init(conn)) == NULL)
		return DB_FAIL;
	if (mysql_stmt_prepare(st, sql, strlen(sql)) || nargs > 8 ||
	    bind_args(st, args, nargs, b) < 0) {
		rc = map_err(mysql_stmt_errno(st), mysql_stmt_error(st));
		goto out;
	}
	if (mysql_stmt_execute(st)) {
		rc = map_err(mysql_stmt_errno(st), mysql_stmt_error(st));
		goto out;
	}
	{
		my_bool on = 1;
		mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
	}
	rc = fetch_rows(st, res ? res : &dummy, a);
out:
	mysql_stmt_close(st);
	return rc;
}

unsigned long long db_affected(void) { return last_affected; }
unsigned long long db_insert_id(void) { return last_insert; }

/* Runs a fixed statement text (transaction control only). */
static enum db_rc simple(const char *sql)
{
	if (conn == NULL && db_ensure() != DB_OK)
		return DB_DOWN;
	if (mysql_real_query(conn, sql, strlen(sql)))
		return map_err(mysql_errno(conn), mysql_error(conn));
	return DB_OK;
}

enum db_rc db_begin(void)
{
	enum db_rc rc = simple("START TRANSACTION");

	in_tx = rc == DB_OK;
	return rc;
}

enum db_rc db_commit(void)
{
	enum db_rc rc = simple("COMMIT");

	in_tx = 0;
	return rc;
}

void db_rollback(void)
{
	if (conn)
		mysql_real_query(conn, "ROLLBACK", 8);
	in_tx = 0;
}

enum db_rc db_tx(enum db_rc (*fn)(void *arg), void *arg)
{
	enum db_rc rc = DB_RETRY;
	int attempt;

	for (attempt = 0; attempt < 5 && rc == DB_RETRY; attempt++) {
		if ((rc = db_begin()) != DB_OK)
			break;
		rc = fn(arg);
		if (rc == DB_OK)
			rc = db_commit();
		else
			db_rollback();
	}
	return rc;
}

void db_migrate_mode(void)
{
	migrate_mode = 1;
}

enum db_rc db_script(const char *sql, size_t n)
{
	int st;

	if (conn == NULL && db_ensure() != DB_OK)
		return DB_DOWN;
	if (mysql_real_query(conn, sql, n))
		return map_err(mysql_errno(conn), mysql_error(conn));
	do {
		MYSQL_RES *r = mysql_store_result(conn);
		if (r)
			mysql_free_result(r);
		if ((st = mysql_next_result(conn)) > 0) {
			fprintf(stderr, "latchkey: migration failed: %s\n", mysql_error(conn));
			return DB_FAIL;
		}
	} while (st == 0);
	return DB_OK;
}
