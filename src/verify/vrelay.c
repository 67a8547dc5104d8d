/* vrelay.c - verify's cross-check of a replica's executed source
 * position against its GTID set, read from the relay logs the
 * snapshot carries (the reader is the db layer's: relaylog.c). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "relaylog.h"
#include "util.h"
#include "verify.h"
#include "vcheck.h"
#include "vrelay.h"

void
verify_check_relay(struct verify *v)
{
	static struct relay_scan s;
	char why[900];
	int dfd, r;

	if (!v->has_info || v->nchan <= 0)
		return;
	memset(&s, 0, sizeof(s));
	s.deadline = v->deadline;
	s.sigfd = v->sigfd;
	s.mariadb = strcmp(v->gtid_kind, "gtid_binlog_pos") == 0;
	s.applied = s.mariadb ? v->slave_pos : v->gtid;
	if (v->nchan > 1 || s.applied[0] == '\0' || v->relay[0] == '\0' ||
	    v->src_file[0] == '\0') {
		verify_add(v, 1, "source", "not checked against the relay logs: %s",
		    v->nchan > 1 ? "more than one channel" : s.applied[0] == '\0' ?
		    "no GTID set recorded" : v->src_file[0] == '\0' ? "no source "
		    "position recorded" : "the info file names no relay log");
		return;
	}
	fmt(s.relay_base, sizeof(s.relay_base), "%.*s",
	    (int)(strrchr(v->relay, '.') - v->relay), v->relay);
	dfd = open(v->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd != -1 && faccessat(dfd, v->relay, F_OK, AT_SYMLINK_NOFOLLOW) == -1 &&
	    v->bdir[0] != '\0') {
		close(dfd);
		dfd = open(v->bdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (dfd == -1 || faccessat(dfd, v->relay, F_OK, AT_SYMLINK_NOFOLLOW) == -1) {
		verify_add(v, 1, "source", "not checked against the relay logs: %s "
		    "is not in PATH%s", v->relay, v->bdir[0] ? " or the binary "
		    "logs' directory" : "");
		if (dfd != -1)
			close(dfd);
		return;
	}
	relay_scan_from(&s, dfd, relay_suffix(v->relay));
	close(dfd);
	if (s.cut != 0) {
		/* a stop is the verb's to say; a deadline is ours */
		if (s.cut == 1)
			verify_cannot(v, "source", s.err);
		return;
	}
	r = relay_verdict(&s, v->src_file, v->src_pos, why, sizeof(why));
	if (r == -1)
		verify_add(v, 1, "source", "not checked against the relay logs "
		    "from %s: %s", v->relay, why);
	else if (r == 0 && v->src_inexact) {
		char exact[400] = "";

		if (s.have_next && !s.disorder)
			fmt(exact, sizeof(exact), "; by position it is %s:%llu, "
			    "where %s starts", s.next.file, s.next.pos,
			    s.next.gtid);
		verify_add(v, 1, "source", "recorded as not exact (a checkpoint), "
		    "and it is not: %s; the GTID set is the coordinates%s", why,
		    exact);
	} else
		verify_add(v, r, "source", "%s", why);
}
