/*
 * ptrace-stop PID SECONDS - hold a process still the way a hung one is:
 * stopped under ptrace, where SIGTERM and SIGCONT cannot move it (only
 * SIGKILL can). Prints "stopped" once it is, then keeps it so until it
 * dies or SECONDS pass; on exit the kernel lets it run again.
 * For the fault tests: a holder that does not answer SIGTERM.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	pid_t pid;
	int st;

	if (argc != 3 || (pid = (pid_t)atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: ptrace-stop PID SECONDS\n");
		return 2;
	}
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) == -1 ||
	    ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) == -1) {
		perror("ptrace-stop: ptrace");
		return 1;
	}
	if (waitpid(pid, &st, __WALL) == -1) {
		perror("ptrace-stop: waitpid");
		return 1;
	}
	printf("stopped\n");
	fflush(stdout);
	alarm((unsigned)atoi(argv[2]));
	/* Every signal sent to it now stops it again; never resume it. */
	while (waitpid(pid, &st, __WALL) != -1)
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return 0;
	return 0;
}
