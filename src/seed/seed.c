/* seed.c - mysql-quiesce seed: a server started on a restored snapshot
 * made a running replica of the source, exactly where the snapshot was
 * taken. Identity first, then the snapshot's exactness (verify's own
 * checks, on the running server), then the old channels, then CHANGE
 * and START, then the wait. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coords.h"
#include "db.h"
#include "dbapi.h"
#include "exits.h"
#include "gtid.h"
#include "log.h"
#include "main.h"
#include "optfile.h"
#include "opts.h"
#include "seed.h"
#include "seedsql.h"
#include "sreport.h"
#include "binlog.h"
#include "util.h"
#include "vcheck.h"
#include "vderive.h"
#include "verify.h"
#include "vinfo.h"
#include "usage.h"

static int
parse(struct seed *s, int argc, char **argv)
{
	enum { O_SOURCE, O_CREDS, O_INFO, O_TIMEOUT, O_DRY, O_JSON };
	static const struct opt opts[] = {
		{ O_SOURCE, "--source", NULL, 1 },
		{ O_CREDS, "--source-credentials", NULL, 1 },
		{ O_INFO, "--info", NULL, 1 },
		{ O_TIMEOUT, "--timeout", NULL, 1 },
		{ O_DRY, "--dry-run", NULL, 0 },
		{ O_JSON, "--json", NULL, 0 },
		{ 0, NULL, NULL, 0 },
	};
	struct failure ef;
	const char *a, *bad = NULL;
	int i = 0;

	s->timeout = 300;
	while (i < argc && bad == NULL) {
		switch (opt_next(opts, argc, argv, &i, &a, &ef)) {
		case O_SOURCE:
			s->source = a;
			if (seed_parse_source(a, s->shost, sizeof(s->shost),
					      &s->sport) == -1)
				bad = "--source: not HOST:PORT";
			break;
		case O_CREDS:
			s->creds = a;
			break;
		case O_INFO:
			s->info = a;
			break;
		case O_TIMEOUT:
			if (parse_num(a, 1, 86400, &s->timeout) == -1)
				bad = "--timeout: not a whole number of seconds "
				      "from 1 to 86400";
			break;
		case O_DRY:
			s->dry = 1;
			break;
		case O_JSON:
			s->json = 1;
			break;
		case OPT_WORD:
		case OPT_REST:
			bad = "an extra argument";
			break;
		default:
			bad = ef.why;
			break;
		}
	}
	if (bad == NULL && (s->source == NULL || s->creds == NULL))
		bad = "--source and --source-credentials are both needed";
	if (bad != NULL) {
		usage_fail("seed", "%s", bad);
		return -1;
	}
	return 0;
}

/* One server's facts for the identity check. 0, or -1 with f set. */
static int
side(struct db *d, struct seed_side *x, struct failure *f)
{
	MYSQL_RES *r;
	MYSQL_ROW row;

	memset(x, 0, sizeof(*x));
	x->flavor = d->flavor;
	x->version = d->version;
	r = db_query(d, d->flavor == FL_MARIADB ?
		     "SELECT @@server_id, @@hostname, @@port, @@datadir, ''" :
		     "SELECT @@server_id, @@hostname, @@port, @@datadir, "
		     "@@server_uuid", f);
	if (r == NULL)
		return -1;
	if ((row = mysql_fetch_row(r)) != NULL) {
		x->server_id = row[0] ? strtoul(row[0], NULL, 10) : 0;
		fmt(x->hostname, sizeof(x->hostname), "%s", row[1] ? row[1] : "");
		x->port = row[2] ? (unsigned)strtoul(row[2], NULL, 10) : 0;
		fmt(x->datadir, sizeof(x->datadir), "%s", row[3] ? row[3] : "");
		fmt(x->uuid, sizeof(x->uuid), "%s", row[4] ? row[4] : "");
	}
	mysql_free_result(r);
	return 0;
}

