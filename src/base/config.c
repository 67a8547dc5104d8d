/* config.c - INI parsing with libinih into struct config. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "config.h"
#include "configint.h"
#include "openpath.h"
#include "optfile.h"
#include "util.h"

struct parse {
	struct config *c;
	struct servers *sv; /* the file's server keys, and each server's */
	struct failure *f;
	int failed, password; /* a password anywhere in the file */
	unsigned char seen[CONFIG_NITEMS];
};

static int
handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse *p = user;
	int it;

	if (p->failed)
		return 1; /* report only the first error */
	if (strcmp(key, "password") == 0 && *value != '\0')
		p->password = 1;
	if (strncmp(section, "mysql ", 6) == 0 && *key != '\0') {
		if (config_server_key(p->c, p->sv, section + 6 +
				      strspn(section + 6, " "), key, value,
				      p->f) == -1) {
			p->failed = 1;
			return 0;
		}
		return 1;
	}
	if (strcmp(section, "ebs") == 0)
		p->c->has_ebs = 1;
	if (*key == '\0') {
		failf(p->f, MQ_CONFIG, "no key name before '='");
		p->failed = 1;
		return 0;
	}
	if ((it = config_item_find(section, key)) >= 0) {
		if (p->seen[it]) {
			failf(p->f, MQ_CONFIG, "[%s] %s is set twice", section,
			    key);
			p->failed = 1;
			return 0;
		}
		p->seen[it] = 1;
		if (config_set(p->c, &p->sv->dflt, it, value, p->f) == -1) {
			p->failed = 1;
			return 0;
		}
		return 1;
	}
	if (it == -2)
		failf(p->f, MQ_CONFIG, "unknown section [%s]", section);
	else
		failf(p->f, MQ_CONFIG, "unknown key \"%s\" in [%s]", key,
		    section);
	p->failed = 1;
	return 0;
}

static int
finish(struct parse *p, int r)
{
	if (r == -1) {
		failf(p->f, MQ_CONFIG, "cannot read it");
		return -1;
	}
	if (r == -2) {
		failf(p->f, MQ_CONFIG, "out of memory");
		return -1;
	}
	if (r == 0)
		return 0;
	/* inih gives the first bad line's number; the handler said why. */
	if (p->failed) {
		fail_wrap(p->f, MQ_CONFIG, "line %d", r);
	} else {
		failf(p->f, MQ_CONFIG, "line %d: not a [section], key = value "
		    "or comment line", r);
	}
	return -1;
}

/*
 * Debian's libinih reads a line into a buffer of INI_MAX_LINE (200)
 * bytes and parses what does not fit as a line of its own: refuse an
 * over-long line, with its true number, before it can be misread; and
 * a NUL byte, which would cut a value silently.
 */
enum { LINE_MAX_BYTES = 198 };

static int
scan_lines(const char *text, size_t len, struct failure *f)
{
	size_t i, start = 0;
	int line = 1;

	for (i = 0; i <= len; i++) {
		if (i < len && text[i] == '\0') {
			failf(f, MQ_CONFIG, "line %d: holds a NUL byte", line);
			return -1;
		}
		if (i == len || text[i] == '\n') {
			size_t l = i - start;

			if (l > 0 && text[i - 1] == '\r')
				l--;
			if (l > LINE_MAX_BYTES) {
				failf(f, MQ_CONFIG, "line %d: longer than %d "
				    "bytes (%zu)", line, LINE_MAX_BYTES, l);
				return -1;
			}
			start = i + 1;
			line++;
		}
	}
	return 0;
}

/* Parse text into c; 0 with *password set if the file holds one, or
 * -1 with f saying why (c then holds nothing to free). */
static int
parse_text(struct config *c, const char *text, size_t len, int *password,
	   struct failure *f)
{
	static struct servers sv; /* its servers while they are read */
	struct parse p = { .c = c, .sv = &sv, .f = f };
	int r = -1;

