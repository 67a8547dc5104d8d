/* seedsql.c - seed's decisions that need no server: identity, the
 * statements per flavor and version, and a replica's status row read. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "seedsql.h"
#include "util.h"

/* MySQL 8.0.22 renamed SLAVE to REPLICA, 8.0.23 MASTER to SOURCE. */
static int
replica_words(enum flavor f, unsigned long v)
{
	return f != FL_MARIADB && v >= 80022;
}

static int
source_words(enum flavor f, unsigned long v)
{
	return f != FL_MARIADB && v >= 80023;
}

int
seed_identity(const struct seed_side *rep, const struct seed_side *src,
	      char *why, size_t n)
{
	if (strcmp(rep->hostname, src->hostname) == 0 &&
	    rep->port == src->port && strcmp(rep->datadir, src->datadir) == 0) {
		fmt(why, n, "the new server is the source itself (%s, port %u, "
		    "datadir %s): run seed against the server started on the "
		    "restored snapshot", rep->hostname, rep->port, rep->datadir);
		return -1;
	}
	if (rep->uuid[0] != '\0' && strcasecmp(rep->uuid, src->uuid) == 0) {
		fmt(why, n, "the new server's server_uuid %s is the source's: "
		    "its auto.cnf came with the snapshot; stop the new server, "
		    "remove %sauto.cnf, start it (it writes a new one), then "
		    "run seed again", rep->uuid, rep->datadir);
		return -1;
	}
	if (rep->server_id == src->server_id) {
		fmt(why, n, "the new server's server_id %lu is the source's: a "
		    "replica skips events of its own server_id; give it its "
		    "own (server_id in its config) and restart it",
		    rep->server_id);
		return -1;
	}
	return 0;
}

int
seed_gtid_sql(char *buf, size_t n, const struct seed_plan *p)
{
	if (!p->by_gtid || p->flavor != FL_MARIADB) {
		buf[0] = '\0';
		return 0;
	}
	return fmt(buf, n, "SET GLOBAL gtid_slave_pos = '%s'", p->gtid);
}

/* s's length in characters (a byte that starts none counts as one). */
static size_t
chars(const char *s)
{
	size_t k = 0, l;

	for (; *s != '\0'; s += l ? l : 1, k++)
		l = utf8_len(s);
	return k;
}

int
seed_lengths(const struct seed_plan *p, char *why, size_t n)
{
	/* what CHANGE takes, in characters: MariaDB 10.x's own limits;
	 * MySQL's (ER_CHANGE_MASTER_PASSWORD_LENGTH) 32 for the password,
	 * its user names 32 */
	size_t host = 255, user = p->flavor == FL_MARIADB ? 128 : 32,
	       pass = p->flavor == FL_MARIADB ? 96 : 32, k;

	if ((k = chars(p->password)) > pass) {
		fmt(why, n, "the replication password is %zu characters; %s "
		    "takes at most %zu in CHANGE %s: refused before any "
		    "statement ran", k, p->flavor == FL_MARIADB ? "MariaDB" :
		    "MySQL", pass, p->flavor == FL_MARIADB ? "MASTER" :
		    "REPLICATION SOURCE");
		return -1;
	}
	if ((k = chars(p->user)) > user || chars(p->host) > host) {
		fmt(why, n, "the replication %s is %zu characters; at most %zu "
		    "are taken: refused before any statement ran",
		    k > user ? "user" : "source host", k > user ? k :
		    chars(p->host), k > user ? user : host);
		return -1;
	}
	return 0;
}

int
seed_change_sql(char *buf, size_t n, const struct seed_plan *p, int mask)
{
	int src = source_words(p->flavor, p->version);
	const char *w = src ? "SOURCE" : "MASTER";
	char host[512], user[512], file[512], pass[2 * 256 + 1];

	if (strlen(p->host) >= 256 || strlen(p->user) >= 256 ||
	    strlen(p->password) >= 256 || strlen(p->file) >= 256)
		return -1;
	sql_str(host, sizeof(host), p->host);
	sql_str(user, sizeof(user), p->user);
	sql_str(file, sizeof(file), p->file);
	sql_str(pass, sizeof(pass), mask ? "********" : p->password);
	if (fmt(buf, n, "%s TO %s_HOST = '%s', %s_PORT = %u, %s_USER = '%s', "
		"%s_PASSWORD = '%s'", src ? "CHANGE REPLICATION SOURCE" :
		"CHANGE MASTER", w, host, w, p->port, w, user, w, pass) == -1)
		return -1;
	/* MySQL 8's default account plugin (caching_sha2_password) needs
	 * TLS, or the source's RSA key sent unchecked: TLS */
	if (p->flavor != FL_MARIADB && p->version >= 80000 &&
	    append(buf, n, ", %s_SSL = 1", w) == -1)
		return -1;
	if (p->by_gtid)
		return p->flavor == FL_MARIADB ?
		       append(buf, n, ", MASTER_USE_GTID = slave_pos") :
		       append(buf, n, ", %s_AUTO_POSITION = 1", w);
	if (append(buf, n, ", %s_LOG_FILE = '%s', %s_LOG_POS = %llu", w, file,
		   w, p->pos) == -1)
		return -1;
	if (p->flavor == FL_MARIADB)
		return append(buf, n, ", MASTER_USE_GTID = no");
	return p->version >= 50605 ?
	       append(buf, n, ", %s_AUTO_POSITION = 0", w) : 0;
}

