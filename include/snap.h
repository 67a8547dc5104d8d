/* snap.h - snapshot mode's shared state, between the plan and lock
 * (snapshot.c) and the frozen window: watchdog and command (snaprun.c). */
#ifndef MQ_SNAP_H
#define MQ_SNAP_H

#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "db.h"
#include "discover.h"
#include "state.h"

enum {
	MAX_TARGETS = 16,
	KILL_GRACE_MS = 2000,   /* SIGTERM to SIGKILL for the command */
	WATCHDOG_SLACK_MS = 1000, /* past deadline + grace, the watchdog acts */
};

extern char **environ;

struct snap {
	struct config c;          /* ours: on_failure = fail, info file set */
	int dry, no_fs, replace;
	long long timeout;
	const char *add[MAX_TARGETS];
	int nadd;
	char **cmd;
	struct db d;
	char datadir[PATH_MAX], binlog_dir[PATH_MAX];
	struct mountpt mp[MAX_TARGETS];
	int nmp;
	char devs[DISC_MAX_DEVS][64];
	int ndev;
	int fd[MAX_TARGETS], frozen[MAX_TARGETS];
	int sigfd, wdfd;
	pid_t wd, child;
};

/* Mount points (mounts) or devices, space-separated, into buf. */
void snap_list(const struct snap *s, int mounts, char *buf, size_t n);

/*
 * The watchdog: a forked child that keeps the mount points open and, if
 * we die (its pipe reads EOF) or hang past deadline + grace + slack,
 * thaws them, kills the command's process group and releases the lock.
 * Tell it "pNNN" (the command's pid), and stop it once all is thawed.
 */
int snap_watchdog_start(struct snap *s, int64_t deadline);
void snap_watchdog_tell(struct snap *s, const char *msg);
void snap_watchdog_stop(struct snap *s);

/* The command's environment: ours without MYSQL_PWD, plus the facts. */
char **snap_command_env(const struct snap *s, const struct state *st);

/* Start the command in its own process group, stdin on /dev/null. */
pid_t snap_run_command(struct snap *s, char **env);

/*
 * Wait for the command until deadline or a stop signal; then SIGTERM
 * its process group, SIGKILL after the grace. Its wait status; *why is
 * 0 (it ended by itself), MQ_TIMEOUT or MQ_ABORTED.
 */
int snap_await_command(struct snap *s, pid_t pid, int64_t deadline,
		       int *why);

#endif
