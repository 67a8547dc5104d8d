/* backend/command.c - snapshot backend: run any command while frozen.
 * The command is told the coordinates, mounts and devices in its
 * environment; it inherits nothing else of ours. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend.h"
#include "child.h"
#include "event.h"
#include "util.h"

/*
 * MUST: the command starts with stdin on /dev/null, our stdout and
 * stderr, and no other descriptor (never our server connection), with
 * default signal dispositions and an empty mask, in its own process
 * group, and without MYSQL_PWD. take returns at the deadline even when
 * the command is stuck (in a write to the frozen filesystem, say): the
 * thaw is what unsticks it; finish reaps it.
 */

enum { KILL_GRACE_MS = 2000 }; /* SIGTERM to SIGKILL, after the window */

extern char **environ;

struct command {
	pid_t pid;    /* 0 once reaped */
	int pidfd;
	int status;   /* wait status once reaped */
	/* its environment: ours less secrets, plus the facts */
	char *env[512];
	char file[300], pos[64], gtid[4200], mounts[4200], devs[4200],
	     info[PATH_MAX + 32];
	/* several servers: their names, then each one's facts, numbered */
	char names[CONFIG_MAX_SERVERS * CONFIG_NAME_MAX + 32];
	char sv[CONFIG_MAX_SERVERS][5][PATH_MAX + 64];
};

/* The mounts and devices, into c (shared by one server and several). */
static void
mounts_devs(const struct snapctx *x, struct command *c)
{
	char buf[4096];
	int i;

	fs_list(&x->plan->fs, buf, sizeof(buf));
	fmt(c->mounts, sizeof(c->mounts), "MYSQL_QUIESCE_MOUNTS=%s", buf);
	buf[0] = '\0';
	for (i = 0; i < x->plan->ndev; i++)
		append(buf, sizeof(buf), "%s/dev/%s", i ? " " : "",
		       x->plan->devs[i]);
	fmt(c->devs, sizeof(c->devs), "MYSQL_QUIESCE_DEVICES=%s", buf);
}

/* Several servers: MYSQL_QUIESCE_SERVERS (their names, in the config's
 * order), and for the Nth (from 1) MYSQL_QUIESCE_INFO_FILE_N,
 * _BINLOG_FILE_N, _BINLOG_POS_N and _GTID_N. */
static char **
command_env_several(const struct snapctx *x, struct command *c, size_t n)
{
	int i;

	fmt(c->names, sizeof(c->names), "MYSQL_QUIESCE_SERVERS=");
	for (i = 0; i < x->nsv; i++)
		append(c->names, sizeof(c->names), "%s%s", i ? " " : "",
		       x->sv_name[i]);
	c->env[n++] = c->names;
	for (i = 0; i < x->nsv; i++) {
		fmt(c->sv[i][0], sizeof(c->sv[i][0]), "MYSQL_QUIESCE_INFO_FILE_%d"
		    "=%s", i + 1, x->sv_info[i]);
		fmt(c->sv[i][1], sizeof(c->sv[i][1]), "MYSQL_QUIESCE_BINLOG_FILE"
		    "_%d=%s", i + 1, x->sv_st[i].binlog_file);
		fmt(c->sv[i][2], sizeof(c->sv[i][2]), "MYSQL_QUIESCE_BINLOG_POS"
		    "_%d=%llu", i + 1, x->sv_st[i].binlog_pos);
		fmt(c->sv[i][3], sizeof(c->sv[i][3]), "MYSQL_QUIESCE_GTID_%d=%s",
		    i + 1, x->sv_st[i].gtid);
		c->env[n++] = c->sv[i][0];
		c->env[n++] = c->sv[i][1];
		c->env[n++] = c->sv[i][2];
		c->env[n++] = c->sv[i][3];
	}
	mounts_devs(x, c);
	c->env[n++] = c->mounts;
	c->env[n++] = c->devs;
	c->env[n] = NULL;
	return c->env;
}

/* Our environment without MYSQL_PWD or our own names, plus the facts. */
static char **
command_env(const struct snapctx *x, struct command *c)
{
	size_t n = 0;
	char **e;

	for (e = environ; *e != NULL && n < ARRAY_LEN(c->env) - 40; e++)
		if (strncmp(*e, "MYSQL_PWD=", 10) != 0 &&
		    strncmp(*e, "MYSQL_QUIESCE_", 14) != 0)
			c->env[n++] = *e;
	if (x->nsv > 0)
		return command_env_several(x, c, n);
	fmt(c->file, sizeof(c->file), "MYSQL_QUIESCE_BINLOG_FILE=%s",
	    x->st.binlog_file);
	fmt(c->pos, sizeof(c->pos), "MYSQL_QUIESCE_BINLOG_POS=%llu",
	    x->st.binlog_pos);
	fmt(c->gtid, sizeof(c->gtid), "MYSQL_QUIESCE_GTID=%s", x->st.gtid);
	mounts_devs(x, c);
	fmt(c->info, sizeof(c->info), "MYSQL_QUIESCE_INFO_FILE=%s",
	    x->info_file);
	c->env[n++] = c->file;
	c->env[n++] = c->pos;
	c->env[n++] = c->gtid;
	c->env[n++] = c->mounts;
	c->env[n++] = c->devs;
	c->env[n++] = c->info;
	c->env[n] = NULL;
	return c->env;
}

