/* aws/sigv4.c - AWS Signature Version 4, and the Query API's form
 * encoding. */
#define _GNU_SOURCE
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "dynlib.h"
#include "log.h"
#include "sigv4.h"
#include "util.h"

void
creds_wipe(struct aws_creds *cr)
{
	explicit_bzero(cr->secret, sizeof(cr->secret));
	explicit_bzero(cr->token, sizeof(cr->token));
}

static void
hex(const unsigned char *d, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * len] = '\0';
}

/* OpenSSL's libcrypto, opened when a signature or digest is first
 * needed (only EBS needs one): linked, it would cost every hook's exec
 * about a millisecond. */
#define CRYPTO_SONAME "libcrypto.so.3"
static struct {
	__typeof__(EVP_Digest) *digest;
	__typeof__(EVP_sha256) *sha256;
	__typeof__(HMAC) *hmac;
} lc;

static int
crypto(void)
{
	static const char *const names[] = { "EVP_Digest", "EVP_sha256",
					     "HMAC" };
	static void **const slots[] = { (void **)&lc.digest,
					(void **)&lc.sha256,
					(void **)&lc.hmac };
	struct failure ef;

	if (lc.hmac != NULL)
		return 0;
	if (dynlib_open(CRYPTO_SONAME, names, slots, ARRAY_LEN(names), &ef) == NULL) {
		log_err("%s", ef.why);
		return -1;
	}
	return 0;
}

int
sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (crypto() == -1 ||
	    lc.digest(data, len, md, &mdlen, lc.sha256(), NULL) != 1 ||
	    mdlen != 32)
		return -1;
	hex(md, 32, out);
	return 0;
}

/* out = HMAC-SHA256(key, msg); 0 or -1. */
static int
hmac(const unsigned char *key, size_t klen, const char *msg,
     unsigned char out[32])
{
	unsigned int len = 0;

	if (crypto() == -1 ||
	    lc.hmac(lc.sha256(), key, (int)klen, (const unsigned char *)msg,
		    strlen(msg), out, &len) == NULL || len != 32)
		return -1;
	return 0;
}

void
sigv4_amzdate(char *buf, size_t n, int64_t t)
{
	time_t s = (time_t)(t / 1000);
	struct tm tm;

	if (gmtime_r(&s, &tm) == NULL ||
	    strftime(buf, n, "%Y%m%dT%H%M%SZ", &tm) == 0)
		fmt(buf, n, "19700101T000000Z");
}

int
sigv4_authorization(const struct aws_creds *cr, const char *region,
		    const char *service, const char *method, const char *host,
		    const char *path, const char *query,
		    const char *content_type, const char *body, size_t blen,
		    const char *amzdate, char *out, size_t n)
{
	static char creq[8192], sts[1024];
	char headers[6144], signed_h[128], body_hash[65], creq_hash[65];
	char date[9], scope[256], kdate[300], sig[65];
	unsigned char k[32], k2[32];
	int r;

	fmt(date, sizeof(date), "%.8s", amzdate);
	headers[0] = signed_h[0] = '\0';
	if (content_type != NULL) {
		append(headers, sizeof(headers), "content-type:%s\n",
		       content_type);
		append(signed_h, sizeof(signed_h), "content-type;");
	}
	append(headers, sizeof(headers), "host:%s\nx-amz-date:%s\n", host,
	       amzdate);
	append(signed_h, sizeof(signed_h), "host;x-amz-date");
	if (cr->token[0] != '\0') {
		if (append(headers, sizeof(headers), "x-amz-security-token:%s\n",
			   cr->token) == -1)
			return -1;
		append(signed_h, sizeof(signed_h), ";x-amz-security-token");
	}
	if (sha256_hex(body != NULL ? body : "", body != NULL ? blen : 0,
		       body_hash) == -1 ||
	    fmt(creq, sizeof(creq), "%s\n%s\n%s\n%s\n%s\n%s", method, path,
		query, headers, signed_h, body_hash) == -1 ||
	    sha256_hex(creq, strlen(creq), creq_hash) == -1 ||
	    fmt(scope, sizeof(scope), "%s/%s/%s/aws4_request", date, region,
		service) == -1 ||
	    fmt(sts, sizeof(sts), "AWS4-HMAC-SHA256\n%s\n%s\n%s", amzdate,
		scope, creq_hash) == -1 ||
	    fmt(kdate, sizeof(kdate), "AWS4%s", cr->secret) == -1)
		return -1;
	/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" secret, date), region),
	 * service), "aws4_request") */
	r = hmac((const unsigned char *)kdate, strlen(kdate), date, k) ||
	    hmac(k, 32, region, k2) || hmac(k2, 32, service, k) ||
	    hmac(k, 32, "aws4_request", k2) || hmac(k2, 32, sts, k);
	explicit_bzero(kdate, sizeof(kdate));
	explicit_bzero(k2, sizeof(k2));
	if (r != 0)
		return -1;
	hex(k, 32, sig);
	explicit_bzero(k, sizeof(k));
	return fmt(out, n, "AWS4-HMAC-SHA256 Credential=%s/%s, "
		   "SignedHeaders=%s, Signature=%s", cr->key_id, scope,
		   signed_h, sig);
}

static int
add_encoded(char *buf, size_t n, size_t *len, const char *s)
{
	static const char digits[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		int plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
			    c == '.' || c == '~';

		if (*len + 4 >= n)
			return -1;
		if (plain)
			buf[(*len)++] = (char)c;
		else if (c == ' ')
			buf[(*len)++] = '+';
		else {
			buf[(*len)++] = '%';
			buf[(*len)++] = digits[c >> 4];
			buf[(*len)++] = digits[c & 15];
		}
	}
	buf[*len] = '\0';
	return 0;
}

int
form_add(char *buf, size_t n, const char *key, const char *value)
{
	size_t len = strnlen(buf, n);

	if (len + 2 >= n)
		return -1;
	if (len > 0)
		buf[len++] = '&';
	if (add_encoded(buf, n, &len, key) == -1 || len + 2 >= n)
		return -1;
	buf[len++] = '=';
	buf[len] = '\0';
	return add_encoded(buf, n, &len, value);
}
