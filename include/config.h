/* config.h - the one configuration struct, generated from one list. */
#ifndef MQ_CONFIG_H
#define MQ_CONFIG_H

#include <stddef.h>

#define DEFAULT_CONFIG "/etc/mysql-quiesce.conf"
#define CONFIG_ENV "MYSQL_QUIESCE_CONFIG"

/*
 * X(section, key, type, default, min, max, choices)
 * type: STR (free text), NUM (integer in [min, max]),
 *       ENUM (one of the '|'-separated choices).
 * The README and the man page document each of these keys.
 */
#define CONFIG_ITEMS(X)                                                      \
	X(mysql, defaults_file, STR, "", 0, 0, NULL)                        \
	X(mysql, socket, STR, "", 0, 0, NULL)                               \
	X(mysql, host, STR, "", 0, 0, NULL)                                 \
	X(mysql, port, NUM, "0", 0, 65535, NULL)                            \
	X(mysql, user, STR, "", 0, 0, NULL)                                 \
	X(mysql, password, STR, "", 0, 0, NULL)                             \
	X(lock, method, ENUM, "auto", 0, 0,                                 \
	  "auto|backup-stage|ftwrl|percona-backup-locks")                   \
	X(lock, wait_timeout, NUM, "10", 1, 3600, NULL)                     \
	X(lock, max_lock_time, NUM, "60", 1, 86400, NULL)                   \
	X(lock, snapshot_timeout, NUM, "600", 1, 86400, NULL)               \
	X(lock, long_query_threshold, NUM, "10", 1, 86400, NULL)            \
	X(lock, ignore_commands, STR,                                       \
	  "Sleep, Daemon, Binlog Dump, Binlog Dump GTID", 0, 0, NULL)       \
	X(lock, kill_long_queries, ENUM, "no", 0, 0, "no|select|all")       \
	X(lock, max_writer_wait, NUM, "500", 0, 3600000, NULL)              \
	X(lock, on_failure, ENUM, "fail", 0, 0, "fail|proceed")             \
	X(files, run_dir, STR, "/run/mysql-quiesce", 0, 0, NULL)            \
	X(files, log_file, STR, "/var/log/mysql-quiesce.log", 0, 0, NULL)   \
	X(files, binlog_info_file, STR, "", 0, 0, NULL)                    \
	X(files, metrics_file, STR, "", 0, 0, NULL)                        \
	X(log, syslog, ENUM, "no", 0, 0, "no|yes")                          \
	X(log, facility, ENUM, "daemon", 0, 0, "daemon|user|local0|local1|" \
	  "local2|local3|local4|local5|local6|local7")                      \
	X(snapshot, timeout, NUM, "0", 0, 86400, NULL)                     \
	X(snapshot, proc_root, STR, "/proc", 0, 0, NULL)                    \
	X(snapshot, sys_root, STR, "/sys", 0, 0, NULL)                     \
	X(ebs, region, STR, "", 0, 0, NULL)                                \
	X(ebs, profile, STR, "", 0, 0, NULL)                               \
	X(ebs, name_suffix, STR, "", 0, 0, NULL)                           \
	X(ebs, keep, NUM, "0", 0, 100000, NULL)                            \
	X(ebs, tags, STR, "", 0, 0, NULL)                                  \
	X(ebs, endpoint, STR, "", 0, 0, NULL)                              \
	X(ebs, imds_endpoint, STR, "http://169.254.169.254", 0, 0, NULL)   \
	X(ebs, timeout, NUM, "10", 1, 3600, NULL)

#define CONFIG_STR_MAX 512

#define CFG_FIELD_STR(name) char name[CONFIG_STR_MAX];
#define CFG_FIELD_ENUM(name) char name[CONFIG_STR_MAX];
#define CFG_FIELD_NUM(name) long long name;
#define CFG_FIELD(sec, key, type, def, lo, hi, ch) CFG_FIELD_##type(sec##_##key)

struct config {
	CONFIG_ITEMS(CFG_FIELD)
	char path[CONFIG_STR_MAX]; /* absolute path of the file read */
	int has_ebs;               /* the file has an [ebs] section */
};

/*
 * Read the config file at path (absolute or relative) into c, after
 * setting every key to its default. Refuses a file that group or others
 * may write, or that holds a password and group or others may read.
 * Returns 0, or -1 with a one-line reason (naming the file and line)
 * in err; c is then unusable.
 */
int config_load(struct config *c, const char *path, char *err, size_t n);

/* Parse config text (no file checks); for config_load and the tests.
 * Returns 0 or -1 with err set. */
int config_parse_string(struct config *c, const char *text, char *err,
			size_t n);

/* Set every key to its default. */
void config_defaults(struct config *c);

/* Which config file to read: -c FILE, else $MYSQL_QUIESCE_CONFIG,
 * else the default. */
const char *config_path(const char *opt);

#endif
