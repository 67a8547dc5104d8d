/* discover.c - mount points from mountinfo, devices from sysfs. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "discover.h"
#include "util.h"

void
discover_unescape(char *s)
{
	char *d = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/* Is mount point p a prefix of path, on a component boundary? */
static size_t
covers(const char *p, const char *path)
{
	size_t n = strlen(p);

	if (strcmp(p, "/") == 0)
		return 1;
	if (strncmp(p, path, n) == 0 && (path[n] == '/' || path[n] == '\0'))
		return n;
	return 0;
}

/* Split one mountinfo line into m; 0 or -1 (malformed). */
static int
parse_line(char *line, struct mountpt *m)
{
	char *f[64], *save = NULL, *t;
	int nf = 0, dash = -1;

	for (t = strtok_r(line, " \n", &save); t != NULL && nf < 64;
	     t = strtok_r(NULL, " \n", &save)) {
		if (strcmp(t, "-") == 0 && dash == -1 && nf >= 6)
			dash = nf;
		f[nf++] = t;
	}
	if (dash == -1 || dash + 2 >= nf ||
	    sscanf(f[2], "%u:%u", &m->major, &m->minor) != 2)
		return -1;
	if (fmt(m->point, sizeof(m->point), "%s", f[4]) ||
	    fmt(m->fstype, sizeof(m->fstype), "%s", f[dash + 1]) ||
	    fmt(m->source, sizeof(m->source), "%s", f[dash + 2]))
		return -1;
	discover_unescape(m->point);
	discover_unescape(m->source);
	return 0;
}

int
discover_mount(const char *proc_root, const char *path, struct mountpt *m,
	       struct failure *f)
{
	char file[PATH_MAX], real[PATH_MAX], line[3 * PATH_MAX];
	struct mountpt cur;
	struct stat st;
	size_t best = 0, c;
	FILE *fp;

	if (realpath(path, real) == NULL || stat(real, &st) == -1) {
		failf(f, MQ_FAIL, "%s: %s", path, strerror(errno));
		return -1;
	}
	fmt(file, sizeof(file), "%s/self/mountinfo", proc_root);
	fp = fopen(file, "re");
	if (fp == NULL) {
		failf(f, MQ_FAIL, "%s: %s", file, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (parse_line(line, &cur) == -1 ||
		    cur.major != major(st.st_dev) ||
		    cur.minor != minor(st.st_dev))
			continue;
		c = covers(cur.point, real);
		if (c > 0 && c >= best) {
			best = c;
			*m = cur;
		}
	}
	fclose(fp);
	if (best == 0) {
		failf(f, MQ_FAIL, "%s: no mount of device %u:%u in %s", path,
		    major(st.st_dev), minor(st.st_dev), file);
		return -1;
	}
	return 0;
}

struct walk {
	const char *sys;
	char (*leaves)[64];
	int max, count;
	char *chain;
	size_t cn;
	struct failure *f;
};

static void
add_leaf(struct walk *w, const char *name)
{
	int i;

	for (i = 0; i < w->count; i++)
		if (strcmp(w->leaves[i], name) == 0)
			return;
	if (w->count < w->max)
		fmt(w->leaves[w->count++], 64, "%s", name);
}

/* The disk a partition belongs to, or "" if name is not a partition. */
static void
partition_disk(const char *sys, const char *name, char *disk, size_t n)
{
	char p[PATH_MAX], real[PATH_MAX], *slash;
	struct stat st;

	disk[0] = '\0';
	fmt(p, sizeof(p), "%s/class/block/%s/partition", sys, name);
	if (stat(p, &st) == -1)
		return;
	fmt(p, sizeof(p), "%s/class/block/%s", sys, name);
	if (realpath(p, real) == NULL || (slash = strrchr(real, '/')) == NULL)
		return;
	*slash = '\0';
	slash = strrchr(real, '/');
	if (slash != NULL)
		fmt(disk, n, "%s", slash + 1);
}

static int
expand(struct walk *w, const char *name, int depth)
{
	char p[PATH_MAX], disk[64];
	struct dirent **e;
	int any = 0, failed = 0, i, ne;

	if (depth > 16) {
		failf(w->f, MQ_FAIL, "device %s: slaves nested too deep", name);
		return -1;
	}
	partition_disk(w->sys, name, disk, sizeof(disk));
	if (disk[0] != '\0') {
		append(w->chain, w->cn, " (%s)", disk);
		return expand(w, disk, depth + 1);
	}
	fmt(p, sizeof(p), "%s/class/block/%s/slaves", w->sys, name);
	ne = scandir(p, &e, NULL, alphasort); /* sorted: stable output */
	for (i = 0; i < ne; i++) {
		if (e[i]->d_name[0] != '.' && !failed) {
			append(w->chain, w->cn, "%s%s", any ? ", " : " <- ",
			       e[i]->d_name);
			any = 1;
			failed = expand(w, e[i]->d_name, depth + 1) == -1;
		}
		free(e[i]);
	}
	if (ne > 0)
		free(e);
	if (failed)
		return -1;
	if (!any)
		add_leaf(w, name);
	return 0;
}

/* Kernel name of block device maj:min, from SYS/dev/block; 0 or -1. */
static int
dev_name(const char *sys, unsigned maj, unsigned min, char *name, size_t n)
{
	char p[PATH_MAX], link[PATH_MAX], *base;
	ssize_t len;

	fmt(p, sizeof(p), "%s/dev/block/%u:%u", sys, maj, min);
	len = readlink(p, link, sizeof(link) - 1);
	if (len <= 0)
		return -1;
	link[len] = '\0';
	base = strrchr(link, '/');
	return fmt(name, n, "%s", base ? base + 1 : link);
}

int
discover_devices(const char *sys_root, const struct mountpt *m,
		 char leaves[][64], int max, char *chain, size_t cn,
		 struct failure *f)
{
	struct walk w = { sys_root, leaves, max, 0, chain, cn, f };
	char name[64];
	struct stat st;

	chain[0] = '\0';
	if (dev_name(sys_root, m->major, m->minor, name, sizeof(name)) == -1) {
		/* btrfs and others show an anonymous st_dev: try the
		 * mounted device itself. */
		if (strncmp(m->source, "/dev/", 5) != 0 ||
		    stat(m->source, &st) == -1 || !S_ISBLK(st.st_mode) ||
		    dev_name(sys_root, major(st.st_rdev), minor(st.st_rdev),
			     name, sizeof(name)) == -1) {
			fmt(chain, cn, "(no block device)");
			return 0;
		}
	}
	append(chain, cn, "%s", name);
	if (expand(&w, name, 0) == -1)
		return -1;
	return w.count;
}
