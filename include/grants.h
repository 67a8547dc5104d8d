/* grants.h - an account's effective global privileges, read from SHOW
 * GRANTS (its roles' included), not from USER_PRIVILEGES. */
#ifndef MQ_GRANTS_H
#define MQ_GRANTS_H

#include <stddef.h>

/*
 * One SHOW GRANTS line: if it grants global privileges ("GRANT A, B ON
 * *.* TO ..."), append them to privs (capacity n) as ",A,B," and return
 * 1; a role grant ("GRANT `r`@`%` TO ...") or a grant on a schema or
 * table: 0. -1 if privs is full.
 */
int grants_global(const char *line, char *privs, size_t n);

/* 1 if privs (from grants_global) grants name, or everything (ALL
 * PRIVILEGES; SUPER where alt says so is the caller's). */
int grants_has(const char *privs, const char *name);

#endif
