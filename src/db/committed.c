/* committed.c - a MariaDB replica's applied position as its tables
 * hold it (the contract is in include/committed.h). */
#define _GNU_SOURCE
#include <string.h>

#include "committed.h"
#include "gtid.h"
#include "util.h"

/* Per domain, the row of the highest sub_id: the position now. */
const char committed_sql[] =
	"SELECT IFNULL(GROUP_CONCAT(CONCAT(domain_id, '-', server_id, '-', "
	"seq_no) ORDER BY domain_id), '') FROM mysql.gtid_slave_pos g WHERE "
	"sub_id = (SELECT MAX(sub_id) FROM mysql.gtid_slave_pos h WHERE "
	"h.domain_id = g.domain_id)";

int
coords_read_committed(struct db *d, struct coords *co, struct failure *f)
{
	char held[sizeof(co->gtid_slave)], why[200];
	struct failure lf;

	if (coords_read(d, co, f) == -1)
		return -1;
	if (d->flavor != FL_MARIADB || co->nchan == 0)
		return 0;
	if (db_value(d, committed_sql, held, sizeof(held), &lf) == -1 ||
	    strlen(held) + 1 == sizeof(held)) {
		fmt(co->unsettled, sizeof(co->unsettled), "mysql.gtid_slave_pos "
		    "could not be read (%s): the applier's own report is "
		    "recorded", strlen(held) + 1 == sizeof(held) ? "too long" :
		    lf.why);
		return 0;
	}
	if (gtid_equal(1, co->gtid_slave, held, why, sizeof(why)) != 1) {
		fmt(co->unsettled, sizeof(co->unsettled), "the applier reported "
		    "gtid_slave_pos %.80s while its tables held %.80s: the "
		    "tables' set is recorded", co->gtid_slave, held);
		fmt(co->gtid_slave, sizeof(co->gtid_slave), "%s", held);
	}
	return 0;
}
