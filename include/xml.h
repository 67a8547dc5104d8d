/* xml.h - an XML answer (EC2's) as a small tree, parsed with expat. */
#ifndef MQ_XML_H
#define MQ_XML_H

#include "failure.h"

#include <stddef.h>

struct xnode {
	char *name;            /* element name, without a namespace */
	char *text;            /* its own character data, "" if none */
	size_t tlen;
	struct xnode *child, *last, *next, *parent;
};

/* Parse buf; the root element, or NULL with f saying why. */
struct xnode *xml_parse(const char *buf, size_t len, struct failure *f);

void xml_free(struct xnode *root);

/* The first child of x named name, or NULL. */
struct xnode *xml_child(const struct xnode *x, const char *name);

/* The text at a '/'-separated path of children below x, or "". */
const char *xml_text(const struct xnode *x, const char *path);

/* The first element named name at or below x (depth first), or NULL. */
struct xnode *xml_find(const struct xnode *x, const char *name);

#endif