	config_file_defaults(c);
	config_server_defaults(&sv.dflt);
	if (scan_lines(text, len, f) == -1 ||
	    finish(&p, ini_parse_string(text, handler, &p)) == -1 ||
	    config_relations(c, &sv.dflt, f) == -1)
		goto out;
	fmt(c->run_dir, sizeof(c->run_dir), "%s", sv.dflt.files_run_dir);
	r = config_servers_make(c, &sv, f);
	*password = p.password;
out:
	explicit_bzero(&sv, sizeof(sv)); /* it may hold a password */
	return r;
}

int
config_parse_string(struct config *c, const char *text, struct failure *f)
{
	int password;

	return parse_text(c, text, strlen(text), &password, f);
}

int
config_defaults(struct config *c, struct failure *f)
{
	return config_parse_string(c, "", f);
}

void
config_forget_passwords(struct config *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		explicit_bzero(c->sv[i].mysql_password,
			       sizeof(c->sv[i].mysql_password));
}

void
config_free(struct config *c)
{
	config_forget_passwords(c);
	free(c->sv);
	c->sv = NULL;
	c->n = 0;
}

enum { CONFIG_FILE_MAX = 1 << 20 };

/* Every defaults_file the file names held to the option-file rules. */
static int
defaults_files(const struct config *c, struct failure *f)
{
	char why[sizeof(f->why)];
	int i;

	for (i = 0; i < c->n; i++)
		if (c->sv[i].mysql_defaults_file[0] != '\0' &&
		    optfile_check(c->sv[i].mysql_defaults_file, f) == -1) {
			memcpy(why, f->why, sizeof(why));
			if (c->sv[i].name[0] != '\0')
				failf(f, MQ_CONFIG, "[mysql %s] defaults_file "
				      "%s", c->sv[i].name, why);
			else
				failf(f, MQ_CONFIG, "defaults_file %s", why);
			return -1;
		}
	return 0;
}

int
config_load(struct config *c, const char *path, int to_release,
	    struct failure *f)
{
	char why[CONFIG_STR_MAX + 256], abs[PATH_MAX], *text = NULL;
	struct stat st;
	size_t len;
	int fd, r, password = 0;

	memset(c, 0, sizeof(*c));
	/* O_NONBLOCK: a FIFO must not hang us; it is refused below */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		failf(f, MQ_CONFIG, "config file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	/* Every check is made on the descriptor we then read. */
	fmt(why, sizeof(why), "config file %s", path);
	if (fd_check_safe(fd, why, &st, f) == -1) {
		close(fd);
		f->code = MQ_CONFIG;
		return -1;
	}
	r = read_text(fd, CONFIG_FILE_MAX, &text, &len);
	close(fd);
	if (r == -1) {
		failf(f, MQ_CONFIG, "config file %s: %s", path,
		    len > CONFIG_FILE_MAX ? "larger than 1 MiB"
		    : strerror(errno));
		return -1;
	}
	r = parse_text(c, text, len, &password, f);
	explicit_bzero(text, len);
	free(text);
	if (r == -1) {
		fail_wrap(f, MQ_CONFIG, "config file %s", path);
		return -1;
	}
	f->code = MQ_OK;
	f->why[0] = '\0';
	if (password && (st.st_mode & (S_IRGRP | S_IROTH))) {
		/* a release needs no password: none is kept */
		config_forget_passwords(c);
		failf(f, MQ_CONFIG, "config file %s: holds a password but "
		    "group or others may read it; refusing it (chmod 600 %s)",
		    path, path);
		if (!to_release)
			return CONFIG_READABLE;
	}
	if (defaults_files(c, f) == -1) {
		fail_wrap(f, MQ_CONFIG, "config file %s", path);
		config_free(c);
		return -1;
	}
	if (realpath(path, abs) == NULL ||
	    fmt(c->path, sizeof(c->path), "%s", abs) == -1) {
		failf(f, MQ_CONFIG, "config file %s: cannot resolve its path",
		    path);
		config_free(c);
		return -1;
	}
	return 0;
}

const char *
config_path(const char *opt)
{
	const char *env;

	if (opt != NULL)
		return opt;
	env = getenv(CONFIG_ENV);
	if (env != NULL && *env != '\0')
		return env;
	return DEFAULT_CONFIG;
}
