/* tests/units/unit.h - the unit tests' one check, and each module's
 * tests (tests/units/MODULE.c), run in order by tests/units/main.c. */
#ifndef MQ_UNIT_H
#define MQ_UNIT_H

/* One TAP line: "ok N - what", or "not ok N - what" when cond is 0. */
void ok(int cond, const char *what);

/* base.c */
void test_opts(void);
void test_config(void);
void test_state(void);
void test_discover(void);
void test_utf8(void);
void test_util(void);
void test_multi(void);
/* verify.c */
void test_derive(void);
void test_relay(void);
/* db.c */
void test_versions(void);
void test_stmt(void);
void test_list_sql(void);
void test_stall(void);
void test_gtid(void);
void test_grants(void);
void test_settle(void);
/* coords.c */
void test_coords(void);
/* aws.c */
void test_shared_creds(void);
void test_sigv4(void);
void test_xml(void);
/* seed.c */
void test_seed(void);

#endif
