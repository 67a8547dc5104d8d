/* tests/units/main.c - the unit tests, without a server: every module's
 * in order, in TAP. */
#include <stdio.h>

#include "unit.h"

static int ntest, nfail;

void
ok(int cond, const char *what)
{
	ntest++;
	if (!cond)
		nfail++;
	printf("%sok %d - %s\n", cond ? "" : "not ", ntest, what);
}

int
main(void)
{
	test_opts();
	test_derive();
	test_config();
	test_state();
	test_versions();
	test_stmt();
	test_coords();
	test_discover();
	test_util();
	test_sigv4();
	test_shared_creds();
	test_gtid();
	test_grants();
	test_list_sql();
	test_stall();
	test_settle();
	test_xml();
	test_relay();
	test_seed();
	test_multi();
	printf("1..%d\n", ntest);
	return nfail != 0;
}
