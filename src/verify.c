/* verify.c - prove a restored snapshot: recovery in a throwaway server
 * over a writable layer (the snapshot untouched), then the recorded
 * coordinates checked against what recovered. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db.h"
#include "event.h"
#include "util.h"
#include "verbs.h"

/*
 * MUST: PATH is never written: the server runs on an overlay whose
 * upper layer is in a private temporary directory, mounted in a mount
 * namespace of our own (or on a full copy, with --copy); whatever path
 * we leave by, the server is stopped and the overlay unmounted.
 */

enum { MAX_CHECKS = 32, SHUTDOWN_WAIT_MS = 60000 };

struct vcheck {
	char name[24];
	int ok;
	char detail[600];
};

struct verify {
	const char *path, *info, *server, *copy, *scratch;
	int json, keep, full;
	long long timeout;
	char tmp[PATH_MAX], data[PATH_MAX], sock[PATH_MAX + 8];
	char errlog[PATH_MAX + 16], infopath[PATH_MAX];
	int mounted;
	pid_t pid;
	struct db d;
	/* the info file's keys */
	char flavor[32], file[256], gtid[4096], gtid_kind[32], slave_pos[4096];
	unsigned long long pos;
	int has_info, nchan;
	struct vcheck c[MAX_CHECKS];
	int n, unverified;
};

static const char usage_line[] =
	"usage: mysql-quiesce verify PATH [--info FILE] [--json] [--full] "
	"[--timeout SECONDS]\n"
	"                            [--keep] [--copy DIR] [--scratch DIR] "
	"[--server-binary FILE]";

static void add(struct verify *v, int ok, const char *name, const char *f,
		...) __attribute__((format(printf, 4, 5)));

static void
add(struct verify *v, int ok, const char *name, const char *f, ...)
{
	struct vcheck *c;
	va_list ap;

	if (v->n == MAX_CHECKS)
		return;
	c = &v->c[v->n++];
	c->ok = ok;
	fmt(c->name, sizeof(c->name), "%s", name);
	va_start(ap, f);
	vsnprintf(c->detail, sizeof(c->detail), f, ap);
	va_end(ap);
}

/* Could not verify (not a finding about the snapshot). */
static int
cannot(struct verify *v, const char *name, const char *why)
{
	add(v, 0, name, "%s", why);
	v->unverified = 1;
	return -1;
}

static int
parse(struct verify *v, int argc, char **argv)
{
	int i;

	v->timeout = 600;
	v->scratch = "/var/tmp";
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;

		if (strcmp(a, "--json") == 0)
			v->json = 1;
		else if (strcmp(a, "--keep") == 0)
			v->keep = 1;
		else if (strcmp(a, "--full") == 0)
			v->full = 1;
		else if (strcmp(a, "--info") == 0 && more)
			v->info = argv[++i];
		else if (strcmp(a, "--copy") == 0 && more)
			v->copy = argv[++i];
		else if (strcmp(a, "--scratch") == 0 && more)
			v->scratch = argv[++i];
		else if (strcmp(a, "--server-binary") == 0 && more)
			v->server = argv[++i];
		else if (strcmp(a, "--timeout") == 0 && more) {
			if (parse_num(argv[++i], 1, 86400, &v->timeout) == -1) {
				fprintf(stderr, "mysql-quiesce verify: --timeout "
					"\"%.40s\": not a whole number of seconds "
					"from 1 to 86400\n%s\n", argv[i], usage_line);
				return -1;
			}
		} else if (a[0] != '-' && v->path == NULL)
			v->path = a;
		else {
			fprintf(stderr, "mysql-quiesce verify: unknown option or "
				"extra argument %s\n%s\n", a, usage_line);
			return -1;
		}
	}
	if (v->path == NULL) {
		fprintf(stderr, "mysql-quiesce verify: no PATH given\n%s\n",
			usage_line);
		return -1;
	}
	return 0;
}

