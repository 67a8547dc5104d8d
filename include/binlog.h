/* binlog.h - binary log files read as data: a log's name as servers
 * write it, and an index mapped by name to the files beside it
 * (src/db/binlog.c). */
#ifndef MQ_BINLOG_H
#define MQ_BINLOG_H

#include <stddef.h>

/*
 * A binary log index, BASE.index in dirfd, read as data (at most
 * INDEX_MAX bytes, never through a symlink): each entry, by its name
 * alone, that is a plain log name and a regular file of dirfd, appended
 * to names[*n] (at most max in all); the others listed in unmapped
 * (emptied first). 0; 1 when there is no index; -1 when it cannot be
 * read.
 */
enum { INDEX_MAX = 1 << 20 };
int binlog_index_read(int dirfd, const char *base, char (*names)[256], int max,
		      int *n, char *unmapped, size_t un);

/* 1 if s is a binary (or relay) log's name as servers write them
 * (BASE.NNNNNN), else 0. */
int binlog_plain_name(const char *s);

/* Is s's first n bytes a plain log base name: letters, digits, _, -
 * and the server's @XXXX encoding, no dot, no slash? 1 or 0. */
int binlog_plain_base(const char *s, size_t n);

#endif
