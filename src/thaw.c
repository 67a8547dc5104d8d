/* thaw.c - post-thaw-script: release the lock, say how long it held. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "freeze.h"
#include "holder.h"
#include "log.h"
#include "state.h"
#include "util.h"

/* How long thaw waits for a running freeze to finish first. */
static unsigned
run_lock_wait(const struct config *c)
{
	return (unsigned)(c->lock_snapshot_timeout + c->lock_wait_timeout + 30);
}

static int
lost(const struct state *s)
{
	log_err("the lock was lost before thaw: %s; the snapshot may not match "
		"the recorded coordinates (binlog %s:%llu)", s->reason,
		s->binlog_file[0] ? s->binlog_file : "-", s->binlog_pos);
	return MQ_LOST;
}

int
thaw_main(const struct config *c, int freeze_failed)
{
	struct state s;
	char err[600];
	int dirfd, runlock, r;

	log_init(c->files_log_file, "thaw");
	if (freeze_failed)
		log_info("freezeFail: the snapshot was not taken; releasing");
	dirfd = rundir_open(c->files_run_dir, 0, err, sizeof(err));
	if (dirfd == -2) {
		log_info("nothing to release: no freeze has run (%s missing)",
			 c->files_run_dir);
		return MQ_OK;
	}
	if (dirfd == -1) {
		log_err("%s; not signalling anything", err);
		return MQ_STATE;
	}
	runlock = rundir_lock(dirfd, RUN_LOCK, run_lock_wait(c));
	if (runlock == -2) {
		log_err("another freeze or thaw kept running for %u s",
			run_lock_wait(c));
		return MQ_BUSY;
	}
	if (runlock == -1) {
		log_err("cannot lock %s/%s: %s", c->files_run_dir, RUN_LOCK,
			strerror(errno));
		return MQ_STATE;
	}
	r = state_read(dirfd, &s, err, sizeof(err));
	if (r == 1 || (r == 0 && s.thawed)) {
		log_info("nothing to release: no lock is held");
		return MQ_OK;
	}
	if (r == -1) {
		log_err("%s; not signalling anything", err);
		return MQ_STATE;
	}
	switch (s.phase) {
	case PH_WAITING:
	case PH_LOCKED:
		r = holder_end(c, dirfd, &s);
		if (r == MQ_OK && s.phase == PH_RELEASED)
			log_info("released (%s); writes were blocked for %lld ms",
				 s.method, (long long)s.blocked_ms);
		else if (r == MQ_LOST)
			lost(&s);
		break;
	case PH_FAILED:
		log_warn("nothing to release: the last freeze never held a "
			 "lock (%s)", s.reason);
		r = MQ_OK;
		break;
	case PH_RELEASED:
	case PH_EXPIRED:
	case PH_LOST:
		r = lost(&s);
		break;
	}
	s.thawed = 1;
	if (state_write(dirfd, &s) == -1)
		log_warn("cannot write state: %s", strerror(errno));
	close(runlock);
	close(dirfd);
	return r;
}
