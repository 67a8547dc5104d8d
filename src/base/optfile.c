/* optfile.c - the MySQL option file handed to the client library
 * (defaults_file): checked by our own rules before the library reads
 * it, with everything it includes. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "openpath.h"
#include "optfile.h"
#include "util.h"

enum { OPTION_FILE_MAX = 1 << 20, INCLUDE_DEPTH = 4 };

static int check_option_file(const char *path, int depth,
			     struct failure *f);

/* !includedir DIR: the client library reads every *.cnf in it. */
static int
check_option_dir(const char *dir, int depth, struct failure *f)
{
	char sub[PATH_MAX];
	struct dirent *e;
	struct stat st;
	DIR *d;
	int r = 0;

	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) ||
	    (st.st_uid != 0 && st.st_uid != geteuid())) {
		failf(f, MQ_FAIL, "!includedir %s: not a directory of root's "
		    "or ours closed to writes by others; refusing it", dir);
		return -1;
	}
	if ((d = opendir(dir)) == NULL)
		return 0; /* the client library skips it too */
	while (r == 0 && (e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 4, ".cnf") != 0)
			continue;
		if (fmt(sub, sizeof(sub), "%s/%s", dir, e->d_name) == -1) {
			failf(f, MQ_FAIL, "!includedir %s: a name too long",
			    dir);
			r = -1;
		} else {
			r = check_option_file(sub, depth + 1, f);
		}
	}
	closedir(d);
	return r;
}

/*
 * A MySQL option file we hand to the client library (defaults_file):
 * our own rules, on what it includes too; group and others may not
 * read it when it holds a password. 0, or -1 with f saying why.
 */
