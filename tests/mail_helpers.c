/* mail_helpers.c: see mail_helpers.h. Written for tests: failures are
 * reported to the caller, and the sink process exits on its own after at
 * most MH_SINK_LIFE seconds whatever the client does. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "crypto.h"
#include "mail_helpers.h"
#include "validate.h"

#define MH_MSG_MAX (1024 * 1024) /* room for any message */
#define MH_LINE_MAX 8192         /* longest SMTP line the sink reads */
#define MH_SINK_LIFE 20          /* seconds before the sink gives up */

/* Returns the NUL-terminated contents of b ("" when never written). */
const char *
mh_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

/* ---- Decoders and inspectors ---- */

/* Returns 1 when every CR is followed by LF and every LF preceded by CR. */
int
mh_crlf_only(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\r' && (i + 1 >= n || s[i + 1] != '\n'))
			return 0;
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			return 0;
	}
	return 1;
}

/* Length of the longest line of s[0..n) (CRLF not counted). */
size_t
mh_max_line(const char *s, size_t n)
{
	size_t i, start = 0, max = 0;

	for (i = 0; i < n; i++)
		if (s[i] == '\n') {
			if (i - start - 1 > max)
				max = i - start - 1;
			start = i + 1;
		}
	return n - start > max ? n - start : max;
}

/* Copies the unfolded value of header `name` from the header block of msg
 * into out. Returns 1 when found. */
int
mh_header(const char *msg, const char *name, struct buf *out)
{
	const char *end = strstr(msg, "\r\n\r\n"), *p = msg, *v;
	size_t nl = strlen(name);

	buf_reset(out);
	while (p != NULL && p < end) {
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			for (v = p + nl + 1; *v == ' '; v++)
				;
			while (v < end + 2) {
				if (v[0] == '\r' && v[1] == '\n') {
					if (v[2] != ' ' && v[2] != '\t')
						break;
					v += 2;
					continue;
				}
				buf_addc(out, *v++);
			}
			return 1;
		}
		p = strstr(p, "\r\n");
		p = p ? p + 2 : NULL;
	}
	return 0;
}

/* Decodes the RFC 2047 B words in s into out; white space between two
 * encoded words is dropped, other text is copied. Returns 0 or -1. */
int
mh_words_decode(const char *s, struct buf *out)
{
	uint8_t dec[256];
	const char *e, *q;
	ssize_t n;
	int prev_word = 0;

	buf_reset(out);
	while (*s != '\0') {
		if (strncmp(s, "=?UTF-8?B?", 10) == 0) {
			if ((e = strstr(s + 10, "?=")) == NULL)
				return -1;
			if (e + 2 - s > 75)
				return -1; /* RFC 2047: a word is at most 75 chars */
			n = crypto_b64_decode(s + 10, (size_t)(e - s - 10), dec,
			    sizeof(dec), 0);
			if (n < 0 || !val_utf8((const char *)dec, (size_t)n))
				return -1; /* each word holds whole characters */
			buf_add(out, dec, (size_t)n);
			s = e + 2;
			prev_word = 1;
			continue;
		}
		for (q = s; *q == ' ' || *q == '\t'; q++)
			;
		if (prev_word && q > s && strncmp(q, "=?", 2) == 0) {
			s = q;
			continue;
		}
		prev_word = 0;
		buf_addc(out, *s++);
	}
	return 0;
}

/* Returns the value of hex digit c, or -1. */
static int
mh_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes quoted-printable s[0..n) into out, checking the encoding rules
 * on the way (lines <= 76, no bare 8-bit bytes, no white space before a
 * line end). Returns 0 or -1. */
int
mh_qp_decode(const char *s, size_t n, struct buf *out)
{
	size_t i = 0;
	int h, l;

	buf_reset(out);
	if (mh_max_line(s, n) > 76)
		return -1;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c == '=') {
			if (i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
				i += 3;
				continue;
			}
			if (i + 2 >= n || (h = mh_hexval(s[i + 1])) < 0 ||
			    (l = mh_hexval(s[i + 2])) < 0)
				return -1;
			buf_addc(out, (char)(h * 16 + l));
			i += 3;
			continue;
		}
		if (c == '\r' && i + 1 < n && s[i + 1] == '\n') {
			if (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
				return -1;
			buf_add(out, "\r\n", 2);
			i += 2;
			continue;
		}
		if (c >= 0x7f || (c < 0x20 && c != '\t'))
			return -1;
		if (c == '.' && (i == 0 || s[i - 1] == '\n'))
			return -1; /* mail.c encodes a dot opening a line */
		buf_addc(out, (char)c);
		i++;
	}
	return 0;
}

/* Splits msg into its parts, decoding each body. Returns the number of
 * parts found (2 for a good message), or -1 on a malformed one. */
