/* wirefile.c - the files wire reads and writes under a root: read
 * whole without following a link, directories made, a file replaced
 * atomically with its mode and root's ownership. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "wirefile.h"

int
wire_slurp(const char *root, const char *path, char *buf, size_t n,
	   char *why, size_t wn)
{
	char full[PATH_MAX * 2];
	struct stat st;
	ssize_t got;
	int fd;

	fmt(full, sizeof(full), "%s%s", root, path);
	fd = open(full, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT)
			return 0;
		fmt(why, wn, "%s: %s", path, errno == ELOOP ? "a symlink" :
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		fmt(why, wn, "%s: not a regular file", path);
		return -1;
	}
	got = read(fd, buf, n - 1);
	close(fd);
	if (got < 0) {
		fmt(why, wn, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf[got] = '\0';
	return 1;
}

/* mkdir -p root+dir's parents (0755) and dir itself (mode). */
int
wire_make_dirs(const char *root, const char *path, mode_t mode)
{
	char full[PATH_MAX * 2], *s;
	size_t skip = strlen(root);

	fmt(full, sizeof(full), "%s%s", root, path);
	if ((s = strrchr(full, '/')) == NULL || s == full)
		return 0;
	*s = '\0';
	for (s = full + skip + 1; ; s++) {
		int last = (s = strchr(s, '/')) == NULL;

		if (!last)
			*s = '\0';
		if (mkdir(full, last ? mode : 0755) == -1 && errno != EEXIST)
			return -1;
		if (last)
			return 0;
		*s = '/';
	}
}

/* Write data at root+path, atomically, mode and root's. */
int
wire_put(const char *root, const char *path, const char *data, mode_t mode)
{
	char dir[PATH_MAX * 2], *base;
	int dfd, r;

	fmt(dir, sizeof(dir), "%s%s", root, path);
	base = strrchr(dir, '/');
	*base++ = '\0';
	if ((dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY |
			O_CLOEXEC)) == -1)
		return -1;
	r = write_atomic(dfd, base, data, strlen(data), mode);
	if (r == 0)
		r = fchmodat(dfd, base, mode, AT_SYMLINK_NOFOLLOW) == -1 &&
		    errno != EOPNOTSUPP ? -1 : 0;
	if (r == 0 && fchownat(dfd, base, 0, 0, AT_SYMLINK_NOFOLLOW) == -1)
		r = -1;
	close(dfd);
	return r;
}