/* The info file's "key = value" lines. */
static void
read_info(struct verify *v)
{
	char line[8192];
	FILE *f;

	if (fmt(v->infopath, sizeof(v->infopath), "%s", v->info ? v->info :
		"") == -1 || (v->info == NULL &&
		fmt(v->infopath, sizeof(v->infopath), "%s/binlog_info.txt",
		    v->path) == -1)) {
		add(v, 0, "info", "info file path too long");
		return;
	}
	if ((f = fopen(v->infopath, "re")) == NULL) {
		add(v, 0, "info", "%s: %s: the snapshot does not carry its "
		    "coordinates", v->infopath, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *eq = strstr(line, " = ");
		const char *k = line, *val;

		if (line[0] == '#' || eq == NULL)
			continue;
		*eq = '\0';
		val = eq + 3;
		line[strcspn(line, "\n")] = '\0';
		eq[3 + strcspn(eq + 3, "\n")] = '\0';
		if (strcmp(k, "binlog_file") == 0)
			fmt(v->file, sizeof(v->file), "%s", val);
		else if (strcmp(k, "binlog_pos") == 0)
			v->pos = strtoull(val, NULL, 10), v->has_info |= 1;
		else if (strcmp(k, "gtid_binlog_pos") == 0 ||
			 strcmp(k, "gtid_executed") == 0) {
			fmt(v->gtid, sizeof(v->gtid), "%s", val);
			fmt(v->gtid_kind, sizeof(v->gtid_kind), "%s", k);
			v->has_info |= 2;
		} else if (strcmp(k, "replica_channels") == 0)
			v->nchan = atoi(val);
		else if (strcmp(k, "replica_gtid_slave_pos") == 0)
			fmt(v->slave_pos, sizeof(v->slave_pos), "%s", val);
		else if (strcmp(k, "server") == 0)
			fmt(v->flavor, sizeof(v->flavor), "%.*s",
			    (int)strcspn(val, " "), val);
	}
	fclose(f);
	if (v->has_info != 3) {
		add(v, 0, "info", "%s: no binlog_pos or GTID line: not an info "
		    "file of mysql-quiesce", v->infopath);
		v->has_info = 0;
		return;
	}
	add(v, 1, "info", "%s: %s:%llu, %s %s", v->infopath,
	    v->file[0] ? v->file : "(binlog off)", v->pos, v->gtid_kind,
	    v->gtid[0] ? v->gtid : "(empty)");
}

/* The binary log in the snapshot is exactly the recorded size. */
static void
check_binlog(struct verify *v)
{
	char p[PATH_MAX];
	struct stat st;

	if (!v->has_info)
		return;
	if (v->file[0] == '\0') {
		add(v, 1, "binlog", "binary logging was off: no position to "
		    "check");
		return;
	}
	if (strchr(v->file, '/') != NULL ||
	    fmt(p, sizeof(p), "%s/%s", v->path, v->file) == -1 ||
	    stat(p, &st) == -1) {
		add(v, 0, "binlog", "%s is not in the snapshot: the position "
		    "cannot hold", v->file);
		return;
	}
	if ((unsigned long long)st.st_size == v->pos)
		add(v, 1, "binlog", "%s is %lld bytes, the recorded position: "
		    "nothing after the lock, nothing missing", v->file,
		    (long long)st.st_size);
	else
		add(v, 0, "binlog", "%s is %lld bytes, recorded position %llu "
		    "(%s %lld bytes)", v->file, (long long)st.st_size, v->pos,
		    (unsigned long long)st.st_size > v->pos ? "written after the "
		    "lock:" : "missing:", (long long)st.st_size > (long long)v->pos
		    ? (long long)st.st_size - (long long)v->pos
		    : (long long)v->pos - (long long)st.st_size);
}

/* The writable layer: an overlay in our own mount namespace, or a
 * full copy. */
static int
layer(struct verify *v)
{
	char up[PATH_MAX + 8], wk[PATH_MAX + 8], opts[3 * PATH_MAX + 64];

	if (fmt(v->tmp, sizeof(v->tmp), "%s/mq-verify.XXXXXX",
		v->copy ? v->copy : v->scratch) == -1 || mkdtemp(v->tmp) == NULL)
		return cannot(v, "layer", "cannot make a private temporary "
			      "directory");
	fmt(v->data, sizeof(v->data), "%s/data", v->tmp);
	fmt(v->sock, sizeof(v->sock), "%s/sock", v->tmp);
	fmt(v->errlog, sizeof(v->errlog), "%s/error.log", v->tmp);
	if (v->copy) {
		char *argv[] = { "cp", "-a", "--", (char *)v->path, v->data,
				 NULL };
		int st;
		pid_t p;

		if (posix_spawnp(&p, "cp", NULL, NULL, argv, environ) != 0 ||
		    waitpid(p, &st, 0) != p || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			return cannot(v, "layer", "cp -a of the snapshot to "
				      "--copy's directory failed");
		add(v, 1, "layer", "a full copy in %s", v->data);
		return 0;
	}
	fmt(up, sizeof(up), "%s/upper", v->tmp);
	fmt(wk, sizeof(wk), "%s/work", v->tmp);
	if (mkdir(up, 0700) == -1 || mkdir(wk, 0700) == -1 ||
	    mkdir(v->data, 0700) == -1)
		return cannot(v, "layer", "cannot make the overlay's "
			      "directories");
	/* our mounts stay ours and go with us */
	if (unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1) {
		char why[256];

		fmt(why, sizeof(why), "cannot make a private mount namespace "
		    "(%s): run as root", strerror(errno));
		return cannot(v, "layer", why);
	}
	if (strpbrk(v->path, ",:") != NULL ||
	    fmt(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s",
		v->path, up, wk) == -1 ||
	    mount("overlay", v->data, "overlay", 0, opts) == -1) {
		char why[512];

		fmt(why, sizeof(why), "overlayfs cannot stack a writable layer "
		    "on %s with %s as scratch (%s); use --copy DIR for a full "
		    "copy, or --scratch on another filesystem", v->path,
		    v->scratch, strerror(errno));
		return cannot(v, "layer", why);
	}
	v->mounted = 1;
	add(v, 1, "layer", "overlay on %s, writes in %s (the snapshot is "
	    "not modified)", v->path, up);
	return 0;
}

static const char *
find_server(const struct verify *v, char *buf, size_t n)
{
	static const char *const names[] = { "mariadbd", "mysqld" };
	static const char *const dirs[] = { "/usr/sbin", "/usr/local/sbin",
					    "/usr/libexec", "/usr/bin" };
	const char *path = getenv("PATH");
	size_t i, j;

	if (v->server != NULL)
		return access(v->server, X_OK) == 0 ? v->server : NULL;
	for (i = 0; i < ARRAY_LEN(names); i++) {
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

/* The last ERROR lines of the server's log, for the report. */
static void
error_lines(const struct verify *v, char *out, size_t n)
{
	char line[512];
	FILE *f = fopen(v->errlog, "re");

	out[0] = '\0';
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
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
static int
start_server(struct verify *v, int64_t deadline)
{
	char bin[PATH_MAX], dd[PATH_MAX + 16], so[PATH_MAX + 16],
		el[PATH_MAX + 32], pf[PATH_MAX + 32], lb[300], base[256];
	char *argv[24], *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
				    NULL };
	posix_spawn_file_actions_t fa;
	struct config cfg;
	const char *srv = find_server(v, bin, sizeof(bin));
	int k = 0, e;

	if (srv == NULL)
		return cannot(v, "server", v->server ? "--server-binary is not "
			      "an executable" : "no mariadbd or mysqld found "
			      "(give --server-binary)");
	fmt(dd, sizeof(dd), "--datadir=%s", v->data);
	fmt(so, sizeof(so), "--socket=%s", v->sock);
	fmt(el, sizeof(el), "--log-error=%s", v->errlog);
	fmt(pf, sizeof(pf), "--pid-file=%s/pid", v->tmp);
	argv[k++] = (char *)srv;
	argv[k++] = "--no-defaults";
	argv[k++] = dd;
	argv[k++] = so;
	argv[k++] = el;
	argv[k++] = pf;
	argv[k++] = "--skip-networking";
	argv[k++] = "--skip-grant-tables";
	argv[k++] = "--skip-slave-start";
	argv[k++] = "--innodb-buffer-pool-size=64M";
	argv[k++] = "--user=root";
	if (v->file[0] != '\0') {
		/* the snapshot's own binary log, so that its GTID state is
		 * read back: mysql-bin.000001 -> mysql-bin */
		fmt(base, sizeof(base), "%s", v->file);
		if (strrchr(base, '.') != NULL)
			*strrchr(base, '.') = '\0';
		fmt(lb, sizeof(lb), "--log-bin=%s", base);
		argv[k++] = lb;
		argv[k++] = "--server-id=4242";
	}
	argv[k] = NULL;
	if ((e = posix_spawn_file_actions_init(&fa)) != 0 ||
	    (e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR,
						  0)) != 0 ||
	    (e = posix_spawn_file_actions_adddup2(&fa, 0, 1)) != 0 ||
	    (e = posix_spawn_file_actions_adddup2(&fa, 0, 2)) != 0 ||
	    (e = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) != 0 ||
	    (e = posix_spawn(&v->pid, srv, &fa, NULL, argv, envp)) != 0) {
		v->pid = 0;
		return cannot(v, "server", strerror(e));
	}
	posix_spawn_file_actions_destroy(&fa);
	config_defaults(&cfg);
	fmt(cfg.mysql_socket, sizeof(cfg.mysql_socket), "%s", v->sock);
	fmt(cfg.mysql_user, sizeof(cfg.mysql_user), "root");
	for (;;) {
		char errs[2048];
		int st;

		if (waitpid(v->pid, &st, WNOHANG) == v->pid) {
			v->pid = 0;
			error_lines(v, errs, sizeof(errs));
			add(v, 0, "recovery", "%s did not start or recover: %s",
			    srv, errs[0] ? errs : "(no ERROR line in its log)");
			return -1;
		}
		if (access(v->sock, F_OK) == 0 &&
		    db_connect(&v->d, &cfg, 60) == MQ_OK)
			break;
		if (mono_ms() >= deadline)
			return cannot(v, "recovery", "the server did not answer "
				      "within --timeout");
		wait_until(NULL, 0, mono_ms() + 200);
	}
	add(v, 1, "recovery", "%s %s started and recovered", srv,
	    v->d.version_str);
	return 0;
}

static const char *
one(struct db *d, const char *sql, char *buf, size_t n)
{
	MYSQL_RES *r = db_query(d, sql);
	MYSQL_ROW row;

	buf[0] = '\0';
	if (r == NULL)
		return NULL;
	if ((row = mysql_fetch_row(r)) != NULL && row[0] != NULL)
		fmt(buf, n, "%s", row[0]);
	mysql_free_result(r);
	return buf;
}

/* GTID sets as the same text: no blanks, no newlines. */
static void
squeeze(char *s)
{
	char *w = s;

	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\n' && *s != '\t' && *s != '\r')
			*w++ = *s;
	*w = '\0';
}

/* Check NAME: the recovered @@VAR equals the recorded GTID set. */
static void
same_gtid(struct verify *v, const char *name, const char *var,
	  const char *recorded)
{
	char got[8192], want[4096], sql[64];

	fmt(sql, sizeof(sql), "SELECT @@GLOBAL.%s", var);
	if (one(&v->d, sql, got, sizeof(got)) == NULL) {
		cannot(v, name, v->d.err);
		return;
	}
	fmt(want, sizeof(want), "%s", recorded);
	squeeze(got);
	squeeze(want);
	add(v, strcmp(got, want) == 0, name, "recovered @@%s \"%s\", recorded "
	    "\"%s\"", var, got, want);
}

static void
check_gtid(struct verify *v)
{
	if (v->has_info)
		same_gtid(v, "gtid", v->d.flavor == FL_MARIADB ?
			  "gtid_binlog_pos" : "gtid_executed", v->gtid);
}

static void
check_replica(struct verify *v)
{
	if (v->nchan <= 0)
		return;
	if (v->d.flavor != FL_MARIADB || v->slave_pos[0] == '\0')
		add(v, 1, "replica", "%d channel%s recorded with the executed "
		    "source position", v->nchan, v->nchan == 1 ? "" : "s");
	else
		same_gtid(v, "replica", "gtid_slave_pos", v->slave_pos);
}

/* CHECK TABLE on every non-transactional table (--full: every table). */
static void
check_tables(struct verify *v)
{
	char list[4096] = "", sql[1024];
	MYSQL_RES *r, *cr;
	MYSQL_ROW row, crow;
	int n = 0, bad = 0;

	fmt(sql, sizeof(sql), "SELECT CONCAT('`', REPLACE(t.TABLE_SCHEMA, '`', "
	    "'``'), '`.`', REPLACE(t.TABLE_NAME, '`', '``'), '`') FROM "
	    "information_schema.TABLES t JOIN information_schema.ENGINES e "
	    "ON e.ENGINE = t.ENGINE WHERE t.TABLE_TYPE = 'BASE TABLE' AND "
	    "t.TABLE_SCHEMA NOT IN ('information_schema', "
	    "'performance_schema', 'sys')%s",
	    v->full ? "" : " AND e.TRANSACTIONS = 'NO'");
	if ((r = db_query(&v->d, sql)) == NULL) {
		cannot(v, "tables", v->d.err);
		return;
	}
	while ((row = mysql_fetch_row(r)) != NULL) {
		const char *verdict = "";

		fmt(sql, sizeof(sql), "CHECK TABLE %s", row[0]);
		if ((cr = db_query(&v->d, sql)) == NULL) {
			append(list, sizeof(list), "%s%s (%s)", bad ? ", " : "",
			       row[0], v->d.err);
			bad++;
			continue;
		}
		n++;
		while ((crow = mysql_fetch_row(cr)) != NULL)
			if (crow[2] != NULL && crow[3] != NULL &&
			    (strcmp(crow[2], "error") == 0 ||
			     (strcmp(crow[2], "status") == 0 &&
			      strcmp(crow[3], "OK") != 0 &&
			      strcmp(crow[3], "Table is already up to date") != 0)))
				verdict = crow[3];
		if (verdict[0] != '\0') {
			append(list, sizeof(list), "%s%s: %s", bad ? ", " : "",
			       row[0], verdict);
			bad++;
		}
		mysql_free_result(cr);
	}
	mysql_free_result(r);
	if (bad)
		add(v, 0, "tables", "CHECK TABLE failed on %d of %d %stables: %s",
		    bad, n, v->full ? "" : "non-transactional ", list);
	else
		add(v, 1, "tables", "CHECK TABLE clean on %d %stables", n,
		    v->full ? "" : "non-transactional ");
}

static void
stop_server(struct verify *v)
{
	int pfd;

	if (v->pid <= 0)
		return;
	if (v->d.m != NULL)
		(void)db_exec(&v->d, "SHUTDOWN");
	db_close(&v->d);
	pfd = pidfd_open(v->pid, 0);
	if (pfd >= 0) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };

		if (wait_until(&p, 1, mono_ms() + SHUTDOWN_WAIT_MS) <= 0)
			kill(v->pid, SIGKILL);
		close(pfd);
	} else {
		kill(v->pid, SIGKILL);
	}
	while (waitpid(v->pid, NULL, 0) == -1 && errno == EINTR)
		;
	v->pid = 0;
}

static void
cleanup(struct verify *v)
{
	stop_server(v);
	if (v->mounted && umount2(v->data, MNT_DETACH) == 0)
		v->mounted = 0;
	if (v->tmp[0] != '\0' && !v->keep) {
		char *argv[] = { "rm", "-rf", "--", v->tmp, NULL };
		pid_t p;

		if (posix_spawnp(&p, "rm", NULL, NULL, argv, environ) == 0)
			while (waitpid(p, NULL, 0) == -1 && errno == EINTR)
				;
	}
}

static int
report(const struct verify *v)
{
	int i, bad = 0;

	for (i = 0; i < v->n; i++)
		bad += !v->c[i].ok;
	if (v->json) {
		printf("{");
		json_field("path", v->path, ",");
		printf("\"consistent\":%s,\"verified\":%s,\"checks\":[",
		       bad ? "false" : "true", v->unverified ? "false" : "true");
		for (i = 0; i < v->n; i++) {
			printf("{");
			json_field("check", v->c[i].name, ",");
			printf("\"ok\":%s,", v->c[i].ok ? "true" : "false");
			json_field("detail", v->c[i].detail, i + 1 < v->n ?
				   "}," : "}");
		}
		printf("]");
		if (v->keep) {
			printf(",");
			json_field("kept", v->tmp, "");
		}
		printf("}\n");
	} else {
		for (i = 0; i < v->n; i++)
			printf("%-6s%-9s %s\n", v->c[i].ok ? "ok" : "FAIL",
			       v->c[i].name, v->c[i].detail);
		if (v->keep)
			printf("kept: %s (the writable layer and the server's "
			       "error log)\n", v->tmp);
		printf("%s\n", v->unverified ? "COULD NOT VERIFY" : bad ?
		       "NOT CONSISTENT" : "consistent");
	}
	return v->unverified ? MQ_UNVERIFIED : bad ? MQ_INCONSISTENT : MQ_OK;
}

int
verify_main(int argc, char **argv)
{
	static struct verify v;
	struct stat st;
	int64_t deadline;

	if (parse(&v, argc, argv) == -1)
		return MQ_USAGE;
	deadline = mono_ms() + v.timeout * 1000;
	if (stat(v.path, &st) == -1 || !S_ISDIR(st.st_mode)) {
		cannot(&v, "path", "PATH is not a directory");
		return report(&v);
	}
	read_info(&v);
	check_binlog(&v);
	if (layer(&v) == 0 && start_server(&v, deadline) == 0) {
		check_gtid(&v);
		check_replica(&v);
		check_tables(&v);
	}
	cleanup(&v);
	return report(&v);
}
