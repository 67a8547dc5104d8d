/* wiring.h - which callers (QEMU guest agent, VMware Tools) are wired
 * to mysql-quiesce, and which wirings are broken. */
#ifndef MQ_WIRING_H
#define MQ_WIRING_H

/* Print one "ok", "FAIL" or "--" line per wiring found; return how
 * many are broken. Reads /etc/qemu, /etc/vmware-tools, /usr/sbin and
 * the running qemu-ga's command line; changes nothing. */
int wiring_report(void);

#endif