/* The command in its own group with a clean slate: stdin /dev/null,
 * our stdout and stderr, no other descriptor, signals as at login;
 * errno-style code (an exec failure included). */
static int
start(char **argv, char **env, pid_t *pid)
{
	struct child ch = { .path = argv[0], .search = 1, .argv = argv,
			    .envp = env, .stdio = CHILD_NULL_STDIN,
			    .group = CHILD_GROUP, .default_signals = 1 };

	if (child_start(&ch) == -1)
		return errno;
	*pid = ch.pid;
	return 0;
}

/* Reap the command if it has ended; 1 if reaped. */
static int
reaped(struct command *cmd)
{
	if (cmd->pid > 0 && child_reap(cmd->pid, 0, &cmd->status) == 1) {
		cmd->pid = 0;
		return 1;
	}
	return cmd->pid == 0;
}

static void
signal_group(struct command *cmd, int sig)
{
	if (cmd->pid > 0) {
		kill(-cmd->pid, sig);
		kill(cmd->pid, sig);
	}
}

static int
command_plan(struct snapctx *x, struct failure *f)
{
	char **a;

	(void)f;
	printf("command:    ");
	for (a = x->args; *a != NULL; a++)
		printf(" %s", *a);
	printf("\n");
	return MQ_OK;
}

/* Our state goes in the context (x->priv): made here, freed by
 * finish. */
static int
command_prepare(struct snapctx *x, struct failure *f)
{
	struct command *c;

	if (x->args == NULL || x->args[0] == NULL)
		return failf(f, MQ_USAGE, "no command given (after --)");
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return failf(f, MQ_FAIL, "out of memory");
	c->pidfd = -1;
	x->priv = c;
	return MQ_OK;
}

static int
command_take(struct snapctx *x, struct failure *f)
{
	struct command *cmd = x->priv;
	struct pollfd p[2];
	int e, r;

	e = start(x->args, command_env(x, cmd), &cmd->pid);
	if (e != 0) {
		cmd->pid = 0;
		return failf(f, MQ_CMD, "cannot start the snapshot command %s: "
			     "%s", x->args[0], strerror(e));
	}
	fs_watchdog_group(x->wd, cmd->pid);
	cmd->pidfd = pidfd_open(cmd->pid, 0);
	p[0] = (struct pollfd){ .fd = cmd->pidfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = x->sigfd, .events = POLLIN };
	for (;;) {
		if (reaped(cmd))
			break;
		/* without a pidfd, look for the child's end every 50 ms */
		r = wait_until(p, 2, cmd->pidfd >= 0 ? x->deadline :
			       (mono_ms() + 50 < x->deadline ?
				mono_ms() + 50 : x->deadline));
		if (r == -1 || (r > 0 && (p[1].revents & POLLIN) &&
				sig_take(x->sigfd, NULL) != 0)) {
			signal_group(cmd, SIGTERM);
			return failf(f, MQ_ABORTED, "stopped by a signal; the "
				     "command was ended");
		}
		if (r == 0 && mono_ms() >= x->deadline && !reaped(cmd)) {
			signal_group(cmd, SIGTERM);
			return failf(f, MQ_TIMEOUT, "the command overran "
				     "--timeout (%lld s) and was killed",
				     x->timeout);
		}
	}
	if (WIFEXITED(cmd->status) && WEXITSTATUS(cmd->status) == 0)
		return MQ_OK;
	return failf(f, MQ_CMD, "the snapshot command failed (%s %d)",
		     WIFEXITED(cmd->status) ? "exit" : "signal",
		     WIFEXITED(cmd->status) ? WEXITSTATUS(cmd->status)
					   : WTERMSIG(cmd->status));
}

/* A command still running after the window: SIGTERM was sent; give it
 * the grace, then SIGKILL its group, and reap it. */
static int
command_finish(struct snapctx *x, int took, struct failure *f)
{
	struct command *cmd = x->priv;
	struct pollfd p = { .events = POLLIN };
	int64_t end = mono_ms() + KILL_GRACE_MS;

	(void)took;
	(void)f;
	if (cmd == NULL)
		return MQ_OK;
	p.fd = cmd->pidfd;
	while (!reaped(cmd) && mono_ms() < end)
		wait_until(&p, cmd->pidfd >= 0 ? 1 : 0, cmd->pidfd >= 0 ? end :
			   mono_ms() + 50);
	if (cmd->pid > 0) {
		signal_group(cmd, SIGKILL);
		(void)child_reap(cmd->pid, NO_DEADLINE, &cmd->status);
		cmd->pid = 0;
	}
	if (cmd->pidfd >= 0)
		close(cmd->pidfd);
	free(cmd);
	x->priv = NULL;
	return MQ_OK;
}

const struct backend backend_command = {
	.name = "command",
	.plan = command_plan,
	.prepare = command_prepare,
	.take = command_take,
	.finish = command_finish,
};
