/* info.h - the binlog info file (src/db/info.c). */
#ifndef MQ_INFO_H
#define MQ_INFO_H

#include "failure.h"

#include <stddef.h>
#include <stdint.h>

#include "coords.h"
#include "db.h"

/* The facts about the server that the info file records. */
struct server_id {
	enum flavor flavor;
	unsigned long version;
	const char *version_str;
};

/* The info file's text; 0, or -1 if it did not fit in n. origin: where
 * the coordinates come from, said in its header (NULL: written and
 * fsynced while the lock was held). */
int info_format(char *buf, size_t n, const struct server_id *s,
		const char *method, const char *origin,
		const struct coords *co, int64_t when_ms);

/*
 * Write the binlog info file at path atomically and fsync it: the
 * coordinates, the server, the lock method, and ready statements to seed
 * a replica; what names it in a failure ("binlog_info_file"). 0, or -1
 * with f saying why.
 */
int info_write(const char *what, const char *path, const struct db *d,
	       const char *method, const char *origin,
	       const struct coords *co, int64_t when_ms, struct failure *f);

#endif
