/* thaw.c - post-thaw-script: release the lock through the quiesce
 * core, say how long it held. */
#define _GNU_SOURCE

#include "log.h"
#include "release.h"
#include "util.h"
#include "main.h"
#include "multi.h"

static int
thaw(const struct config *c, int freeze_failed, const struct call *o)
{
	struct failure f;
	struct state s;

	log_init(c, o->sv, "thaw");
	/* Nothing before the release that it does not need: every line
	 * here is written after it. */
	release_lock(c, o->sv, &s, &f);
	if (o->config_warning != NULL)
		log_err("%s; released all the same: a release needs no "
			"password, and none was kept", o->config_warning);
	if (freeze_failed)
		log_info("freezeFail: the snapshot was not taken");
	hook_arg_log(o->hook_arg);
	return fail_log(&f);
}

int
thaw_main(const struct config *c, const struct call *o)
{
	if (o->sv == NULL)
		return multi_thaw(c, o, "thaw", thaw_main);
	return thaw(c, 0, o);
}

int
freeze_fail_main(const struct config *c, const struct call *o)
{
	if (o->sv == NULL)
		return multi_thaw(c, o, "freezeFail", freeze_fail_main);
	return thaw(c, 1, o);
}
