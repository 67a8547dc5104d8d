/* vbinlog.c - verify's binary logs: found where the snapshot's server
 * kept them (PATH, --binlog-dir, or the restored image's own config
 * with --root), every index entry mapped to a file inside the snapshot
 * by its name alone, and the recorded position checked against them. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "openpath.h"
#include "binlog.h"
#include "util.h"
#include "verify.h"
#include "vbinlog.h"
#include "vinfo.h"
#include "vcheck.h"

enum { CNF_DEPTH = 4, CNF_MAX = 1 << 20 };

/*
 * An absolute path p of the restored image, as the path under root it
 * is there: every component resolved by the kernel inside the image
 * (openat2's RESOLVE_IN_ROOT: an absolute link is the image's, a ".."
 * stops at its root, no /proc magic link), so that no link of the
 * image, on a directory or the last name, leads to this machine's
 * files. 0, or -1: not in the image (out names root's p, for the
 * message), or (errno EXDEV) resolved outside root all the same.
 */
static int
in_root(const char *root, const char *p, char *out, size_t n)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT |
					   RESOLVE_NO_MAGICLINKS };
	char real[PATH_MAX], link[64];
	int rfd, fd, e;
	ssize_t l;
	size_t rl;

	if (p[0] != '/' || realpath(root, real) == NULL)
		return -1;
	if ((rfd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	fd = (int)syscall(SYS_openat2, rfd, p, &how, sizeof(how));
	e = errno;
	close(rfd);
	if (fd == -1) {
		/* named in what is said, never opened by this spelling: a
		 * link on its way would be the kernel's to follow */
		fmt(out, n, "%s%s", real, p);
		errno = e;
		return -1;
	}
	fmt(link, sizeof(link), "/proc/self/fd/%d", fd);
	l = readlink(link, out, n - 1);
	close(fd);
	if (l == -1 || (size_t)l >= n - 1)
		return -1;
	out[l] = '\0';
	rl = strlen(real);
	if (strcmp(real, "/") != 0 && (strncmp(out, real, rl) != 0 ||
				       (out[rl] != '/' && out[rl] != '\0'))) {
		errno = EXDEV;
		return -1;
	}
	return 0;
}

/* 0 when dir holds name, not through a link; else -1. */
static int
access_in(const char *dir, const char *name)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	if (fd == -1)
		return -1;
	r = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode) ? 0 : -1;
	close(fd);
	return r;
}

/* A group the server reads its options from. */
static int
server_group(const char *g)
{
	return strcmp(g, "mysqld") == 0 || strcmp(g, "mariadbd") == 0 ||
	       strcmp(g, "server") == 0 || strncmp(g, "mariadb", 7) == 0 ||
	       strncmp(g, "mysqld-", 7) == 0;
}

static void cnf_file(const char *root, const char *path, int depth,
		     char *log_bin, size_t n, int *found);

/* !includedir DIR: every *.cnf in it. */
static void
cnf_dir(const char *root, const char *dir, int depth, char *log_bin,
	size_t n, int *found)
{
	char real[PATH_MAX], sub[PATH_MAX];
	struct dirent *e;
	DIR *d;

	if (in_root(root, dir, real, sizeof(real)) == -1 ||
	    (d = opendir(real)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len > 4 && strcmp(e->d_name + len - 4, ".cnf") == 0 &&
		    fmt(sub, sizeof(sub), "%s/%s", dir, e->d_name) == 0)
			cnf_file(root, sub, depth + 1, log_bin, n, found);
	}
	closedir(d);
}

/* One option file of the image: the last log_bin of a server group. */
static void
cnf_file(const char *root, const char *path, int depth, char *log_bin,
	 size_t n, int *found)
{
	char real[PATH_MAX], group[64] = "", *text, *line, *next;
	struct failure lf;
	size_t len;

	if (depth > CNF_DEPTH || in_root(root, path, real, sizeof(real)) == -1 ||
	    read_data_file(AT_FDCWD, real, CNF_MAX, &text, &len, &lf) == -1)
		return;
	for (line = text; line != NULL; line = next) {
		char *eq, *k;
		size_t i;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		trim_blanks(line);
		if (strncmp(line, "!includedir ", 12) == 0) {
			trim_blanks(line + 12);
			cnf_dir(root, line + 12, depth, log_bin, n, found);
		} else if (strncmp(line, "!include ", 9) == 0) {
			trim_blanks(line + 9);
			cnf_file(root, line + 9, depth + 1, log_bin, n, found);
		} else if (line[0] == '[') {
			fmt(group, sizeof(group), "%.*s", (int)strcspn(line + 1,
			    "]"), line + 1);
		} else if (server_group(group) && line[0] != '#' &&
			   line[0] != ';') {
			eq = strchr(line, '=');
			if (eq != NULL)
				*eq = '\0';
			k = line;
			trim_blanks(k);
			for (i = 0; k[i] != '\0'; i++)
				if (k[i] == '-')
					k[i] = '_';
			if (strcmp(k, "log_bin") != 0)
				continue;
			*found = 1;
			fmt(log_bin, n, "%s", eq ? eq + 1 : "");
			trim_blanks(log_bin);
		}
	}
	free(text);
}

