/* binlog.c - binary log files read as data: a log's name as servers
 * write it, and an index mapped by name to the files beside it. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "binlog.h"
#include "openpath.h"
#include "util.h"

/* A binary log's name as the server writes it: BASE.NNNNNN, BASE of
 * letters, digits, '_', '-' and '.', not starting with '.'. */
int
binlog_plain_name(const char *s)
{
	const char *dot = strrchr(s, '.');
	size_t i;

	if (s[0] == '\0' || s[0] == '.' || strlen(s) > 200 || dot == NULL ||
	    dot == s || dot[1] == '\0')
		return 0;
	if (!binlog_plain_base(s, (size_t)(dot - s)))
		return 0;
	for (i = 1; dot[i] != '\0'; i++)
		if (!isdigit((unsigned char)dot[i]))
			return 0;
	return 1;
}

int
binlog_plain_base(const char *s, size_t n)
{
	size_t i, k;

	if (n == 0 || s[0] == '.' || n > 200)
		return 0;
	for (i = 0; i < n; i++) {
		if (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-')
			continue;
		/* the server's own file-name encoding of a character a
		 * name may hold and a file name may not ("dc-east" is
		 * "dc@002deast"): '@' and four letters or digits */
		if (s[i] != '@' || i + 4 >= n)
			return 0;
		for (k = 1; k <= 4; k++)
			if (!isalnum((unsigned char)s[i + k]))
				return 0;
		i += 4;
	}
	return 1;
}

int
binlog_index_read(int dirfd, const char *base, char (*names)[256], int max,
		  int *n, char *unmapped, size_t un)
{
	char idx[300], *text, *line, *next;
	struct failure lf;
	size_t len;

	unmapped[0] = '\0';
	fmt(idx, sizeof(idx), "%s.index", base);
	if (read_data_file(dirfd, idx, INDEX_MAX, &text, &len, &lf) == -1)
		return errno == ENOENT ? 1 : -1;
	for (line = text; line != NULL; line = next) {
		const char *name;
		struct stat st;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		trim_blanks(line);
		if (line[0] == '\0')
			continue;
		name = strrchr(line, '/') ? strrchr(line, '/') + 1 : line;
		if (!binlog_plain_name(name) ||
		    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode) || *n == max) {
			append(unmapped, un, "%s%.120s", unmapped[0] ? ", " : "",
			       line);
			continue;
		}
		fmt(names[(*n)++], sizeof(names[0]), "%s", name);
	}
	free(text);
	return 0;
}