/* The recovered server's binary logs into v->bins, and the recorded
 * one's size; nothing when binary logging is off. 0, or -1 with f set. */
static int
binlogs(struct verify *v, struct failure *f)
{
	MYSQL_RES *r;
	MYSQL_ROW row;

	v->nbins = 0;
	v->file_size = -1;
	if ((r = db_query(&v->d, "SHOW BINARY LOGS", f)) == NULL)
		return v->d.errnum == 1381 ? 0 : -1; /* binlog off */
	while ((row = mysql_fetch_row(r)) != NULL && v->nbins < MAX_BINLOGS) {
		if (row[0] == NULL || !binlog_plain_name(row[0]))
			continue;
		fmt(v->bins[v->nbins++], sizeof(v->bins[0]), "%s", row[0]);
		if (strcmp(row[0], v->file) == 0 && row[1] != NULL)
			v->file_size = strtoll(row[1], NULL, 10);
	}
	mysql_free_result(r);
	return 0;
}

/*
 * MUST: the new server's recovered state is the snapshot's recorded
 * coordinates (or, for a lower bound, at or after them): verify's
 * checks, on the running server. Anything else is refused, named.
 */
static int
exact(struct seed *s, struct verify *v, const struct server_config *c)
{
	const char *base = strrchr(c->files_binlog_info_file, '/');
	char path[PATH_MAX];
	struct failure lf;
	int i;

	base = base != NULL ? base + 1 : "binlog_info.txt";
	if (s->info == NULL) {
		if (fmt(path, sizeof(path), "%s%s%s", s->rs.datadir,
			s->rs.datadir[strlen(s->rs.datadir) - 1] == '/' ? "" :
			"/", base) == -1)
			return seed_refuse(s, MQ_UNVERIFIED, "unverified", "the info "
					   "file's path is too long");
		v->info = path;
	} else {
		v->info = s->info;
	}
	v->path = s->rs.datadir;
	verify_read_info(v);
	if (v->has_info) {
		if (binlogs(v, &lf) == -1)
			verify_cannot(v, "binlog", lf.why);
		else
			verify_same_gtid(v, "gtid", v->d.flavor == FL_MARIADB ?
					 "gtid_binlog_pos" : "gtid_executed",
					 v->gtid, v->lower_bound);
		verify_derive(v);
		if (v->has_exact && !v->lower_bound && v->ex_after > 0)
			verify_add(v, 0, "position", "%ld whole transaction%s "
			    "after the recorded %s:%llu: the snapshot holds "
			    "commits its coordinates do not (taken without the "
			    "lock?)", v->ex_after, v->ex_after == 1 ? "" : "s",
			    v->file, v->pos);
		if (v->nchan > 0 && v->d.flavor == FL_MARIADB &&
		    v->slave_pos[0] != '\0')
			verify_same_gtid(v, "replica", "gtid_slave_pos",
					 v->slave_pos, 0);
	}
	v->info = NULL; /* path is ours, on this stack */
	for (i = 0; i < v->n; i++)
		if (!v->c[i].ok)
			return seed_refuse(s, v->unverified ? MQ_UNVERIFIED :
					   MQ_INCONSISTENT, v->unverified ?
					   "unverified" : "not exact", "%s: %s",
					   v->c[i].name, v->c[i].detail);
	return MQ_OK;
}

