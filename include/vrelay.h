/* vrelay.h - verify's check of a replica's recorded source position
 * against its relay logs (src/verify/vrelay.c). */
#ifndef MQ_VRELAY_H
#define MQ_VRELAY_H

#include "verify.h"

/* The first channel's recorded source position checked against the
 * recorded GTID set in the snapshot's relay logs. */
void verify_check_relay(struct verify *v);

#endif
