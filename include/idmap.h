/* idmap.h - a directory shown elsewhere with its owner's files seen as
 * another user's (an idmapped mount), and a program run as that user;
 * verify's throwaway server runs so, never as root (src/verify/idmap.c). */
#ifndef MQ_IDMAP_H
#define MQ_IDMAP_H

#include "failure.h"

#include <stddef.h>
#include <sys/types.h>

struct runas {
	char name[64];
	uid_t uid;
	gid_t gid;
};

/* The user NAME, looked up; never root. 0, or -1 with f saying why. */
int runas_find(struct runas *u, const char *name, struct failure *f);

/* SRC mounted at DST (in the caller's mount namespace), read-only,
 * nosymfollow, nosuid, nodev, with what SRC's own owner and group own
 * seen as u's (anything else owned by nobody). 0, or -1 with f saying why. */
int idmap_mount(const char *src, const char *dst, const struct runas *u,
		struct failure *f);

/* access(path, mode) as u would be answered: 0, or -1 with errno. */
int runas_access(const struct runas *u, const char *path, int mode);

/* PATH run as u (no supplementary groups, no new privileges, dying with
 * us), stdin/out/err on /dev/null, no other descriptor, signals
 * default and unblocked, environment envp. The pid, or -1 with errno. */
pid_t runas_spawn(const struct runas *u, const char *path, char *const argv[],
		  char *const envp[]);

#endif