/* Where CHANGE points: the GTID state, or the file and position. */
static int
plan(struct seed *s, struct verify *v, int from_old_source)
{
	struct seed_plan *p = &s->plan;
	char a[4096], b[4096], sg[16], ng[16];
	struct failure lf;

	p->flavor = v->d.flavor;
	p->version = v->d.version;
	p->host = s->shost;
	p->port = s->sport;
	p->user = s->user;
	p->password = s->pass;
	if (v->d.flavor == FL_MARIADB) {
		/* each domain's last transaction, applied or written */
		if (db_value(&v->d, "SELECT @@GLOBAL.gtid_binlog_pos", a,
			     sizeof(a), &lf) == -1 ||
		    db_value(&v->d, "SELECT @@GLOBAL.gtid_slave_pos", b,
			     sizeof(b), &lf) == -1)
			return seed_refuse(s, db_errclass(&v->d), "failed", "%s",
					   lf.why);
		if (gtid_mariadb_last(a, b, s->state, sizeof(s->state)) == -1)
			return seed_refuse(s, MQ_INCONSISTENT, "not exact", "the "
					   "new server's GTID state \"%s\" / \"%s\" "
					   "does not parse", a, b);
		p->by_gtid = s->state[0] != '\0';
	} else {
		if (db_value(&s->src, "SELECT @@GLOBAL.gtid_mode", sg,
			     sizeof(sg), &lf) == -1 ||
		    db_value(&v->d, "SELECT @@GLOBAL.gtid_mode", ng,
			     sizeof(ng), &lf) == -1 ||
		    db_value(&v->d, "SELECT @@GLOBAL.gtid_executed", s->state,
			     sizeof(s->state), &lf) == -1)
			return seed_refuse(s, MQ_SERVER, "failed", "%s", lf.why);
		p->by_gtid = strcmp(sg, "ON") == 0 && strcmp(ng, "ON") == 0;
	}
	p->gtid = s->state;
	p->file = "";
	if (p->by_gtid)
		return MQ_OK;
	/* by position: a replica's snapshot, seeded from its own source,
	 * starts at that source's executed position; any other at the end
	 * of the snapshot's own last transaction */
	if (from_old_source && v->src_file[0] != '\0') {
		if (v->src_inexact)
			return seed_refuse(s, MQ_INCONSISTENT, "not exact", "the "
					   "recorded source position is a parallel "
					   "applier's checkpoint, not exact: seed "
					   "by GTID");
		p->file = v->src_file;
		p->pos = v->src_pos;
		return MQ_OK;
	}
	if (!v->has_exact)
		return seed_refuse(s, MQ_INCONSISTENT, "not exact", "no binary log "
				   "coordinates: binary logging was off in the "
				   "snapshot and the source has no GTID");
	p->file = v->ex_file;
	p->pos = v->ex_pos;
	return MQ_OK;
}