static int
check_option_file(const char *path, int depth, struct failure *f)
{
	char *text = NULL, *line, *save = NULL;
	struct stat st;
	size_t len;
	int fd, r = 0, password = 0;

	if (depth > INCLUDE_DEPTH) {
		failf(f, MQ_FAIL, "%s: includes nested too deep", path);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		failf(f, MQ_FAIL, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fd_check_safe(fd, path, &st, f) == -1) {
		close(fd);
		return -1;
	}
	if (read_text(fd, OPTION_FILE_MAX, &text, &len) == -1) {
		failf(f, MQ_FAIL, "%s: cannot read it", path);
		close(fd);
		return -1;
	}
	close(fd);
	if (strlen(text) != len) {
		failf(f, MQ_FAIL, "%s: holds a NUL byte", path);
		r = -1;
	}
	for (line = strtok_r(text, "\n", &save); r == 0 && line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t k;

		while (*line == ' ' || *line == '\t')
			line++;
		if (strncmp(line, "!includedir", 11) == 0 &&
		    (line[11] == ' ' || line[11] == '\t')) {
			line += 12;
			line[strcspn(line, "\r")] = '\0';
			r = check_option_dir(line + strspn(line, " \t"), depth,
					     f);
		} else if (strncmp(line, "!include", 8) == 0 &&
			   (line[8] == ' ' || line[8] == '\t')) {
			line += 9;
			line[strcspn(line, "\r")] = '\0';
			r = check_option_file(line + strspn(line, " \t"),
					      depth + 1, f);
		}
		/* The client library takes "loose-" before a name, and any
		 * prefix of a name that no other option shares: every form
		 * of "password" from "pa" on is one. */
		if (strncmp(line, "loose-", 6) == 0 ||
		    strncmp(line, "loose_", 6) == 0)
			line += 6;
		k = strcspn(line, "= \t");
		if (k >= 2 && k <= 8 && strncmp(line, "password", k) == 0)
			password = 1;
	}
	explicit_bzero(text, len);
	free(text);
	if (r == 0 && password && (st.st_mode & (S_IRGRP | S_IROTH))) {
		failf(f, MQ_FAIL, "%s: holds a password but group or others "
		    "may read it; refusing it (chmod 600 %s)", path, path);
		r = -1;
	}
	/* the password is read by us and passed on (optfile_unpassworded),
	 * from the file itself: one in a file it includes the client
	 * library would read, through buffers no one zeroes */
	if (r == 0 && password && depth > 0) {
		failf(f, MQ_FAIL, "%s: an included file holds a password; put "
		    "it in the option file itself, where it is read and its "
		    "copies zeroed", path);
		r = -1;
	}
	return r;
}

int
optfile_check(const char *path, struct failure *f)
{
	return check_option_file(path, 0, f);
}

/* An option's value as the client library reads it: quoted ('...' or
 * "...", with backslash escapes) or bare (blanks around it dropped, a
 * " #" comment cut). 0, or -1 when it does not fit or is unterminated. */
static int
option_value(const char *v, char *out, size_t n)
{
	size_t j = 0, len;
	char q;

	v += strspn(v, " \t");
	if (*v == '\'' || *v == '"') {
		for (q = *v++; *v != '\0' && *v != q; v++) {
			char c = *v;

			if (c == '\\' && v[1] != '\0') {
				c = *++v;
				c = c == 'n' ? '\n' : c == 't' ? '\t' :
				    c == 's' ? ' ' : c == 'b' ? '\b' : c;
			}
			if (j + 1 >= n)
				return -1;
			out[j++] = c;
		}
		if (*v != q)
			return -1;
		out[j] = '\0';
		return 0;
	}
	len = strcspn(v, "\r\n");
	if (fmt(out, n, "%.*s", (int)len, v) == -1)
		return -1;
	if ((v = strstr(out, " #")) != NULL || (v = strstr(out, "\t#")) != NULL)
		out[v - out] = '\0';
	trim_blanks(out);
	return 0;
}

/* path's text, read whole (never blocking), into *text (the caller
 * zeroes and frees it). 0, or -1 with f saying why. */
static int
slurp(const char *path, char **text, size_t *len, struct failure *f)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd == -1 || read_text(fd, OPTION_FILE_MAX, text, len) == -1) {
		failf(f, MQ_FAIL, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
optfile_client(const char *path, char *user, size_t un, char *pass,
	       size_t pn, struct failure *f)
{
	char *text = NULL, *line, *save = NULL;
	size_t len;
	int in = 0, r = 0;

	user[0] = pass[0] = '\0';
	if (optfile_check(path, f) == -1)
		return -1;
	if (slurp(path, &text, &len, f) == -1)
		return -1;
	for (line = strtok_r(text, "\n", &save); r == 0 && line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t k;
		char *eq;

		line += strspn(line, " \t");
		if (*line == '[') {
			k = strcspn(line, "]");
			in = k == 7 && strncmp(line, "[client", 7) == 0;
			continue;
		}
		if (!in || *line == '#' || *line == ';' ||
		    (eq = strchr(line, '=')) == NULL)
			continue;
		k = (size_t)(eq - line);
		while (k > 0 && (line[k - 1] == ' ' || line[k - 1] == '\t'))
			k--;
		if (k == 4 && strncmp(line, "user", 4) == 0)
			r = option_value(eq + 1, user, un);
		else if (k == 8 && strncmp(line, "password", 8) == 0)
			r = option_value(eq + 1, pass, pn);
	}
	explicit_bzero(text, len);
	free(text);
	if (r == -1) {
		explicit_bzero(pass, pn);
		failf(f, MQ_CONFIG, "%s: a user or password value too long or "
		      "not closed", path);
		return -1;
	}
	if (user[0] == '\0' || pass[0] == '\0') {
		failf(f, MQ_CONFIG, "%s: its [client] group names no %s", path,
		      user[0] == '\0' ? "user" : "password");
		return -1;
	}
	return 0;
}

/* A line's option name, "loose-" taken off: is it a form of
 * "password" (any prefix from "pa" on, as the library takes it)? */
static int
password_key(const char *line)
{
	size_t k;

	line += strspn(line, " \t");
	if (strncmp(line, "loose-", 6) == 0 || strncmp(line, "loose_", 6) == 0)
		line += 6;
	k = strcspn(line, "= \t");
	return k >= 2 && k <= 8 && strncmp(line, "password", k) == 0;
}

/* A group the client library reads for the group "client". */
static int
client_group(const char *line)
{
	return strncmp(line, "[client]", 8) == 0 ||
	       strncmp(line, "[client-server]", 15) == 0 ||
	       strncmp(line, "[client-mariadb]", 16) == 0;
}

int
optfile_unpassworded(const char *path, char *pass, size_t pn,
		     struct failure *f)
{
	char *text = NULL, *line, *next, *eq;
	size_t len;
	int out = -1, in = 0, r = 0;

	pass[0] = '\0';
	if (slurp(path, &text, &len, f) == -1)
		return -1;
	if ((out = memfd_create("mysql-quiesce-defaults", MFD_CLOEXEC)) == -1) {
		failf(f, MQ_FAIL, "memfd_create: %s", strerror(errno));
		r = -1;
	}
	for (line = text; r == 0 && line < text + len; line = next) {
		next = line + strcspn(line, "\n");
		if (*next == '\n')
			*next++ = '\0';
		if (line[strspn(line, " \t")] == '[')
			in = client_group(line + strspn(line, " \t"));
		if (password_key(line)) {
			if (in && (eq = strchr(line, '=')) != NULL &&
			    option_value(eq + 1, pass, pn) == -1) {
				failf(f, MQ_CONFIG, "defaults_file %s: a password "
				      "value too long or not closed", path);
				r = -1;
			}
			explicit_bzero(line, strlen(line));
			continue; /* the copy has no line of it */
		}
		if (write_all(out, line, strlen(line)) == -1 ||
		    write_all(out, "\n", 1) == -1) {
			failf(f, MQ_FAIL, "memfd: %s", strerror(errno));
			r = -1;
		}
	}
	explicit_bzero(text, len);
	free(text);
	if (r == -1) {
		explicit_bzero(pass, pn);
		if (out != -1)
			close(out);
		return -1;
	}
	return out;
}
