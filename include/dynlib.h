/* dynlib.h - libraries opened when first needed, not at exec. */
#ifndef MQ_DYNLIB_H
#define MQ_DYNLIB_H

#include "failure.h"

#include <stddef.h>

/*
 * Open soname (RTLD_NOW | RTLD_LOCAL) and store the address of each
 * names[i] in *slots[i] (a function pointer's storage): all, or none
 * and the library closed. The handle, or NULL with "cannot load
 * SONAME: why" / "SONAME has no NAME" in f.
 */
void *dynlib_open(const char *soname, const char *const *names,
		  void **const *slots, size_t n, struct failure *f);

#endif
