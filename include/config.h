/* config.h - the one configuration struct, generated from one list. */
#ifndef MQ_CONFIG_H
#define MQ_CONFIG_H

#include <stddef.h>

#include "failure.h"

#define DEFAULT_CONFIG "/etc/mysql-quiesce.conf"
#define CONFIG_ENV "MYSQL_QUIESCE_CONFIG"

/*
 * The enumerated keys' values: C(identifier, name) in the order of their
 * enum. A key of type ENUM names one of these lists; its field is that
 * enum, and e_names[] (below) gives each value's name.
 */
#define method_choice_CHOICES(C)                                             \
	C(METHOD_AUTO, "auto")                                              \
	C(METHOD_BACKUP_STAGE, "backup-stage")                              \
	C(METHOD_FTWRL, "ftwrl")                                            \
	C(METHOD_PERCONA_BACKUP_LOCKS, "percona-backup-locks")              \
	C(METHOD_RECOVERY, "recovery")
#define kill_choice_CHOICES(C)                                               \
	C(KILL_NO, "no") C(KILL_SELECT, "select") C(KILL_ALL, "all")
#define failure_choice_CHOICES(C)                                            \
	C(ON_FAILURE_FAIL, "fail") C(ON_FAILURE_PROCEED, "proceed")
#define yesno_choice_CHOICES(C) C(CHOICE_NO, "no") C(CHOICE_YES, "yes")
#define facility_choice_CHOICES(C)                                           \
	C(FAC_DAEMON, "daemon") C(FAC_USER, "user")                         \
	C(FAC_LOCAL0, "local0") C(FAC_LOCAL1, "local1")                     \
	C(FAC_LOCAL2, "local2") C(FAC_LOCAL3, "local3")                     \
	C(FAC_LOCAL4, "local4") C(FAC_LOCAL5, "local5")                     \
	C(FAC_LOCAL6, "local6") C(FAC_LOCAL7, "local7")

#define CONFIG_ENUMS(E)                                                      \
	E(method_choice) E(kill_choice) E(failure_choice) E(yesno_choice)   \
	E(facility_choice)

#define CFG_ENUM_ID(id, name) id,
#define CFG_ENUM_DEF(e) enum e { e##_CHOICES(CFG_ENUM_ID) e##_count };
#define CFG_ENUM_NAMES(e) extern const char *const e##_names[];
CONFIG_ENUMS(CFG_ENUM_DEF)
CONFIG_ENUMS(CFG_ENUM_NAMES)

/*
 * X(section, key, type, default, min, max, choices)
 * type: STR (free text), NUM (integer in [min, max]),
 *       ENUM (one of the enum named by choices; none for the others).
 * The README and the man page document each of these keys.
 *
 * Two lists: the file's keys, one value for the whole file, and a
 * server's keys, one value per server. A [mysql NAME] section may set
 * a server's key for its server; the file's [mysql], [lock] and
 * [files] set it for every server that does not.
 */
#define CONFIG_SERVER_ITEMS(X)                                               \
	X(mysql, defaults_file, STR, "", 0, 0, none)                        \
	X(mysql, socket, STR, "", 0, 0, none)                               \
	X(mysql, host, STR, "", 0, 0, none)                                 \
	X(mysql, port, NUM, "0", 0, 65535, none)                            \
	X(mysql, user, STR, "", 0, 0, none)                                 \
	X(mysql, password, STR, "", 0, 0, none)                             \
	X(lock, method, ENUM, "auto", 0, 0, method_choice)                  \
	X(lock, wait_timeout, NUM, "10", 1, 3600, none)                     \
	X(lock, max_lock_time, NUM, "60", 1, 86400, none)                   \
	X(lock, long_query_threshold, NUM, "10", 1, 86400, none)            \
	X(lock, ignore_commands, STR,                                       \
	  "Sleep, Daemon, Binlog Dump, Binlog Dump GTID", 0, 0, none)       \
	X(lock, kill_long_queries, ENUM, "no", 0, 0, kill_choice)           \
	X(lock, max_writer_wait, NUM, "500", 0, 3600000, none)              \
	X(files, run_dir, STR, "/run/mysql-quiesce", 0, 0, none)            \
	X(files, binlog_info_file, STR, "", 0, 0, none)                    \
	X(files, metrics_file, STR, "", 0, 0, none)
