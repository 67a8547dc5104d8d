/* bench-helper.c - load for make bench.
 *
 *   bench-helper writer SOCKET STOPFILE
 *	InnoDB inserts into bench.w, one at a time, until STOPFILE exists;
 *	then prints "count N max_ms X end_us T": the longest single
 *	insert, which is how long a writer was stalled, and when it ended
 *	(CLOCK_MONOTONIC microseconds).
 *   bench-helper exec FILE COMMAND [ARG...]
 *	writes CLOCK_MONOTONIC microseconds to FILE, then execs COMMAND:
 *	where its exec began.
 *   bench-helper idle SOCKET N
 *	opens N idle connections, prints "ready", waits for stdin to close.
 *   bench-helper seq SOCKET HOLD_MS TAKE... -- RELEASE...
 *	runs each TAKE statement, printing "ms MS STATEMENT" for each,
 *	holds HOLD_MS, runs each RELEASE ("release MS STATEMENT"), then
 *	prints "held MS": from the end of the last TAKE to the end of the
 *	last RELEASE. A TAKE of "syncfs PATH" is no statement: it
 *	syncs the filesystem holding PATH (syncfs(2)), timed the same way.
 *   bench-helper time SOCKET N STATEMENT
 *	runs STATEMENT (its result read and freed) N times; prints the
 *	median milliseconds.
 *   bench-helper cpu COMMAND [ARG...]
 *	runs COMMAND and waits for it; prints the milliseconds of CPU
 *	time (user + system) it and every descendant it waited for used
 *	(wait4's rusage). Exits as COMMAND did.
 */
#define _GNU_SOURCE
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static long long
now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static int
exec_timed(const char *file, char **argv)
{
	FILE *f = fopen(file, "w");

	if (f == NULL || fprintf(f, "%lld\n", now_us()) < 0 || fclose(f)) {
		perror(file);
		return 1;
	}
	execvp(argv[0], argv);
	perror(argv[0]);
	return 127;
}

static int
cpu_timed(char **argv)
{
	struct rusage ru;
	double cpu;
	pid_t pid = fork();
	int st;

	if (pid == -1) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) != pid) {
		perror("wait4");
		return 1;
	}
	cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	      (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	printf("%.1f\n", cpu);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static MYSQL *
conn(const char *sock)
{
	MYSQL *m = mysql_init(NULL);

	if (m == NULL || !mysql_real_connect(m, NULL, "root", NULL, NULL, 0,
					     sock, 0)) {
		fprintf(stderr, "bench-helper: connect %s: %s\n", sock,
			m ? mysql_error(m) : "out of memory");
		exit(1);
	}
	return m;
}

static int
writer(const char *sock, const char *stop)
{
	MYSQL *m = conn(sock);
	double max = 0, t0, d;
	long long end = 0;
	long n = 0;

	while (access(stop, F_OK) != 0) {
		t0 = now_ms();
		if (mysql_query(m, "INSERT INTO bench.w (v) VALUES (1)")) {
			fprintf(stderr, "bench-helper: insert: %s\n",
				mysql_error(m));
			return 1;
		}
		d = now_ms() - t0;
		if (d > max) {
			max = d;
			end = now_us();
		}
		n++;
	}
	printf("count %ld max_ms %.1f end_us %lld\n", n, max, end);
	mysql_close(m);
	return 0;
}

static int
idle(const char *sock, int n)
{
	MYSQL **ms = calloc((size_t)n, sizeof(*ms));
	char buf[64];
	int i;

	if (ms == NULL)
		return 1;
	for (i = 0; i < n; i++)
		ms[i] = conn(sock);
	printf("ready\n");
	fflush(stdout);
	while (fread(buf, 1, sizeof(buf), stdin) > 0)
		;
	for (i = 0; i < n; i++)
		mysql_close(ms[i]);
	free(ms);
	return 0;
}

static int
run(MYSQL *m, const char *sql)
{
	MYSQL_RES *r;

	if (mysql_query(m, sql)) {
		fprintf(stderr, "bench-helper: %s: %s\n", sql, mysql_error(m));
		return -1;
	}
	if ((r = mysql_store_result(m)) != NULL)
		mysql_free_result(r);
	return 0;
}

static int
seq(const char *sock, int hold_ms, int n, char **stmts)
{
	MYSQL *m = conn(sock);
	struct timespec nap = { hold_ms / 1000, (hold_ms % 1000) * 1000000L };
	double t0, locked = 0;
	int i, releasing = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(stmts[i], "--") == 0) {
			nanosleep(&nap, NULL);
			releasing = 1;
			continue;
		}
		t0 = now_ms();
		if (strncmp(stmts[i], "syncfs ", 7) == 0) {
			int fd = open(stmts[i] + 7, O_RDONLY | O_DIRECTORY);

			if (fd == -1 || syncfs(fd) == -1) {
				perror(stmts[i]);
				return 1;
			}
			close(fd);
		} else if (run(m, stmts[i]) == -1) {
			return 1;
		}
		if (!releasing) {
			locked = now_ms();
			printf("ms %.1f %s\n", locked - t0, stmts[i]);
		} else {
			printf("release %.1f %s\n", now_ms() - t0, stmts[i]);
		}
	}
	printf("held %.1f\n", now_ms() - locked);
	mysql_close(m);
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
timed(const char *sock, int n, const char *sql)
{
	MYSQL *m = conn(sock);
	double *d = calloc((size_t)n, sizeof(*d)), t0;
	int i;

	if (d == NULL || n < 1) {
		free(d);
		return 1;
	}
	for (i = 0; i < n; i++) {
		t0 = now_ms();
		if (run(m, sql) == -1) {
			free(d);
			return 1;
		}
		d[i] = now_ms() - t0;
	}
	qsort(d, (size_t)n, sizeof(*d), cmp_double);
	printf("%.2f\n", d[n / 2]);
	free(d);
	mysql_close(m);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "writer") == 0)
		return writer(argv[2], argv[3]);
	if (argc >= 4 && strcmp(argv[1], "exec") == 0)
		return exec_timed(argv[2], argv + 3);
	if (argc == 4 && strcmp(argv[1], "idle") == 0)
		return idle(argv[2], atoi(argv[3]));
	if (argc >= 5 && strcmp(argv[1], "seq") == 0)
		return seq(argv[2], atoi(argv[3]), argc - 4, argv + 4);
	if (argc == 5 && strcmp(argv[1], "time") == 0)
		return timed(argv[2], atoi(argv[3]), argv[4]);
	if (argc >= 3 && strcmp(argv[1], "cpu") == 0)
		return cpu_timed(argv + 2);
	fprintf(stderr, "usage: bench-helper writer SOCKET STOPFILE | "
		"exec FILE COMMAND [ARG...] | "
		"idle SOCKET N | seq SOCKET HOLD_MS TAKE... -- RELEASE... | "
		"time SOCKET N STATEMENT | cpu COMMAND [ARG...]\n");
	return 2;
}
