/* dbapi.h - the client library's functions, loaded when first needed.
 *
 * A thaw that finds its holder alive needs no server connection, and
 * loading libmariadb (with OpenSSL under it) at exec costs more than a
 * millisecond of every writer's stall: so the library is opened with
 * dlopen by the first db_connect (dbapi_load), as libcurl is for EBS.
 * Every call below goes through one table; code that names a function
 * here reads as if it were linked. A build that links the library
 * (LINK=static) fills the table with the linked functions instead.
 */
#ifndef MQ_DBAPI_H
#define MQ_DBAPI_H

#include "failure.h"

#include <stddef.h>

#include <mysql.h>

#ifdef MARIADB_PACKAGE_VERSION_ID
#define DBAPI_MARIADB(X) X(mysql_real_connect_start) \
	X(mysql_real_connect_cont) X(mysql_get_socket) \
	X(mysql_get_timeout_value_ms) X(mariadb_get_infov) X(mysql_options4)
#else
#define DBAPI_MARIADB(X)
#endif

#define DBAPI_FUNCS(X) X(mysql_init) X(mysql_close) X(mysql_options) \
	X(mysql_real_connect) X(mysql_real_query) X(mysql_store_result) \
	X(mysql_use_result) X(mysql_free_result) X(mysql_fetch_row) \
	X(mysql_fetch_fields) X(mysql_num_fields) X(mysql_field_count) \
	X(mysql_data_seek) X(mysql_errno) X(mysql_error) \
	X(mysql_real_escape_string) X(mysql_get_client_info) \
	X(mysql_server_init) DBAPI_MARIADB(X)

#define DBAPI_MEMBER(f) __typeof__(f) *f;
struct dbapi {
	DBAPI_FUNCS(DBAPI_MEMBER)
};
#undef DBAPI_MEMBER

extern struct dbapi dbapi;

/*
 * Open the client library and fill dbapi, once; later calls return at
 * once. 0, or -1 with f saying why. Nothing in dbapi may be
 * called before it has succeeded: db_connect and db_client_info call it.
 */
int dbapi_load(struct failure *f);

/* 1 when this process has loaded (or linked) the library. */
int dbapi_loaded(void);

#ifndef MQ_DBAPI_IMPL
#define mysql_init (dbapi.mysql_init)
#define mysql_close (dbapi.mysql_close)
#define mysql_options (dbapi.mysql_options)
#define mysql_real_connect (dbapi.mysql_real_connect)
#define mysql_real_query (dbapi.mysql_real_query)
#define mysql_store_result (dbapi.mysql_store_result)
#define mysql_use_result (dbapi.mysql_use_result)
#define mysql_free_result (dbapi.mysql_free_result)
#define mysql_fetch_row (dbapi.mysql_fetch_row)
#define mysql_fetch_fields (dbapi.mysql_fetch_fields)
#define mysql_num_fields (dbapi.mysql_num_fields)
#define mysql_field_count (dbapi.mysql_field_count)
#define mysql_data_seek (dbapi.mysql_data_seek)
#define mysql_errno (dbapi.mysql_errno)
#define mysql_error (dbapi.mysql_error)
#define mysql_real_escape_string (dbapi.mysql_real_escape_string)
#define mysql_get_client_info (dbapi.mysql_get_client_info)
#undef mysql_library_init
#define mysql_library_init (dbapi.mysql_server_init)
#ifdef MARIADB_PACKAGE_VERSION_ID
#define mysql_real_connect_start (dbapi.mysql_real_connect_start)
#define mysql_real_connect_cont (dbapi.mysql_real_connect_cont)
#define mysql_get_socket (dbapi.mysql_get_socket)
#define mysql_get_timeout_value_ms (dbapi.mysql_get_timeout_value_ms)
#define mariadb_get_infov (dbapi.mariadb_get_infov)
#define mysql_options4 (dbapi.mysql_options4)
#endif
#endif

#endif