/*
 * The directory the server kept its binary logs in (the info file's
 * binlog_basename), as it stands in the snapshot: where the snapshot
 * holds the server's datadir at PATH, the part of the recorded datadir
 * PATH does not end with is the snapshot's own root (a whole root
 * filesystem restored at /mnt/snap: /var/lib/mysql at
 * /mnt/snap/var/lib/mysql, so /var/log/mysql at /mnt/snap/var/log/mysql),
 * the directory resolved inside it. 0 (out set), or -1.
 */
static int
recorded_dir(const struct verify *v, char *out, size_t n)
{
	char p[PATH_MAX], d[PATH_MAX], b[PATH_MAX], root[PATH_MAX];
	size_t pl, dl, k;
	char *slash;

	if (v->rec_binbase[0] == '\0' || v->rec_datadir[0] == '\0' ||
	    realpath(v->path, p) == NULL ||
	    fmt(d, sizeof(d), "%s", v->rec_datadir) == -1 ||
	    fmt(b, sizeof(b), "%s", v->rec_binbase) == -1 ||
	    (slash = strrchr(b, '/')) == NULL)
		return -1;
	*slash = '\0'; /* the directory of the logs */
	pl = strlen(p);
	dl = strlen(d);
	while (dl > 1 && d[dl - 1] == '/')
		d[--dl] = '\0';
	/* the longest common ending of whole components: backed off to a
	 * '/' in both (d is absolute: d[0] is one) */
	for (k = 0; k < pl && k < dl && p[pl - 1 - k] == d[dl - 1 - k]; k++)
		;
	while (k > 0 && (d[dl - k] != '/' || p[pl - k] != '/'))
		k--;
	if (k == 0)
		return -1;
	d[dl - k] = '\0'; /* the recorded root: "" for / */
	if (strncmp(b, d, strlen(d)) != 0 || b[strlen(d)] != '/')
		return -1;
	fmt(root, sizeof(root), "%.*s", (int)(pl - k), p);
	if (root[0] == '\0')
		fmt(root, sizeof(root), "/");
	return in_root(root, b + strlen(d), out, n);
}

/* Where the binary logs are: --binlog-dir, the image's own config under
 * --root (log_bin's directory, when it is absolute), else PATH if it
 * holds the recorded one, else where the info file says the server
 * kept them, found in the snapshot (recorded_dir). */
static int
find_dir(struct verify *v)
{
	char log_bin[PATH_MAX] = "", dir[PATH_MAX];
	int found = 0;

	if (v->binlog_dir != NULL)
		return fmt(v->bdir, sizeof(v->bdir), "%s", v->binlog_dir);
	if (v->root == NULL && access_in(v->path, v->file) != 0 &&
	    recorded_dir(v, dir, sizeof(dir)) == 0 && access_in(dir, v->file) == 0)
		return fmt(v->bdir, sizeof(v->bdir), "%s", dir);
	if (v->root != NULL) {
		cnf_file(v->root, "/etc/mysql/my.cnf", 0, log_bin,
			 sizeof(log_bin), &found);
		if (!found)
			cnf_file(v->root, "/etc/my.cnf", 0, log_bin,
				 sizeof(log_bin), &found);
		if (found && log_bin[0] == '/' && strrchr(log_bin, '/') != NULL) {
			fmt(dir, sizeof(dir), "%.*s", (int)(strrchr(log_bin, '/') -
			    log_bin), log_bin);
			return in_root(v->root, dir[0] ? dir : "/", v->bdir,
				       sizeof(v->bdir));
		}
	}
	return fmt(v->bdir, sizeof(v->bdir), "%s", v->path);
}

