/* vcopy.h - verify's full copy of a snapshot (src/verify/vcopy.c). */
#ifndef MQ_VCOPY_H
#define MQ_VCOPY_H

#include <stddef.h>

struct verify;

/*
 * A copy of SRC in DST that is its content and nothing more: SRC is
 * walked first and refused (why says which entry) if it holds a device
 * node, FIFO or socket, which a copy made as root would recreate on a
 * filesystem that honours them (a hostile snapshot's node for a host
 * disk, handed to the server's user); the copy keeps no mode bit of
 * SRC's (no set-user-ID, no device) beyond what the umask gives, then
 * everything in DST is made the server's user's (no symlink followed).
 * Ended at v's deadline or a stop signal. 0, or -1 (why filled when SRC
 * was refused or the copy cut short).
 */
int verify_copy_tree(const struct verify *v, const char *src,
		     const char *dst, char *why, size_t n);

#endif
