/* mail_helpers.h: test-side tools for the mail suite (and any later suite
 * that checks delivered mail): inspectors and decoders for built messages
 * (headers, RFC 2047 words, quoted-printable, multipart/alternative), and a
 * tiny SMTP server forked on 127.0.0.1 that records one session. */
#ifndef LK_TEST_MAIL_HELPERS_H
#define LK_TEST_MAIL_HELPERS_H

#include <stddef.h>
#include <sys/types.h>

#include <check.h>

#include "buf.h"
#include "mail.h"

/* The two parts of a built message. */
struct mh_parts {
	struct buf type[2]; /* Content-Type of each part */
	struct buf body[2]; /* decoded body of each part */
	char boundary[80];  /* the boundary */
};

/* Returns the NUL-terminated contents of b ("" when never written). */
const char *mh_str(const struct buf *b);
/* Returns 1 when every CR is followed by LF and every LF preceded by CR. */
int mh_crlf_only(const char *s, size_t n);
/* Length of the longest line of s[0..n) (CRLF not counted). */
size_t mh_max_line(const char *s, size_t n);
/* Copies the unfolded value of header `name` (from the header block of
 * msg) into out. Returns 1 when found. */
int mh_header(const char *msg, const char *name, struct buf *out);
/* Decodes the RFC 2047 B words of s into out (white space between two
 * words dropped; words over 75 chars or splitting a UTF-8 character are
 * refused). Returns 0 or -1. */
int mh_words_decode(const char *s, struct buf *out);
/* Decodes quoted-printable s[0..n) into out, checking lines <= 76, no bare
 * 8-bit or control bytes, no white space before a line end. 0 or -1. */
int mh_qp_decode(const char *s, size_t n, struct buf *out);
/* Splits msg into its parts (p zeroed by the caller), decoding each body.
 * Returns the number of parts (2 for a good message) or -1. */
int mh_parts_parse(const char *msg, struct mh_parts *p);
/* Frees what mh_parts_parse allocated. */
void mh_parts_free(struct mh_parts *p);
/* Replaces out with s, every bare LF turned into CRLF. */
void mh_crlf_norm(const char *s, struct buf *out);

/* How the sink behaves. */
enum mh_sink_mode {
	MH_SINK_OK,       /* accepts the message */
	MH_SINK_AUTH,     /* offers AUTH PLAIN and accepts any credentials */
	MH_SINK_RCPT_550, /* refuses the recipient permanently */
	MH_SINK_RCPT_451, /* refuses the recipient temporarily */
	MH_SINK_SILENT    /* accepts the connection and never speaks */
};

/* A running sink. */
struct mh_sink {
	pid_t pid; /* server process */
	int port;  /* its port on 127.0.0.1 */
	int rfd;   /* read end of the pipe carrying its record */
};

/* Forks a server for one SMTP session. Returns 0 or -1. */
int mh_sink_start(struct mh_sink *k, enum mh_sink_mode mode);
/* Waits for the session to end and collects its record: the commands the
 * client sent (one per line, CRLF kept) into cmds and the message as
 * received after DATA (dot-unstuffed) into data. */
void mh_sink_finish(struct mh_sink *k, struct buf *cmds, struct buf *data);
/* Returns a port on 127.0.0.1 nobody listens on (bound, then closed). */
int mh_closed_port(void);

/* Shared by test_mail.c and test_mail_send.c (one program). */
/* The configuration every case starts from (host 127.0.0.1, no TLS). */
struct smtp_conf std_conf(void);
/* The message every case starts from. */
struct mail_msg std_msg(void);
/* The "send" test case (test_mail_send.c). */
TCase *mail_send_tcase(void);

#endif
