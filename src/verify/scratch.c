/* scratch.c - verify's throwaway server: a writable layer over the
 * snapshot (an overlay in a mount namespace of our own, or a full
 * copy), the server of the installed flavor started on it, and, on
 * every way out, the server stopped and the layer gone. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "db.h"
#include "event.h"
#include "idmap.h"
#include "util.h"
#include "verify.h"
#include "scratch.h"
#include "vbinlog.h"
#include "vcheck.h"
#include "vcopy.h"

/* A tool run to its end (our stderr, nothing else of ours); 0 if it
 * exited 0, else -1. */
static int
run_tool(char *const argv[])
{
	struct child ch = { .path = argv[0], .search = 1, .argv = argv,
			    .stdio = CHILD_NULL_STDIN };
	int st;

	if (child_start(&ch) == -1 ||
	    child_reap(ch.pid, NO_DEADLINE, &st) != 1)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* An overlay at dir over src, seen through an idmapped mount in v->tmp
 * as NAMElower (src's owner's files the server's user's there), its
 * upper (the server's user's) and work directories made in v->tmp as
 * NAMEupper, NAMEwork; no symlink on it is ever followed. 0, or -1 with
 * why. */
static int
overlay(struct verify *v, const char *src, const char *dir,
	const char *name, struct failure *f)
{
	char up[PATH_MAX + 32], wk[PATH_MAX + 32], lower[PATH_MAX + 32],
		opts[3 * PATH_MAX + 96];

	fmt(up, sizeof(up), "%s/%supper", v->tmp, name);
	fmt(wk, sizeof(wk), "%s/%swork", v->tmp, name);
	fmt(lower, sizeof(lower), "%s/%slower", v->tmp, name);
	if (mkdir(up, 0700) == -1 || mkdir(wk, 0700) == -1 ||
	    mkdir(lower, 0700) == -1 || mkdir(dir, 0700) == -1 ||
	    chown(up, v->as.uid, v->as.gid) == -1) {
		failf(f, MQ_FAIL, "cannot make the overlay's directories");
		return -1;
	}
	if (idmap_mount(src, lower, &v->as, f) == -1)
		return -1;
	if (*name == '\0')
		v->lmounted = 1;
	else
		v->blmounted = 1;
	if (strpbrk(lower, ",:") != NULL ||
	    fmt(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s",
		lower, up, wk) == -1 ||
	    mount("overlay", dir, "overlay", MS_NOSYMFOLLOW | MS_NOSUID |
		  MS_NODEV, opts) == -1) {
		failf(f, MQ_FAIL, "overlayfs cannot stack a writable layer on "
		    "%s with %s as scratch (%s); use --copy DIR for a full "
		    "copy, or --scratch on another filesystem", src, v->scratch,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* The binary logs' layer, when they are not in PATH: an overlay (or a
 * copy) of their directory; then our index naming them there. */
static int
binlog_layer(struct verify *v)
{
	struct failure lf;

	if (v->nbins == 0)
		return 0;
	if (v->bdir_is_data) {
		fmt(v->blayer, sizeof(v->blayer), "%s", v->data);
	} else {
		fmt(v->blayer, sizeof(v->blayer), "%s/binlog", v->tmp);
		if (v->copy ? verify_copy_tree(v, v->bdir, v->blayer, lf.why,
					sizeof(lf.why)) == -1 :
		    overlay(v, v->bdir, v->blayer, "b", &lf) == -1)
			return verify_cannot(v, "layer", !v->copy ? lf.why :
					     lf.why[0] ? lf.why : "the copy of "
					     "the binary logs failed");
		v->bmounted = !v->copy;
	}
	return verify_write_index(v);
}

/* The writable layer: an overlay in our own mount namespace, or a
 * full copy. */
int
verify_layer(struct verify *v)
{
	struct failure lf;

	if (runas_find(&v->as, v->user, &lf) == -1)
		return verify_cannot(v, "user", lf.why);
	/* ours, searchable by the server's user; what it writes goes in
	 * run/, its own */
	if (fmt(v->tmp, sizeof(v->tmp), "%s/mq-verify.XXXXXX",
		v->copy ? v->copy : v->scratch) == -1 || mkdtemp(v->tmp) == NULL)
		return verify_cannot(v, "layer", "cannot make a private temporary "
			      "directory");
	fmt(v->run, sizeof(v->run), "%s/run", v->tmp);
	if (chmod(v->tmp, 0711) == -1 || mkdir(v->run, 0700) == -1 ||
	    chown(v->run, v->as.uid, v->as.gid) == -1)
		return verify_cannot(v, "layer", "cannot make the server's own "
			      "directory in the scratch");
	if (runas_access(&v->as, v->run, W_OK | X_OK) == -1) {
		failf(&lf, MQ_FAIL, "the server's user %s cannot reach %s (%s: "
		    "a directory above it is closed to it): give %s a "
		    "directory it can reach, such as /var/tmp", v->as.name,
		    v->tmp, strerror(errno), v->copy ? "--copy" : "--scratch");
		return verify_cannot(v, "layer", lf.why);
	}
	fmt(v->data, sizeof(v->data), "%s/data", v->tmp);
	fmt(v->sock, sizeof(v->sock), "%s/sock", v->run);
	/* a socket's path holds 107 bytes: under a deep --scratch, a
	 * private directory of its own in /tmp */
	if (strlen(v->sock) > 100) {
		fmt(v->sockdir, sizeof(v->sockdir), "/tmp/mq-vs.XXXXXX");
		if (mkdtemp(v->sockdir) == NULL) {
			v->sockdir[0] = '\0';
			return verify_cannot(v, "layer", "cannot make a private "
				      "directory for the server's socket");
		}
		if (chown(v->sockdir, v->as.uid, v->as.gid) == -1)
			return verify_cannot(v, "layer", "cannot give the socket's "
				      "directory to the server's user");
		fmt(v->sock, sizeof(v->sock), "%s/sock", v->sockdir);
	}
	fmt(v->errlog, sizeof(v->errlog), "%s/error.log", v->run);
	if (v->copy) {
		if (verify_copy_tree(v, v->path, v->data, lf.why,
			      sizeof(lf.why)) == -1)
			return verify_cannot(v, "layer", lf.why[0] ? lf.why :
					     "the copy of the snapshot to "
					     "--copy's directory failed");
		verify_add(v, 1, "layer", "a full copy in %s", v->data);
		return binlog_layer(v);
	}
	/* our mounts stay ours and go with us */
	if (unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1) {
		failf(&lf, MQ_FAIL, "cannot make a private mount namespace "
		    "(%s): run as root", strerror(errno));
		return verify_cannot(v, "layer", lf.why);
	}
	if (overlay(v, v->path, v->data, "", &lf) == -1)
		return verify_cannot(v, "layer", lf.why);
	v->mounted = 1;
	verify_add(v, 1, "layer", "overlay on %s, writes in %s/upper (the "
	    "snapshot is not modified; no symlink in it is followed; its "
	    "owner's files are %s's there)", v->path, v->tmp, v->as.name);
	return binlog_layer(v);
}

/* The server binary for the snapshot's flavor: a MySQL or Percona
 * snapshot is recovered by mysqld only (a MariaDB server cannot read
 * MySQL 8's data dictionary), a MariaDB one by mariadbd (or the mysqld
 * of older MariaDB). */
static const char *
find_server(const struct verify *v, char *buf, size_t n)
{
	static const char *const maria[] = { "mariadbd", "mysqld" };
	static const char *const mysql[] = { "mysqld" };
	static const char *const dirs[] = { "/usr/sbin", "/usr/local/sbin",
					    "/usr/libexec", "/usr/bin" };
	int is_mysql = strcmp(v->flavor, "MySQL") == 0 ||
		       strcmp(v->flavor, "Percona") == 0;
	const char *const *names = is_mysql ? mysql : maria;
	size_t nn = is_mysql ? ARRAY_LEN(mysql) : ARRAY_LEN(maria);
	const char *path = getenv("PATH");
	size_t i, j;

	if (v->server != NULL)
		return access(v->server, X_OK) == 0 ? v->server : NULL;
	for (i = 0; i < nn; i++) {
		const char *p = path ? path : "";

		while (*p != '\0') {
			size_t len = strcspn(p, ":");

			if (fmt(buf, n, "%.*s/%s", (int)len, p, names[i]) == 0 &&
			    access(buf, X_OK) == 0)
				return buf;
			p += len + (p[len] == ':');
		}
		for (j = 0; j < ARRAY_LEN(dirs); j++)
			if (fmt(buf, n, "%s/%s", dirs[j], names[i]) == 0 &&
			    access(buf, X_OK) == 0)
				return buf;
	}
	return NULL;
}

/* The last ERROR lines of the server's log, for the report: a file in
 * the server's user's directory, so opened as anything it may have put
 * there (never through a symlink, never blocking, regular only, its
 * first 16 MiB). */
static void
error_lines(const struct verify *v, char *out, size_t n)
{
	char line[512];
	struct stat st;
	size_t seen = 0;
	FILE *f = NULL;
	int fd;

	out[0] = '\0';
	fd = open(v->errlog, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return;
	}
	while (seen < (16u << 20) && fgets(line, sizeof(line), f) != NULL) {
		seen += strlen(line);
		if (strstr(line, "ERROR") == NULL && strstr(line, "[ERROR]") == NULL)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (strlen(out) + strlen(line) + 3 >= n)
			out[0] = '\0'; /* keep the last ones */
		append(out, n, "%s%s", out[0] ? " | " : "", line);
	}
	fclose(f);
}

/* Start the server of the installed flavor on the layer; wait until it
 * answers, is gone, or the timeout. 0 answering, -1 otherwise. */
int
verify_start_server(struct verify *v, int64_t deadline)
{
	char bin[PATH_MAX], dd[PATH_MAX + 16], so[PATH_MAX + 16],
		el[PATH_MAX + 32], pf[PATH_MAX + 32], lb[PATH_MAX + 300],
		li[PATH_MAX + 64], base[256], sf[PATH_MAX + 40],
		td[PATH_MAX + 32], rl[300];
	char *argv[24], *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
				    NULL };
	struct server_config cfg;
	struct failure lf; /* not answering yet: tried again */
	const char *srv = find_server(v, bin, sizeof(bin));
	int k = 0;

	if (srv == NULL)
		return verify_cannot(v, "server", v->server ? "--server-binary is not "
			      "an executable" : "no mariadbd or mysqld found "
			      "(give --server-binary)");
	fmt(dd, sizeof(dd), "--datadir=%s", v->data);
	fmt(so, sizeof(so), "--socket=%s", v->sock);
	fmt(el, sizeof(el), "--log-error=%s", v->errlog);
	fmt(pf, sizeof(pf), "--pid-file=%s/pid", v->run);
	fmt(td, sizeof(td), "--tmpdir=%s", v->run);
	argv[k++] = (char *)srv;
	argv[k++] = "--no-defaults";
	argv[k++] = dd;
	argv[k++] = so;
	argv[k++] = el;
	argv[k++] = pf;
	argv[k++] = "--skip-networking";
	argv[k++] = "--skip-grant-tables";
	argv[k++] = "--skip-slave-start";
	/* the relay logs named as the snapshot's server named them, not
	 * after our pid file: its replication info files name them */
	if (v->relay_base[0] != '\0') {
		fmt(rl, sizeof(rl), "--relay-log=%s", v->relay_base);
		argv[k++] = rl;
	}
	argv[k++] = "--innodb-buffer-pool-size=64M";
	argv[k++] = td;
	/* nothing it reads or writes outside the scratch: no file import
	 * or export elsewhere */
	fmt(sf, sizeof(sf), "--secure-file-priv=%s", v->run);
	argv[k++] = sf;
	if (v->nbins > 0) {
		/* the snapshot's own binary logs, through the index we wrote
		 * (never the one it carries, which may name the live server's
		 * files), so that its GTID state is read back from them */
		fmt(base, sizeof(base), "%.*s", (int)(strrchr(v->file, '.') -
		    v->file), v->file);
		fmt(lb, sizeof(lb), "--log-bin=%s/%s", v->blayer, base);
		fmt(li, sizeof(li), "--log-bin-index=%s", v->bindex);
		argv[k++] = lb;
		argv[k++] = li;
		argv[k++] = "--server-id=4242";
	}
	argv[k] = NULL;
	/* as the server's user from its first instruction; stop signals
	 * are blocked here (a signalfd), not in the server */
	if ((v->pid = runas_spawn(&v->as, srv, argv, envp)) == -1) {
		v->pid = 0;
		return verify_cannot(v, "server", strerror(errno));
	}
	config_server_defaults(&cfg);
	fmt(cfg.mysql_socket, sizeof(cfg.mysql_socket), "%s", v->sock);
	fmt(cfg.mysql_user, sizeof(cfg.mysql_user), "root");
	for (;;) {
		char errs[2048];
		int st;

		if (child_reap(v->pid, 0, &st) == 1) {
			v->pid = 0;
			error_lines(v, errs, sizeof(errs));
			verify_add(v, 0, "recovery", "%s did not start or recover: %s",
			    srv, errs[0] ? errs : "(no ERROR line in its log)");
			return -1;
		}
		/* a short connect, retried: a stop signal is read between
		 * tries, never after a minute's wait for a greeting */
		if (access(v->sock, F_OK) == 0 &&
		    db_connect(&v->d, &cfg, 2, &lf) == MQ_OK)
			break;
		if (mono_ms() >= deadline)
			return verify_cannot(v, "recovery", "the server did not answer "
				      "within --timeout");
		{
			struct pollfd p = { .fd = v->sigfd, .events = POLLIN };

			if (wait_until(&p, 1, mono_ms() + 200) != 0) {
				v->aborted = 1;
				return verify_cannot(v, "recovery", "stopped by a "
					      "signal");
			}
		}
	}
	if (v->flavor[0] != '\0' &&
	    strncmp(db_flavor_name(v->d.flavor), v->flavor,
		    strlen(v->flavor)) != 0) {
		char why[300];

		fmt(why, sizeof(why), "the snapshot is %s's, %s is %s's: give "
		    "--server-binary of a %s server", v->flavor, srv,
		    db_flavor_name(v->d.flavor), v->flavor);
		return verify_cannot(v, "server", why);
	}
	verify_add(v, 1, "recovery", "%s %s started and recovered", srv,
	    v->d.version_str);
	return 0;
}

static void
stop_server(struct verify *v)
{
	struct failure lf; /* refused: SIGTERM instead */
	int64_t end;
	int r;

	if (v->pid <= 0)
		return;
	/* Stopped by a signal: at once, SIGKILL, since everything it wrote
	 * is the scratch layer's, removed next (a SIGTERM that reaches a
	 * starting server before its handler can be lost: once, t0910
	 * waited out the whole shutdown bound). Else SHUTDOWN through the
	 * connection, or SIGTERM each second (still recovering): the
	 * server's own clean shutdown, bounded. */
	if (v->aborted)
		kill(v->pid, SIGKILL);
	else if (v->d.m == NULL || db_exec(&v->d, "SHUTDOWN", &lf) == -1)
		kill(v->pid, SIGTERM);
	db_close(&v->d);
	end = mono_ms() + SHUTDOWN_WAIT_MS;
	while ((r = child_reap(v->pid, mono_ms() + 1000 < end ?
			       mono_ms() + 1000 : end, NULL)) == 0 &&
	       mono_ms() < end)
		kill(v->pid, SIGTERM);
	if (r != 1) {
		kill(v->pid, SIGKILL);
		(void)child_reap(v->pid, NO_DEADLINE, NULL);
	}
	v->pid = 0;
}

static int
lower_umount(const struct verify *v, const char *name)
{
	char lower[PATH_MAX + 32];

	fmt(lower, sizeof(lower), "%s/%slower", v->tmp, name);
	return umount2(lower, MNT_DETACH);
}

void
verify_cleanup(struct verify *v)
{
	stop_server(v);
	if (v->bmounted && umount2(v->blayer, MNT_DETACH) == 0)
		v->bmounted = 0;
	if (v->mounted && umount2(v->data, MNT_DETACH) == 0)
		v->mounted = 0;
	/* the mapped views under the overlays, before anything is removed:
	 * rm never walks into the snapshot */
	if (v->blmounted && lower_umount(v, "b") == 0)
		v->blmounted = 0;
	if (v->lmounted && lower_umount(v, "") == 0)
		v->lmounted = 0;
	if (v->mounted || v->bmounted || v->lmounted || v->blmounted)
		return;
	if (v->tmp[0] != '\0' && !v->keep) {
		char *argv[] = { "rm", "-rf", "--", v->tmp,
				 v->sockdir[0] ? v->sockdir : NULL, NULL };

		(void)run_tool(argv); /* best effort: nothing else to do on the way out */
	}
}