#define CONFIG_FILE_ITEMS(X)                                                 \
	X(lock, snapshot_timeout, NUM, "600", 1, 86400, none)               \
	X(lock, on_failure, ENUM, "fail", 0, 0, failure_choice)             \
	X(files, log_file, STR, "/var/log/mysql-quiesce.log", 0, 0, none)   \
	X(log, syslog, ENUM, "no", 0, 0, yesno_choice)                      \
	X(log, facility, ENUM, "daemon", 0, 0, facility_choice)             \
	X(snapshot, timeout, NUM, "0", 0, 86400, none)                     \
	X(snapshot, proc_root, STR, "/proc", 0, 0, none)                    \
	X(snapshot, sys_root, STR, "/sys", 0, 0, none)                     \
	X(ebs, region, STR, "", 0, 0, none)                                \
	X(ebs, profile, STR, "", 0, 0, none)                               \
	X(ebs, name_suffix, STR, "", 0, 0, none)                           \
	X(ebs, keep, NUM, "0", 0, 100000, none)                            \
	X(ebs, tags, STR, "", 0, 0, none)                                  \
	X(ebs, endpoint, STR, "", 0, 0, none)                              \
	X(ebs, imds_endpoint, STR, "http://169.254.169.254", 0, 0, none)   \
	X(ebs, timeout, NUM, "10", 1, 3600, none)
#define CONFIG_ITEMS(X) CONFIG_SERVER_ITEMS(X) CONFIG_FILE_ITEMS(X)

#define CONFIG_STR_MAX 512

/* Several servers: [mysql NAME] sections. */
enum { CONFIG_MAX_SERVERS = 8, CONFIG_NAME_MAX = 17 };

#define CFG_FIELD_STR(name, e) char name[CONFIG_STR_MAX];
#define CFG_FIELD_ENUM(name, e) enum e name;
#define CFG_FIELD_NUM(name, e) long long name;
#define CFG_FIELD(sec, key, type, def, lo, hi, e) CFG_FIELD_##type(sec##_##key, e)

/* One server: its keys, each once. */
struct server_config {
	char name[CONFIG_NAME_MAX]; /* its [mysql NAME]; "" for a file
				     * without such sections */
	CONFIG_SERVER_ITEMS(CFG_FIELD)
};

/*
 * The file: its own keys, and its servers. A file without [mysql NAME]
 * sections is a fleet of one: n = 1, and that server's name is "".
 * Nothing here but what the file says (and where it is).
 */
struct config {
	CONFIG_FILE_ITEMS(CFG_FIELD)
	char path[CONFIG_STR_MAX];    /* absolute path of the file read */
	char run_dir[CONFIG_STR_MAX]; /* [files] run_dir: the run lock's
				       * home, every named server's parent */
	int has_ebs;                  /* the file has an [ebs] section */
	int n;                        /* its servers: 1 or more */
	struct server_config *sv;     /* n of them; config_free */
};

/*
 * Read the config file at path (absolute or relative) into c, after
 * setting every key to its default. Refuses a file that group or others
 * may write, or that holds a password and group or others may read.
 * Returns 0 (f->code MQ_OK), or -1 with f saying why (MQ_CONFIG, naming
 * the file and line); c then holds nothing to free. CONFIG_READABLE:
 * refused only because group or others may read its password; the
 * file is otherwise safe and parsed (every password forgotten), so its
 * [files] may be used to log the refusal. to_release (thaw,
 * freezeFail: a release needs no password): that case is not refused
 * but returns 0 with every password forgotten and f holding the
 * refusal as a warning (f->code MQ_CONFIG).
 */
enum { CONFIG_READABLE = -2 };
int config_load(struct config *c, const char *path, int to_release,
		struct failure *f);

/* Parse config text (no file checks); for config_load and the tests.
 * Returns 0, or -1 with f saying why (c then holds nothing to free). */
int config_parse_string(struct config *c, const char *text,
			struct failure *f);

/* Every key at its default: the file's, and one server's (n = 1).
 * 0, or -1 with f saying why (out of memory). */
int config_defaults(struct config *c, struct failure *f);

/* Every password zeroed, and the servers freed; c is then empty. */
void config_free(struct config *c);

/* The value of names[0..count) spelled v, or -1. */
int config_choice(const char *const *names, int count, const char *v);

/* Several servers: the file names them ([mysql NAME] sections). */
int config_named(const struct config *c);

/* The server called name, or NULL. */
const struct server_config *config_find(const struct config *c,
					const char *name);

/* Every key of a server's at its default, its name "". */
void config_server_defaults(struct server_config *s);

/* Every password c holds zeroed: once connected, or in a process that
 * will not connect with c. */
void config_forget_passwords(struct config *c);

/* Which config file to read: -c FILE, else $MYSQL_QUIESCE_CONFIG,
 * else the default. */
const char *config_path(const char *opt);

#endif
