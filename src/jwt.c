/* jwt.c: HS256 sign/verify (see jwt.h). */
#include <string.h>

#include "buf.h"
#include "crypto.h"
#include "json_in.h"
#include "json_out.h"
#include "jwt.h"

static const char jwt_header[] = "{\"typ\":\"JWT\",\"alg\":\"HS256\"}";

int jwt_sign(const char *key, size_t keyn, const char *user_id,
    const char *session_id, const char *project_id, int64_t exp,
    char out[LK_JWT_MAX])
{
	struct buf b;
	struct jw w;
	uint8_t mac[32];
	ssize_t n1, n2, n3;
	int rc = -1;

	buf_init(&b, 1024);
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "userId", user_id);
	jw_kstr(&w, "sessionId", session_id);
	jw_kint(&w, "exp", exp);
	jw_kstr(&w, "projectId", project_id);
	jw_obj_end(&w);
	if (b.err)
		goto out;
	n1 = crypto_b64_encode((const uint8_t *)jwt_header, sizeof jwt_header - 1,
	    out, LK_JWT_MAX, 1);
	if (n1 < 0 || (size_t)n1 + 2 >= LK_JWT_MAX)
		goto out;
	out[n1] = '.';
	n2 = crypto_b64_encode((const uint8_t *)b.data, b.len, out + n1 + 1,
	    LK_JWT_MAX - (size_t)n1 - 1, 1);
	if (n2 < 0 || (size_t)(n1 + n2) + 2 >= LK_JWT_MAX)
		goto out;
	crypto_hmac_sha256(key, keyn, out, (size_t)(n1 + 1 + n2), mac);
	out[n1 + 1 + n2] = '.';
	n3 = crypto_b64_encode(mac, sizeof mac, out + n1 + n2 + 2,
	    LK_JWT_MAX - (size_t)(n1 + n2) - 2, 1);
	rc = n3 < 0 ? -1 : 0;
out:
	buf_free(&b);
	return rc;
}

/* Reads string claim `k` of the payload object (default ""). */
static const char *claim(struct jdoc *d, const char *k, struct arena *a)
{
	int t = jdoc_get(d, 0, k);
	const char *s;

	if (t < 0 || (s = jdoc_str(d, t, a, NULL)) == NULL)
		return "";
	return s;
}

int jwt_verify(const char *key, size_t keyn, const char *tok, size_t n,
    int64_t now, struct arena *a, struct jwt_claims *c)
{
	const char *d1, *d2;
	uint8_t mac[32], got[40], hdr[64];
	uint8_t *payload;
	struct jdoc doc;
	ssize_t pn, gn, hn;
	int t;
	long long exp = 0;

	if (n == 0 || n > LK_JWT_MAX || (d1 = memchr(tok, '.', n)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', n - (size_t)(d1 + 1 - tok))) == NULL)
		return -1;
	hn = crypto_b64_decode(tok, (size_t)(d1 - tok), hdr, sizeof hdr, 1);
	if (hn != sizeof jwt_header - 1 || memcmp(hdr, jwt_header, (size_t)hn) != 0)
		return -1;
	gn = crypto_b64_decode(d2 + 1, n - (size_t)(d2 + 1 - tok), got, sizeof got, 1);
	crypto_hmac_sha256(key, keyn, tok, (size_t)(d2 - tok), mac);
	if (gn != 32 || !crypto_ct_eq(mac, got, 32))
		return -1;
	if ((payload = arena_alloc(a, n)) == NULL)
		return -1;
	pn = crypto_b64_decode(d1 + 1, (size_t)(d2 - d1 - 1), payload, n, 1);
	if (pn <= 0 || jdoc_parse(&doc, a, (const char *)payload, (size_t)pn) != JE_OK ||
	    doc.t[0].type != JSMN_OBJECT)
		return -1;
	t = jdoc_get(&doc, 0, "exp");
	if (t < 0 || !jdoc_is_number(&doc, t))
		return -1;
	{
		const char *s = doc.js + doc.t[t].start;
		int i, len = doc.t[t].end - doc.t[t].start;
		for (i = 0; i < len && i < 18; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			exp = exp * 10 + (s[i] - '0');
		}
		if (i != len)
			return -1;
	}
	if (now >= exp)
		return -1;
	c->exp = exp;
	c->user_id = claim(&doc, "userId", a);
	c->session_id = claim(&doc, "sessionId", a);
	c->project_id = claim(&doc, "projectId", a);
	return 0;
}
