/* grants.c - SHOW GRANTS lines read for their global privileges. */
#define _GNU_SOURCE
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "grants.h"
#include "util.h"

int
grants_global(const char *line, char *privs, size_t n)
{
	const char *p, *on;
	size_t len;

	if (strncasecmp(line, "GRANT ", 6) != 0)
		return 0;
	p = line + 6;
	/* the privilege list ends at " ON "; a role grant has none */
	if ((on = strstr(p, " ON ")) == NULL)
		return 0;
	if (strncmp(on + 4, "*.* ", 4) != 0)
		return 0;
	if (privs[0] == '\0' && append(privs, n, ",") == -1)
		return -1;
	for (; p < on; p += len) {
		const char *e;

		while (p < on && (*p == ',' || isspace((unsigned char)*p)))
			p++;
		len = strcspn(p, ",");
		if (p + len > on)
			len = (size_t)(on - p);
		e = p + len;
		while (e > p && isspace((unsigned char)e[-1]))
			e--;
		if (e > p && append(privs, n, "%.*s,", (int)(e - p), p) == -1)
			return -1;
	}
	return 1;
}

int
grants_has(const char *privs, const char *name)
{
	char want[80];
	const char *p;

	if (name == NULL)
		return 0;
	if (strcasestr(privs, ",ALL PRIVILEGES,") != NULL ||
	    strcasestr(privs, ",ALL,") != NULL)
		return 1;
	fmt(want, sizeof(want), ",%s,", name);
	p = strcasestr(privs, want);
	return p != NULL;
}
