/* bench-helper.c - load for make bench.
 *
 *   bench-helper writer SOCKET STOPFILE
 *	InnoDB inserts into bench.w, one at a time, until STOPFILE exists;
 *	then prints "count N max_ms X": the longest single insert, which
 *	is how long a writer was stalled.
 *   bench-helper idle SOCKET N
 *	opens N idle connections, prints "ready", waits for stdin to close.
 */
#define _GNU_SOURCE
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
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
	long n = 0;

	while (access(stop, F_OK) != 0) {
		t0 = now_ms();
		if (mysql_query(m, "INSERT INTO bench.w (v) VALUES (1)")) {
			fprintf(stderr, "bench-helper: insert: %s\n",
				mysql_error(m));
			return 1;
		}
		d = now_ms() - t0;
		if (d > max)
			max = d;
		n++;
	}
	printf("count %ld max_ms %.1f\n", n, max);
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

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "writer") == 0)
		return writer(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "idle") == 0)
		return idle(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: bench-helper writer SOCKET STOPFILE | "
		"idle SOCKET N\n");
	return 2;
}