void
verify_check_binlog(struct verify *v)
{
	char base[256], unmapped[1024] = "", why[PATH_MAX + 300];
	struct stat st, pst;
	int bdfd, r, i, at = -1;

	if (!v->has_info)
		return;
	if (v->file[0] == '\0') {
		verify_add(v, 1, "binlog", "binary logging was off: no position to "
		    "check");
		return;
	}
	if (find_dir(v) == -1 || (bdfd = open(v->bdir, O_RDONLY | O_DIRECTORY |
					      O_NOFOLLOW | O_CLOEXEC)) == -1) {
		fmt(why, sizeof(why), "the binary logs' directory %s is not in "
		    "the snapshot: give --binlog-dir or --root", v->bdir);
		verify_cannot(v, "binlog", why);
		return;
	}
	v->bdir_is_data = stat(v->path, &pst) == 0 && fstat(bdfd, &st) == 0 &&
			  st.st_dev == pst.st_dev && st.st_ino == pst.st_ino;
	fmt(base, sizeof(base), "%.*s", (int)(strrchr(v->file, '.') - v->file),
	    v->file);
	r = binlog_index_read(bdfd, base, v->bins, MAX_BINLOGS, &v->nbins,
			      unmapped, sizeof(unmapped));
	if (r == 1 && fstatat(bdfd, v->file, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode))
		fmt(v->bins[v->nbins++], sizeof(v->bins[0]), "%s", v->file);
	for (i = 0; i < v->nbins; i++)
		if (strcmp(v->bins[i], v->file) == 0)
			at = i;
	if (r == -1 || unmapped[0] != '\0')
		verify_add(v, 0, "binlog", "%s.index in %s: %s", base, v->bdir,
			   r == -1 ? "cannot be read (a symlink, not a regular "
			   "file, or too large)" : "entries that name no binary "
			   "log of the snapshot, not followed: ");
	if (unmapped[0] != '\0')
		append(v->c[v->n - 1].detail, sizeof(v->c[0].detail), "%s",
		       unmapped);
	if (v->nbins == 0 && r != -1 && unmapped[0] == '\0') {
		/* not one binary log of that name here: looked for in the
		 * wrong place, not a snapshot that lost one */
		fmt(why, sizeof(why), "no binary log %s.* in %s, where it was "
		    "looked for: give --binlog-dir (where the server kept "
		    "them, in the snapshot) or --root (the restored image)",
		    base, v->bdir);
		verify_cannot(v, "binlog", why);
		close(bdfd);
		return;
	}
	if (at == -1 || fstatat(bdfd, v->file, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		verify_add(v, 0, "binlog", "%s is not in the snapshot's binary logs "
		    "(%s): the position cannot hold", v->file, v->bdir);
		close(bdfd);
		return;
	}
	close(bdfd);
	v->file_size = (long long)st.st_size;
	if (v->lower_bound && (unsigned long long)st.st_size >= v->pos)
		verify_add(v, 1, "binlog", "%s is %lld bytes%s, the recorded "
		    "position %llu a lower bound: commits went on (%d binary "
		    "log%s in %s)", v->file, (long long)st.st_size,
		    at + 1 < v->nbins ? " and later ones follow" : "", v->pos,
		    v->nbins, v->nbins == 1 ? "" : "s", v->bdir);
	else if (at + 1 < v->nbins)
		verify_add(v, 0, "binlog", "%s follows %s in the index: written "
		    "after the lock", v->bins[at + 1], v->file);
	else if ((unsigned long long)st.st_size == v->pos)
		verify_add(v, 1, "binlog", "%s is %lld bytes, the recorded position: "
		    "nothing after the lock, nothing missing (%d binary log%s in "
		    "%s)", v->file, (long long)st.st_size, v->nbins,
		    v->nbins == 1 ? "" : "s", v->bdir);
	else
		verify_add(v, 0, "binlog", "%s is %lld bytes, recorded position %llu "
		    "(%s %lld bytes)", v->file, (long long)st.st_size, v->pos,
		    (unsigned long long)st.st_size > v->pos ? "written after the "
		    "lock:" : "missing:", (long long)st.st_size > (long long)v->pos
		    ? (long long)st.st_size - (long long)v->pos
		    : (long long)v->pos - (long long)st.st_size);
}

int
verify_write_index(struct verify *v)
{
	static char text[MAX_BINLOGS * (PATH_MAX / 8)];
	int i, fd;

	text[0] = '\0';
	for (i = 0; i < v->nbins; i++)
		if (append(text, sizeof(text), "%s/%s\n", v->blayer,
			   v->bins[i]) == -1)
			return verify_cannot(v, "layer", "the binary log index "
				      "does not fit");
	/* in the server's user's directory, its to append to */
	fmt(v->bindex, sizeof(v->bindex), "%s/mq-binlog.index", v->run);
	fd = open(v->bindex, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		  O_CLOEXEC, 0600);
	if (fd == -1 || write_all(fd, text, strlen(text)) == -1 ||
	    fchown(fd, v->as.uid, v->as.gid) == -1) {
		if (fd != -1)
			close(fd);
		return verify_cannot(v, "layer", "cannot write the binary log "
			      "index in the scratch directory");
	}
	close(fd);
	return 0;
}