const char *
seed_start_sql(enum flavor f, unsigned long v)
{
	return replica_words(f, v) ? "START REPLICA" : "START SLAVE";
}

const char *
seed_stop_sql(enum flavor f, unsigned long v)
{
	return replica_words(f, v) ? "STOP REPLICA" : "STOP SLAVE";
}

int
seed_reset_sql(char *stop, char *reset, size_t n, enum flavor f,
	       unsigned long v, const char *channel)
{
	const char *w = replica_words(f, v) ? "REPLICA" : "SLAVE";
	char q[2 * 72 + 1];

	if (strlen(channel) >= 72)
		return -1;
	sql_str(q, sizeof(q), channel);
	if (f == FL_MARIADB) {
		/* a named connection: STOP SLAVE 'name' */
		if (channel[0] == '\0')
			return fmt(stop, n, "STOP SLAVE") |
			       fmt(reset, n, "RESET SLAVE ALL");
		return fmt(stop, n, "STOP SLAVE '%s'", q) |
		       fmt(reset, n, "RESET SLAVE '%s' ALL", q);
	}
	return fmt(stop, n, "STOP %s FOR CHANNEL '%s'", w, q) |
	       fmt(reset, n, "RESET %s ALL FOR CHANNEL '%s'", w, q);
}

/* The value of the first of two column names, or NULL. */
static const char *
col(int nc, const char *const *names, const char *const *vals, const char *a,
    const char *b)
{
	int i;

	for (i = 0; i < nc; i++)
		if (names[i] != NULL && (strcasecmp(names[i], a) == 0 ||
					 strcasecmp(names[i], b) == 0))
			return vals[i];
	return NULL;
}

static void
text(char *dst, size_t n, const char *v)
{
	fmt(dst, n, "%s", v != NULL ? v : "");
}

static unsigned long long
num(const char *v)
{
	return v != NULL ? strtoull(v, NULL, 10) : 0;
}

void
seed_row(struct repl_row *r, int nc, const char *const *names,
	 const char *const *vals)
{
#define COL(a, b) col(nc, names, vals, a, b)
	memset(r, 0, sizeof(*r));
	text(r->io, sizeof(r->io), COL("Slave_IO_Running", "Replica_IO_Running"));
	text(r->sql, sizeof(r->sql), COL("Slave_SQL_Running",
					 "Replica_SQL_Running"));
	text(r->lag, sizeof(r->lag), COL("Seconds_Behind_Master",
					 "Seconds_Behind_Source"));
	text(r->read_file, sizeof(r->read_file), COL("Master_Log_File",
						     "Source_Log_File"));
	text(r->exec_file, sizeof(r->exec_file), COL("Relay_Master_Log_File",
						     "Relay_Source_Log_File"));
	r->read_pos = num(COL("Read_Master_Log_Pos", "Read_Source_Log_Pos"));
	r->exec_pos = num(COL("Exec_Master_Log_Pos", "Exec_Source_Log_Pos"));
	r->io_errno = (unsigned)num(COL("Last_IO_Errno", "Last_IO_Errno"));
	r->sql_errno = (unsigned)num(COL("Last_SQL_Errno", "Last_SQL_Errno"));
	text(r->io_error, sizeof(r->io_error), COL("Last_IO_Error",
						   "Last_IO_Error"));
	text(r->sql_error, sizeof(r->sql_error), COL("Last_SQL_Error",
						     "Last_SQL_Error"));
	text(r->channel, sizeof(r->channel), COL("Connection_name",
						 "Channel_Name"));
	text(r->host, sizeof(r->host), COL("Master_Host", "Source_Host"));
	r->port = (unsigned)num(COL("Master_Port", "Source_Port"));
#undef COL
}

int
seed_progress(const struct repl_row *r, int applied)
{
	if (r->io_errno != 0 || r->sql_errno != 0 || strcmp(r->sql, "No") == 0 ||
	    strcmp(r->io, "No") == 0)
		return SEED_ERROR;
	if (strcmp(r->io, "Yes") != 0 || strcmp(r->sql, "Yes") != 0 ||
	    r->read_pos == 0)
		return SEED_WAIT;
	/* applied a transaction, or caught up with all the source had */
	return applied ? SEED_DONE : SEED_WAIT;
}

int
seed_parse_source(const char *s, char *host, size_t n, unsigned *port)
{
	const char *colon = strrchr(s, ':');
	long long p;

	if (colon == NULL || colon == s || parse_num(colon + 1, 1, 65535, &p) ==
	    -1 || fmt(host, n, "%.*s", (int)(colon - s), s) == -1 ||
	    strchr(host, ':') != NULL || strpbrk(host, " \t\n'\"\\") != NULL)
		return -1;
	*port = (unsigned)p;
	return 0;
}
