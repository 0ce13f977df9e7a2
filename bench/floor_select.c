/* floor_select.c: floor (b) of bench/run: floor (a) plus one primary-key
 * SELECT of a user row per request, through a statement prepared once per
 * worker, against latchkey's own MariaDB and users table; the row goes out
 * as a small JSON object.  With FLOOR_MODE=write it runs one primary-key
 * UPDATE of the same row instead (autocommit, so one durable commit per
 * request): the floor of a durable write such as PATCH /account/prefs.
 *
 * Environment: FLOOR_DB_HOST (127.0.0.1), FLOOR_DB_PORT (3306),
 * FLOOR_DB_USER, FLOOR_DB_PASSWORD, FLOOR_DB_NAME (latchkey),
 * FLOOR_PROJECT (demo), FLOOR_USER_ID (the row to read), FLOOR_MODE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "fcgi_finish.h" /* latchkey's way of ending a request */
#include <mysql.h>

#define NCOL 6

static const char sel_sql[] =
    "SELECT id,email,name,"
    "CONCAT(LEFT(DATE_FORMAT(registration,'%Y-%m-%dT%H:%i:%s.%f'),23),'+00:00'),"
    "status,prefs FROM users WHERE project_id=? AND id=?";
static const char upd_sql[] =
    "UPDATE users SET prefs=?,updated_at=UTC_TIMESTAMP(3) WHERE project_id=? AND id=?";
static const char *const names[NCOL] = { "$id", "email", "name", "registration",
	"status", "prefs" };

static MYSQL *conn;
static MYSQL_STMT *st;
static int write_mode;
static const char *project, *user_id;

static const char *env(const char *k, const char *def)
{
	const char *v = getenv(k);
	return v && *v ? v : def;
}

static void db_close(void)
{
	if (st)
		mysql_stmt_close(st);
	if (conn)
		mysql_close(conn);
	st = NULL;
	conn = NULL;
}

/* Connects and prepares the one statement. Returns 0 or -1. */
static int db_open(void)
{
	const char *sql = write_mode ? upd_sql : sel_sql;

	if (conn)
		return 0;
	if ((conn = mysql_init(NULL)) == NULL)
		return -1;
	mysql_options(conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (!mysql_real_connect(conn, env("FLOOR_DB_HOST", "127.0.0.1"),
	    env("FLOOR_DB_USER", "latchkey"), env("FLOOR_DB_PASSWORD", ""),
	    env("FLOOR_DB_NAME", "latchkey"), (unsigned)atoi(env("FLOOR_DB_PORT", "3306")),
	    NULL, 0) ||
	    mysql_query(conn, "SET time_zone='+00:00'") ||
	    (st = mysql_stmt_init(conn)) == NULL ||
	    mysql_stmt_prepare(st, sql, strlen(sql))) {
		fprintf(stderr, "floor_select: %s\n", mysql_error(conn));
		db_close();
		return -1;
	}
	return 0;
}

/* Appends s as a JSON string. */
static void put_json_str(FCGX_Stream *out, const char *s, unsigned long n)
{
	unsigned long i, from = 0;

	FCGX_PutChar('"', out);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\' || ch < 0x20) {
			FCGX_PutStr(s + from, (int)(i - from), out);
			FCGX_FPrintF(out, "\\u%04x", ch);
			from = i + 1;
		}
	}
	FCGX_PutStr(s + from, (int)(n - from), out);
	FCGX_PutChar('"', out);
}

static void fail(FCGX_Request *rq)
{
	FCGX_PutS("Status: 503 Service Unavailable\r\n"
	    "Content-Type: application/json; charset=UTF-8\r\n\r\n"
	    "{\"message\":\"database\",\"code\":503}", rq->out);
}

static void headers(FCGX_Request *rq)
{
	FCGX_PutS("Status: 200 OK\r\n"
	    "Content-Type: application/json; charset=UTF-8\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Cache-Control: no-cache, no-store, must-revalidate\r\n"
	    "Expires: 0\r\nPragma: no-cache\r\n\r\n", rq->out);
}

