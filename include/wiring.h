/* wiring.h - which callers are wired to mysql-quiesce, and which
 * wirings are broken (check); where wire (src/verb/wire.c) puts each
 * caller's wiring. */
#ifndef MQ_WIRING_H
#define MQ_WIRING_H

#include "config.h"

/* The first line after "#!/bin/sh" of every file wire writes (and of
 * the block it adds to GCE's config): a file without it is never
 * overwritten or removed. */
#define WIRING_MARK "# written by mysql-quiesce wire"

#define WIRING_VMW_SCRIPT "/etc/vmware-tools/backupScripts.d/50-mysql-quiesce"
#define WIRING_QGA_CONF "/etc/qemu/qemu-ga.conf"
#define WIRING_QGA_SCRIPT "/etc/qemu/mysql-quiesce-hook"
#define WIRING_AZ_JSON "/etc/azure/VMSnapshotScriptPluginConfig.json"
#define WIRING_AZ_PRE "/etc/azure/mysql-quiesce-pre.sh"
#define WIRING_AZ_POST "/etc/azure/mysql-quiesce-post.sh"
#define WIRING_GCE_PRE "/etc/google/snapshots/pre.sh"
#define WIRING_GCE_POST "/etc/google/snapshots/post.sh"
#define WIRING_GCE_CFG "/etc/default/instance_configs.cfg"
#define WIRING_NTX_PRE "/usr/local/sbin/pre_freeze"
#define WIRING_NTX_POST "/usr/local/sbin/post_thaw"
#define WIRING_DLM_TEMPLATE \
	"/usr/share/doc/mysql-quiesce/examples/aws-dlm-mysql-quiesce.yml"
#define WIRING_DLM_DOC "/etc/mysql-quiesce/aws-dlm-mysql-quiesce.yml"

/* Print one "ok", "FAIL" or "--" line per wiring found; return how
 * many are broken (a mode the caller refuses, a script that is not
 * ours, a caller's timeout not above c's snapshot_timeout, GCE's
 * snapshots disabled); server sv's max_lock_time weighed against
 * Azure's polls. Reads /etc/qemu, /etc/vmware-tools, /etc/azure,
 * /etc/google, /etc/default, /usr/local/sbin, /usr/sbin and the running
 * qemu-ga's command line; changes nothing. */
int wiring_report(const struct config *c, const struct server_config *sv);

#endif
