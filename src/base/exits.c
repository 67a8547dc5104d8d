/* exits.c - the exit codes' names, from exits.h's one list. */
#include "exits.h"

#define EXIT_NAME(id, code, name) [code] = name,
static const char *const names[] = { EXIT_CODES(EXIT_NAME) };

const char *
exit_name(int code)
{
	if (code < 0 || code >= (int)(sizeof(names) / sizeof(names[0])) ||
	    names[code] == 0)
		return "unknown";
	return names[code];
}