static int
seed_run(struct seed *s, struct verify *v, const struct server_config *c)
{
	struct server_config *sc;
	char why[1024], buf[STMT_MAX], shown[STMT_MAX];
	struct failure ef;
	int r;

	if (optfile_client(s->creds, s->user, sizeof(s->user), s->pass,
			   sizeof(s->pass), &ef) == -1)
		return seed_refuse(s, MQ_CONFIG, "failed", "--source-credentials %s",
				   ef.why);
	if ((r = db_connect(&v->d, c, 30, &ef)) != MQ_OK)
		return seed_refuse(s, r, "failed", "the new server: %s", ef.why);
	/* the source, as the replication account, over TCP */
	if ((sc = malloc(sizeof(*sc))) == NULL)
		return seed_refuse(s, MQ_FAIL, "failed", "out of memory");
	config_server_defaults(sc);
	fmt(sc->mysql_host, sizeof(sc->mysql_host), "%s", s->shost);
	sc->mysql_port = s->sport;
	fmt(sc->mysql_user, sizeof(sc->mysql_user), "%s", s->user);
	fmt(sc->mysql_password, sizeof(sc->mysql_password), "%s", s->pass);
	r = db_connect(&s->src, sc, 30, &ef);
	explicit_bzero(sc, sizeof(*sc));
	free(sc);
	if (r != MQ_OK)
		return seed_refuse(s, r, "failed", "the source %s:%u as %s: %s",
				   s->shost, s->sport, s->user, ef.why);
	if (side(&v->d, &s->rs, &ef) == -1 || side(&s->src, &s->ss, &ef) == -1)
		return seed_refuse(s, MQ_SERVER, "failed", "%s", ef.why);
	if (c->mysql_socket[0] == '\0' && strcmp(c->mysql_host, s->shost) == 0 &&
	    c->mysql_port == s->sport)
		return seed_refuse(s, MQ_REFUSED, "refused", "the config's server "
				   "is --source %s:%u itself: run seed against the "
				   "server started on the restored snapshot",
				   s->shost, s->sport);
	if ((v->d.flavor == FL_MARIADB) != (s->src.flavor == FL_MARIADB))
		return seed_refuse(s, MQ_REFUSED, "refused", "the new server is %s, "
				   "the source %s: seed replicates within one "
				   "flavor", db_flavor_name(v->d.flavor),
				   db_flavor_name(s->src.flavor));
	if (seed_identity(&s->rs, &s->ss, why, sizeof(why)) == -1)
		return seed_refuse(s, MQ_REFUSED, "refused", "%s", why);
	if ((r = exact(s, v, c)) != MQ_OK)
		return r;
	if ((r = seed_old_channels(s, v, &ef)) < 0)
		return seed_refuse(s, r == -1 ? db_errclass(&v->d) : MQ_FAIL, "failed",
				   "the old channels: %s", r == -1 ? ef.why :
				   "a channel's name is too long");
	if ((r = plan(s, v, r)) != MQ_OK)
		return r;
	if (seed_lengths(&s->plan, why, sizeof(why)) == -1)
		return seed_refuse(s, MQ_CONFIG, "refused", "%s", why);
	if (seed_gtid_sql(buf, sizeof(buf), &s->plan) == -1 ||
	    (buf[0] != '\0' && seed_add_sql(s, buf, NULL) == -1) ||
	    seed_change_sql(buf, sizeof(buf), &s->plan, 0) == -1 ||
	    seed_change_sql(shown, sizeof(shown), &s->plan, 1) == -1 ||
	    seed_add_sql(s, buf, shown) == -1 ||
	    seed_add_sql(s, seed_start_sql(v->d.flavor, v->d.version), NULL) == -1) {
		explicit_bzero(buf, sizeof(buf));
		return seed_refuse(s, MQ_FAIL, "failed", "a statement too long");
	}
	explicit_bzero(buf, sizeof(buf));
	if (s->dry) {
		fmt(s->result, sizeof(s->result), "dry-run");
		return MQ_OK;
	}
	log_msg(L_INFO, "seeding from %s:%u by %s: %d old channel%s reset",
		s->shost, s->sport, s->plan.by_gtid ? "GTID" : "position",
		s->nold, s->nold == 1 ? "" : "s");
	if ((r = seed_run_sql(s, v)) != MQ_OK)
		return r;
	return seed_await(s, v);
}

int
seed_main(const struct config *c, const struct call *o)
{
	static struct seed s;
	static struct verify v;
	int code;

	if (parse(&s, o->argc - 1, o->argv + 1) == -1)
		return MQ_USAGE;
	if (o->json)
		s.json = 1;
	log_init(c, o->sv, "seed");
	v.file_size = -1;
	code = seed_run(&s, &v, o->sv);
	if (code != MQ_OK)
		log_msg(L_INFO, "seed from %s:%u %s: %s", s.shost, s.sport,
			s.result, s.why);
	else if (!s.dry)
		log_msg(L_INFO, "seeded from %s:%u: replicating, lag %s s",
			s.shost, s.sport, s.row.lag[0] ? s.row.lag : "?");
	if (s.json)
		seed_report_json(&s, &v, code);
	else
		seed_report_text(&s, &v, code);
	explicit_bzero(s.pass, sizeof(s.pass));
	explicit_bzero(s.sql, sizeof(s.sql));
	if (s.src.m != NULL)
		db_close(&s.src);
	if (v.d.m != NULL)
		db_close(&v.d);
	return code;
}
