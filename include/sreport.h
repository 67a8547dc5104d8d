/* sreport.h - seed's report (src/seed/sreport.c). */
#ifndef MQ_SREPORT_H
#define MQ_SREPORT_H

#include "seed.h"
#include "verify.h"

/* What seed checked, reset and ran, and how it ended (code): text,
 * the reason on stderr last; or one JSON object on stdout. */
void seed_report_text(const struct seed *s, const struct verify *v, int code);
void seed_report_json(const struct seed *s, const struct verify *v, int code);

#endif
