/* gtid.c - GTID sets parsed and compared as sets. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gtid.h"
#include "util.h"

enum { MAX_ITEMS = 512, KEY_MAX = 80 };

/* One MariaDB triple (key "D-S", seq in lo) or one MySQL interval (key
 * "uuid[:tag]", lo..hi). */
struct item {
	char key[KEY_MAX];
	unsigned long long lo, hi;
};

struct set {
	struct item it[MAX_ITEMS];
	int n;
};

static int
by_key(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* A whole unsigned decimal number from s[0..len); 0 or -1. */
static int
number(const char *s, size_t len, unsigned long long *v)
{
	char buf[24], *end;

	if (len == 0 || len >= sizeof(buf) || !isdigit((unsigned char)*s))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

static int
add(struct set *s, const char *key, size_t klen, unsigned long long lo,
    unsigned long long hi)
{
	if (s->n == MAX_ITEMS || klen >= KEY_MAX || lo > hi)
		return -1;
	fmt(s->it[s->n].key, KEY_MAX, "%.*s", (int)klen, key);
	s->it[s->n].lo = lo;
	s->it[s->n].hi = hi;
	s->n++;
	return 0;
}

/* "D-S-N": key "D-S", lo = hi = N. */
static int
mariadb_item(struct set *s, const char *p, size_t len)
{
	const char *d1 = memchr(p, '-', len), *d2;
	unsigned long long dom, srv, seq;

	if (d1 == NULL || (d2 = memchr(d1 + 1, '-', len - (size_t)(d1 + 1 - p)))
	    == NULL || number(p, (size_t)(d1 - p), &dom) == -1 ||
	    number(d1 + 1, (size_t)(d2 - d1 - 1), &srv) == -1 ||
	    number(d2 + 1, len - (size_t)(d2 + 1 - p), &seq) == -1)
		return -1;
	return add(s, p, (size_t)(d2 - p), seq, seq);
}

/* "UUID[:TAG]:A-B:C...": one item per interval, keyed by the UUID (and
 * the tag in force, MySQL 8.4), lower-cased. */
static int
mysql_item(struct set *s, const char *p, size_t len)
{
	char key[KEY_MAX];
	size_t k = 36, i, j, part;

	if (len < 38 || p[36] != ':')
		return -1;
	for (i = 0; i < 36; i++) {
		unsigned char c = (unsigned char)p[i];
		int dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? c != '-' : !isxdigit(c))
			return -1;
		key[i] = (char)tolower(c);
	}
	for (i = 37; i < len; i += part + 1) {
		const char *q = p + i, *dash;
		unsigned long long lo, hi;

		part = strcspn(q, ":,");
		if (part > len - i)
			part = len - i;
		if (part == 0)
			return -1;
		if (isalpha((unsigned char)*q)) { /* a tag, for what follows */
			if (37 + part >= KEY_MAX)
				return -1;
			k = 36;
			key[k++] = ':';
			for (j = 0; j < part; j++)
				key[k++] = (char)tolower((unsigned char)q[j]);
			continue;
		}
		dash = memchr(q, '-', part);
		if (number(q, dash ? (size_t)(dash - q) : part, &lo) == -1 ||
		    (dash != NULL && number(dash + 1, part - (size_t)(dash + 1 - q),
					    &hi) == -1))
			return -1;
		if (dash == NULL)
			hi = lo;
		if (add(s, key, k, lo, hi) == -1)
			return -1;
	}
	return 0;
}

/* Parse text into s, sorted; MySQL's intervals merged. 0 or -1. */
static int
parse(int mariadb, const char *text, struct set *s)
{
	const char *p = text;
	int i, w;

	s->n = 0;
	while (*p != '\0') {
		size_t len;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		len = strcspn(p, ",");
		while (len > 0 && isspace((unsigned char)p[len - 1]))
			len--;
		if ((mariadb ? mariadb_item(s, p, len) : mysql_item(s, p, len)) ==
		    -1)
			return -1;
		p += len;
		while (*p != '\0' && *p != ',')
			if (!isspace((unsigned char)*p++))
				return -1;
	}
	qsort(s->it, (size_t)s->n, sizeof(s->it[0]), by_key);
	for (i = 1, w = 0; i < s->n; i++) {
		struct item *last = &s->it[w];

		if (strcmp(last->key, s->it[i].key) == 0 &&
		    (mariadb || s->it[i].lo <= last->hi + 1)) {
			if (mariadb)
				return -1; /* one seq per domain and server */
			if (s->it[i].hi > last->hi)
				last->hi = s->it[i].hi;
		} else {
			s->it[++w] = s->it[i];
		}
	}
	if (s->n > 0)
		s->n = w + 1;
	return 0;
}

int
gtid_equal(int flavor_mariadb, const char *a, const char *b, char *why,
	   size_t n)
{
	static struct set sa, sb;
	int i;

	if (parse(flavor_mariadb, a, &sa) == -1 ||
	    parse(flavor_mariadb, b, &sb) == -1) {
		fmt(why, n, "not a %s GTID set", flavor_mariadb ? "MariaDB" :
		    "MySQL");
		return -1;
	}
	for (i = 0; i < sa.n && i < sb.n; i++)
		if (strcmp(sa.it[i].key, sb.it[i].key) != 0 ||
		    sa.it[i].lo != sb.it[i].lo || sa.it[i].hi != sb.it[i].hi)
			break;
	if (i == sa.n && i == sb.n) {
		fmt(why, n, "the same set");
		return 1;
	}
	if (i < sa.n && i < sb.n && strcmp(sa.it[i].key, sb.it[i].key) == 0)
		fmt(why, n, "%s: %llu-%llu against %llu-%llu", sa.it[i].key,
		    sa.it[i].lo, sa.it[i].hi, sb.it[i].lo, sb.it[i].hi);
	else
		fmt(why, n, "%s is in one set only", i < sa.n ? sa.it[i].key :
		    sb.it[i].key);
	return 0;
}

int
gtid_contains(int flavor_mariadb, const char *set, const char *one)
{
	/* the set is parsed once for a run of questions about it */
	static struct set s, g;
	static char parsed[8192];
	static int parsed_ok, parsed_flavor = -1;
	size_t klen;
	int i;

	if (parsed_flavor != flavor_mariadb || strcmp(parsed, set) != 0) {
		if (fmt(parsed, sizeof(parsed), "%s", set) == -1) {
			parsed[0] = '\0';
			parsed_flavor = -1;
			return -1;
		}
		parsed_flavor = flavor_mariadb;
		parsed_ok = parse(flavor_mariadb, set, &s) == 0;
	}
	if (!parsed_ok || parse(flavor_mariadb, one, &g) == -1 || g.n != 1 ||
	    g.it[0].lo != g.it[0].hi)
		return -1;
	/* MariaDB: a domain's position holds every sequence number up to
	 * it, whichever server wrote it; MySQL: the UUID's intervals */
	klen = flavor_mariadb ? strcspn(g.it[0].key, "-") + 1 :
	       strlen(g.it[0].key) + 1;
	for (i = 0; i < s.n; i++)
		if (strncmp(s.it[i].key, g.it[0].key, klen) == 0 &&
		    (flavor_mariadb ? g.it[0].lo <= s.it[i].hi :
		     g.it[0].lo >= s.it[i].lo && g.it[0].lo <= s.it[i].hi))
			return 1;
	return 0;
}

int
gtid_within(int flavor_mariadb, const char *inner, const char *outer,
	    char *why, size_t n)
{
	static struct set si, so;
	size_t klen;
	int i, j;

	if (parse(flavor_mariadb, inner, &si) == -1 ||
	    parse(flavor_mariadb, outer, &so) == -1) {
		fmt(why, n, "not a %s GTID set", flavor_mariadb ? "MariaDB" :
		    "MySQL");
		return -1;
	}
	for (i = 0; i < si.n; i++) {
		/* MariaDB: the domain's position at or past it, whichever
		 * server; MySQL: the interval inside one of the UUID's */
		klen = flavor_mariadb ? strcspn(si.it[i].key, "-") + 1 :
		       strlen(si.it[i].key) + 1;
		for (j = 0; j < so.n; j++)
			if (strncmp(so.it[j].key, si.it[i].key, klen) == 0 &&
			    (flavor_mariadb ? si.it[i].hi <= so.it[j].hi :
			     si.it[i].lo >= so.it[j].lo &&
			     si.it[i].hi <= so.it[j].hi))
				break;
		if (j == so.n) {
			fmt(why, n, "%s:%llu-%llu is not in it", si.it[i].key,
			    si.it[i].lo, si.it[i].hi);
			return 0;
		}
	}
	fmt(why, n, "it holds the set");
	return 1;
}

int
gtid_mariadb_last(const char *a, const char *b, char *out, size_t n)
{
	static struct set s, t;
	size_t dl;
	int i, j, k, best;

	if (parse(1, a, &s) == -1 || parse(1, b, &t) == -1)
		return -1;
	/* b's triples into s; the same domain and server in both is kept
	 * once, at its higher sequence number */
	for (k = 0; k < t.n; k++) {
		for (i = 0; i < s.n; i++)
			if (strcmp(s.it[i].key, t.it[k].key) == 0)
				break;
		if (i < s.n) {
			if (t.it[k].lo > s.it[i].lo)
				s.it[i].lo = s.it[i].hi = t.it[k].lo;
		} else if (s.n == MAX_ITEMS) {
			return -1;
		} else {
			s.it[s.n++] = t.it[k];
		}
	}
	out[0] = '\0';
	/* one per domain: the highest sequence number, whichever server
	 * wrote it (MariaDB's numbers rise across a domain's servers) */
	for (i = 0; i < s.n; i++) {
		dl = strcspn(s.it[i].key, "-") + 1;
		best = -1;	/* ties go to the first */
		for (j = 0; j < s.n; j++)
			if (strncmp(s.it[j].key, s.it[i].key, dl) == 0 &&
			    (best == -1 || s.it[j].lo > s.it[best].lo))
				best = j;
		if (best == i && append(out, n, "%s%s-%llu", out[0] ? "," : "",
					s.it[i].key, s.it[i].lo) == -1)
			return -1;
	}
	return 0;
}
