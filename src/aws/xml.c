/* aws/xml.c - EC2's XML answers as a small tree, with expat. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "util.h"
#include "xml.h"

enum { XML_MAX_NODES = 1 << 20, XML_MAX_DEPTH = 64 };

struct build {
	struct xnode *root, *cur;
	long nodes;
	int depth, failed;
};

static void
on_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct build *b = arg;
	const char *colon = strrchr(name, ':');
	struct xnode *x;

	(void)attrs;
	if (b->failed)
		return;
	if (colon != NULL) /* a prefixed name: the local part */
		name = colon + 1;
	if (++b->nodes > XML_MAX_NODES || ++b->depth > XML_MAX_DEPTH ||
	    (x = calloc(1, sizeof(*x))) == NULL ||
	    (x->name = strdup(name)) == NULL ||
	    (x->text = calloc(1, 1)) == NULL) {
		b->failed = 1;
		return;
	}
	x->parent = b->cur;
	if (b->cur == NULL)
		b->root = x;
	else if (b->cur->last == NULL)
		b->cur->child = b->cur->last = x;
	else
		b->cur->last = b->cur->last->next = x;
	b->cur = x;
}

static void
on_end(void *arg, const XML_Char *name)
{
	struct build *b = arg;

	(void)name;
	if (b->failed || b->cur == NULL)
		return;
	b->cur = b->cur->parent;
	b->depth--;
}

static void
on_text(void *arg, const XML_Char *s, int len)
{
	struct build *b = arg;
	struct xnode *x = b->cur;
	char *t;

	if (b->failed || x == NULL || len <= 0)
		return;
	if ((t = realloc(x->text, x->tlen + (size_t)len + 1)) == NULL) {
		b->failed = 1;
		return;
	}
	memcpy(t + x->tlen, s, (size_t)len);
	x->tlen += (size_t)len;
	t[x->tlen] = '\0';
	x->text = t;
}

struct xnode *
xml_parse(const char *buf, size_t len, struct failure *f)
{
	struct build b = { 0 };
	XML_Parser p;
	int ok;

	if ((p = XML_ParserCreate("UTF-8")) == NULL) {
		failf(f, MQ_FAIL, "out of memory");
		return NULL;
	}
	XML_SetUserData(p, &b);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_text);
	ok = XML_Parse(p, buf, (int)len, 1) == XML_STATUS_OK && !b.failed &&
	     b.root != NULL;
	if (!ok)
		failf(f, MQ_FAIL, "%s", b.failed ? "answer too large or out of "
		    "memory" : b.root == NULL && XML_GetErrorCode(p) ==
		    XML_ERROR_NONE ? "empty answer" :
		    XML_ErrorString(XML_GetErrorCode(p)));
	XML_ParserFree(p);
	if (!ok) {
		xml_free(b.root);
		return NULL;
	}
	return b.root;
}

void
xml_free(struct xnode *x)
{
	while (x != NULL) {
		struct xnode *next = x->next;

		xml_free(x->child);
		free(x->name);
		free(x->text);
		free(x);
		x = next;
	}
}

struct xnode *
xml_child(const struct xnode *x, const char *name)
{
	struct xnode *c;

	for (c = x != NULL ? x->child : NULL; c != NULL; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

const char *
xml_text(const struct xnode *x, const char *path)
{
	char part[128];

	while (x != NULL && *path != '\0') {
		size_t len = strcspn(path, "/");

		if (len >= sizeof(part))
			return "";
		memcpy(part, path, len);
		part[len] = '\0';
		x = xml_child(x, part);
		path += len + (path[len] == '/');
	}
	return x != NULL ? x->text : "";
}

struct xnode *
xml_find(const struct xnode *x, const char *name)
{
	struct xnode *c, *r;

	if (x == NULL)
		return NULL;
	if (strcmp(x->name, name) == 0)
		return (struct xnode *)x;
	for (c = x->child; c != NULL; c = c->next)
		if ((r = xml_find(c, name)) != NULL)
			return r;
	return NULL;
}