static void serve_select(FCGX_Request *rq)
{
	static char cell[NCOL][1024];
	unsigned long len[NCOL];
	my_bool isnull[NCOL];
	MYSQL_BIND pb[2], rb[NCOL];
	int i, rc;

	memset(pb, 0, sizeof pb);
	pb[0].buffer_type = MYSQL_TYPE_STRING;
	pb[0].buffer = (void *)project;
	pb[0].buffer_length = strlen(project);
	pb[1].buffer_type = MYSQL_TYPE_STRING;
	pb[1].buffer = (void *)user_id;
	pb[1].buffer_length = strlen(user_id);
	memset(rb, 0, sizeof rb);
	for (i = 0; i < NCOL; i++) {
		rb[i].buffer_type = MYSQL_TYPE_STRING;
		rb[i].buffer = cell[i];
		rb[i].buffer_length = sizeof cell[i];
		rb[i].length = &len[i];
		rb[i].is_null = &isnull[i];
	}
	if (mysql_stmt_bind_param(st, pb) || mysql_stmt_execute(st) ||
	    mysql_stmt_bind_result(st, rb) || mysql_stmt_store_result(st)) {
		db_close();
		fail(rq);
		return;
	}
	rc = mysql_stmt_fetch(st);
	if (rc != 0 && rc != MYSQL_DATA_TRUNCATED) {
		mysql_stmt_free_result(st);
		FCGX_PutS("Status: 404 Not Found\r\nContent-Type: application/json\r\n\r\n"
		    "{\"message\":\"no such row\",\"code\":404}", rq->out);
		return;
	}
	headers(rq);
	FCGX_PutChar('{', rq->out);
	for (i = 0; i < NCOL; i++) {
		unsigned long n = len[i] < sizeof cell[i] ? len[i] : sizeof cell[i];
		if (i)
			FCGX_PutChar(',', rq->out);
		put_json_str(rq->out, names[i], strlen(names[i]));
		FCGX_PutChar(':', rq->out);
		if (isnull[i])
			FCGX_PutS("null", rq->out);
		else if (i == 4)
			FCGX_PutS(cell[i][0] == '1' ? "true" : "false", rq->out);
		else if (i == 5)
			FCGX_PutStr(cell[i], (int)n, rq->out); /* prefs: stored JSON */
		else
			put_json_str(rq->out, cell[i], n);
	}
	FCGX_PutChar('}', rq->out);
	mysql_stmt_free_result(st);
}

static void serve_write(FCGX_Request *rq, unsigned long counter)
{
	char prefs[64];
	MYSQL_BIND pb[3];
	int n = snprintf(prefs, sizeof prefs, "{\"theme\":\"dark\",\"n\":%lu}", counter);

	memset(pb, 0, sizeof pb);
	pb[0].buffer_type = MYSQL_TYPE_STRING;
	pb[0].buffer = prefs;
	pb[0].buffer_length = (unsigned long)n;
	pb[1].buffer_type = MYSQL_TYPE_STRING;
	pb[1].buffer = (void *)project;
	pb[1].buffer_length = strlen(project);
	pb[2].buffer_type = MYSQL_TYPE_STRING;
	pb[2].buffer = (void *)user_id;
	pb[2].buffer_length = strlen(user_id);
	if (mysql_stmt_bind_param(st, pb) || mysql_stmt_execute(st)) {
		db_close();
		fail(rq);
		return;
	}
	headers(rq);
	FCGX_FPrintF(rq->out, "{\"prefs\":%s}", prefs);
}

int main(void)
{
	FCGX_Request rq;
	unsigned long served = 0;

	write_mode = strcmp(env("FLOOR_MODE", "read"), "write") == 0;
	project = env("FLOOR_PROJECT", "demo");
	user_id = env("FLOOR_USER_ID", "");
	if (FCGX_Init() != 0 || FCGX_InitRequest(&rq, 0, 0) != 0)
		return 1;
	(void)db_open(); /* prepared once per worker; retried if it failed */
	while (FCGX_Accept_r(&rq) >= 0) {
		if (db_open() < 0)
			fail(&rq);
		else if (write_mode)
			serve_write(&rq, ++served);
		else
			serve_select(&rq);
		lk_fcgi_finish(&rq);
	}
	db_close();
	return 0;
}
