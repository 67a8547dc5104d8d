/* dbapi.c - the client library, opened with dlopen when first needed
 * (or, built with MQ_DB_LINKED, the linked one). */
#define _GNU_SOURCE
#define MQ_DBAPI_IMPL

#include "dbapi.h"
#include "dynlib.h"
#include "util.h"

#ifdef MARIADB_PACKAGE_VERSION_ID
#define DB_SONAME "libmariadb.so.3"
#else
#define DB_SONAME "libmysqlclient.so.21"
#endif

struct dbapi dbapi;
static int loaded;

#ifdef MQ_DB_LINKED

int
dbapi_load(struct failure *f)
{
	(void)f;
#define SET(fn) dbapi.fn = fn;
	DBAPI_FUNCS(SET)
#undef SET
	loaded = 1;
	return 0;
}

#else

int
dbapi_load(struct failure *f)
{
#define NAME(fn) #fn,
#define SLOT(fn) (void **)&dbapi.fn,
	static const char *const names[] = { DBAPI_FUNCS(NAME) };
	static void **const slots[] = { DBAPI_FUNCS(SLOT) };
#undef NAME
#undef SLOT
	if (loaded)
		return 0;
	if (dynlib_open(DB_SONAME, names, slots, ARRAY_LEN(names), f) == NULL) {
		fail_wrap(f, MQ_FAIL, "the client library");
		return -1;
	}
	loaded = 1;
	return 0;
}

#endif

int
dbapi_loaded(void)
{
	return loaded;
}