int
mh_parts_parse(const char *msg, struct mh_parts *p)
{
	struct buf ct, delim;
	const char *b, *e, *hdr_end, *body, *next;
	int n = 0, rc = -1;

	buf_init(&ct, 4096);
	buf_init(&delim, 128);
	if (!mh_header(msg, "Content-Type", &ct) ||
	    strncmp(mh_str(&ct), "multipart/alternative; boundary=\"", 33) != 0)
		goto out;
	b = mh_str(&ct) + 33;
	if ((e = strchr(b, '"')) == NULL || (size_t)(e - b) >= sizeof(p->boundary))
		goto out;
	memcpy(p->boundary, b, (size_t)(e - b));
	p->boundary[e - b] = '\0';
	buf_printf(&delim, "\r\n--%s", p->boundary);
	/* the first delimiter follows the blank line ending the headers */
	next = strstr(msg, "\r\n\r\n");
	if (next == NULL || strncmp(next + 2, mh_str(&delim), delim.len) != 0)
		goto out;
	next += 2 + delim.len;
	while (n < 2 && strncmp(next, "\r\n", 2) == 0) {
		hdr_end = strstr(next, "\r\n\r\n");
		if (hdr_end == NULL)
			goto out;
		buf_init(&p->type[n], 256);
		buf_init(&p->body[n], MH_MSG_MAX);
		mh_header(next + 2, "Content-Type", &p->type[n]);
		body = hdr_end + 4;
		if ((e = strstr(body, mh_str(&delim))) == NULL)
			goto out;
		if (mh_qp_decode(body, (size_t)(e - body), &p->body[n]) < 0)
			goto out;
		n++;
		next = e + delim.len;
	}
	if (strcmp(next, "--\r\n") != 0)
		goto out;
	rc = n;
out:
	buf_free(&ct);
	buf_free(&delim);
	return rc;
}

/* Frees what parts_parse allocated. */
void
mh_parts_free(struct mh_parts *p)
{
	int i;

	for (i = 0; i < 2; i++) {
		buf_free(&p->type[i]);
		buf_free(&p->body[i]);
	}
}

/* Appends s to out with every bare LF turned into CRLF (what the
 * canonical text form of a body is). */
void
mh_crlf_norm(const char *s, struct buf *out)
{
	size_t i;

	buf_reset(out);
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			buf_addc(out, '\r');
		buf_addc(out, s[i]);
	}
}


/* ---- The SMTP sink ---- */

/* Buffered reader over the sink's socket. */
struct mh_conn {
	int fd;                 /* connected socket */
	char buf[MH_LINE_MAX];  /* bytes read and not yet returned */
	size_t len;             /* bytes in buf */
};

/* Reads one line with its line end into out (size MH_LINE_MAX + 1, NUL
 * added). Returns its length, 0 at end of stream. */
static size_t
mh_getline(struct mh_conn *c, char *out)
{
	char *nl;
	ssize_t r;
	size_t k;

	for (;;) {
		nl = memchr(c->buf, '\n', c->len);
		if (nl != NULL || c->len == sizeof(c->buf)) {
			k = nl ? (size_t)(nl - c->buf) + 1 : c->len;
			memcpy(out, c->buf, k);
			out[k] = '\0';
			/* a plain loop: valgrind mistakes glibc's fortified
			 * memmove for an overlapping memcpy */
			for (size_t i = 0; i + k < c->len; i++)
				c->buf[i] = c->buf[i + k];
			c->len -= k;
			return k;
		}
		r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (r <= 0)
			return 0;
		c->len += (size_t)r;
	}
}

/* Sends reply s to the client. */
static void
mh_say(int fd, const char *s)
{
	(void)send(fd, s, strlen(s), MSG_NOSIGNAL);
}

/* Reads the message after DATA into data, undoing dot-stuffing. */
static void
mh_data(struct mh_conn *c, struct buf *data)
{
	char line[MH_LINE_MAX + 1];
	size_t n;

	while ((n = mh_getline(c, line)) > 0 && strcmp(line, ".\r\n") != 0)
		buf_add(data, line[0] == '.' ? line + 1 : line,
		    line[0] == '.' ? n - 1 : n);
}

/* Answers one command line; returns 0 to go on, 1 after QUIT. */
static int
mh_command(struct mh_conn *c, const char *line, enum mh_sink_mode mode,
    struct buf *cmds, struct buf *data)
{
	char more[MH_LINE_MAX + 1];

