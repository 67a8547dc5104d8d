/* dynlib.c - a library's functions looked up all at once. */
#define _GNU_SOURCE
#include <dlfcn.h>

#include "dynlib.h"
#include "util.h"

void *
dynlib_open(const char *soname, const char *const *names, void **const *slots,
	    size_t n, struct failure *f)
{
	void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	size_t i;

	if (lib == NULL) {
		failf(f, MQ_FAIL, "cannot load %s: %s", soname, dlerror());
		return NULL;
	}
	for (i = 0; i < n; i++)
		if ((*slots[i] = dlsym(lib, names[i])) == NULL) {
			failf(f, MQ_FAIL, "%s has no %s", soname, names[i]);
			while (i > 0)
				*slots[--i] = NULL;
			dlclose(lib);
			return NULL;
		}
	return lib;
}
