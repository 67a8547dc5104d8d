/* vinfo.h - the snapshot's info file and files read from it
 * (src/verify/vinfo.c). */
#ifndef MQ_VINFO_H
#define MQ_VINFO_H

#include "failure.h"

#include <stddef.h>
#include <stdint.h>

#include "verify.h"

/* The info file, read bounded and checked. */
void verify_read_info(struct verify *v);


#endif