	buf_adds(cmds, line);
	if (strncasecmp(line, "EHLO", 4) == 0) {
		mh_say(c->fd, "250-sink\r\n");
		if (mode == MH_SINK_AUTH)
			mh_say(c->fd, "250-AUTH PLAIN\r\n");
		mh_say(c->fd, "250 8BITMIME\r\n");
	} else if (strncasecmp(line, "AUTH PLAIN\r\n", 12) == 0) {
		mh_say(c->fd, "334 \r\n");
		if (mh_getline(c, more) > 0)
			buf_printf(cmds, "AUTHDATA %s", more);
		mh_say(c->fd, "235 2.7.0 ok\r\n");
	} else if (strncasecmp(line, "AUTH PLAIN ", 11) == 0) {
		mh_say(c->fd, "235 2.7.0 ok\r\n");
	} else if (strncasecmp(line, "RCPT TO:", 8) == 0) {
		mh_say(c->fd, mode == MH_SINK_RCPT_550 ? "550 5.1.1 no such user\r\n" :
		    mode == MH_SINK_RCPT_451 ? "451 4.3.0 try later\r\n" :
		    "250 2.1.5 ok\r\n");
	} else if (strncasecmp(line, "DATA", 4) == 0) {
		mh_say(c->fd, "354 go ahead\r\n");
		mh_data(c, data);
		mh_say(c->fd, "250 2.0.0 queued\r\n");
	} else if (strncasecmp(line, "QUIT", 4) == 0) {
		mh_say(c->fd, "221 2.0.0 bye\r\n");
		return 1;
	} else if (strncasecmp(line, "HELO", 4) == 0 ||
	    strncasecmp(line, "MAIL FROM:", 10) == 0 ||
	    strncasecmp(line, "RSET", 4) == 0 || strncasecmp(line, "NOOP", 4) == 0)
		mh_say(c->fd, "250 ok\r\n");
	else
		mh_say(c->fd, "502 5.5.2 not implemented\r\n");
	return 0;
}

/* The sink process: one session on lfd, then the record (commands, a NUL,
 * the message) down wfd. Never returns. */
static void
mh_serve(int lfd, int wfd, enum mh_sink_mode mode)
{
	static struct mh_conn c;
	char line[MH_LINE_MAX + 1];
	struct buf cmds, data;
	size_t off;
	ssize_t w;

	alarm(MH_SINK_LIFE);
	buf_init(&cmds, MH_MSG_MAX);
	buf_init(&data, MH_MSG_MAX);
	if ((c.fd = accept(lfd, NULL, NULL)) < 0)
		_exit(1);
	if (mode == MH_SINK_SILENT)
		while (read(c.fd, line, sizeof(line)) > 0)
			;
	else {
		mh_say(c.fd, "220 sink ESMTP\r\n");
		while (mh_getline(&c, line) > 0 &&
		    mh_command(&c, line, mode, &cmds, &data) == 0)
			;
	}
	close(c.fd);
	buf_addc(&cmds, '\0');
	buf_add(&cmds, mh_str(&data), data.len);
	for (off = 0; off < cmds.len; off += (size_t)w)
		if ((w = write(wfd, cmds.data + off, cmds.len - off)) <= 0)
			break;
	_exit(0);
}

/* Opens a TCP socket bound to 127.0.0.1 on an ephemeral port; sets *port.
 * Returns the socket or -1. */
static int
mh_bind(int *port)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* See mail_helpers.h. */
int
mh_sink_start(struct mh_sink *k, enum mh_sink_mode mode)
{
	int lfd, p[2];

	if ((lfd = mh_bind(&k->port)) < 0)
		return -1;
	if (listen(lfd, 1) < 0 || pipe(p) < 0) {
		close(lfd);
		return -1;
	}
	if ((k->pid = fork()) < 0) {
		close(lfd);
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (k->pid == 0) {
		close(p[0]);
		mh_serve(lfd, p[1], mode);
	}
	close(lfd);
	close(p[1]);
	k->rfd = p[0];
	return 0;
}

/* See mail_helpers.h. */
void
mh_sink_finish(struct mh_sink *k, struct buf *cmds, struct buf *data)
{
	char chunk[4096];
	struct buf all;
	ssize_t r;
	size_t n;
	int status;

	buf_init(&all, 2 * MH_MSG_MAX);
	while ((r = read(k->rfd, chunk, sizeof(chunk))) > 0)
		buf_add(&all, chunk, (size_t)r);
	close(k->rfd);
	(void)waitpid(k->pid, &status, 0);
	buf_reset(cmds);
	buf_reset(data);
	n = all.data ? strlen(all.data) : 0;
	buf_add(cmds, mh_str(&all), n);
	if (n < all.len)
		buf_add(data, all.data + n + 1, all.len - n - 1);
	buf_free(&all);
}

/* See mail_helpers.h. */
int
mh_closed_port(void)
{
	int port = 0, fd = mh_bind(&port);

	if (fd < 0)
		return -1;
	close(fd);
	return port;
}
