/* stmt.c - a small, conservative reader of SQL statement heads. It
 * never needs to understand a whole statement: only its first words
 * and, for single-table writes, the table they write. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "stmt.h"

/* Skip white space and comments (but not MySQL's executable
 * comments, which hold real statement text). */
static const char *
skip(const char *p)
{
	for (;;) {
		while (isspace((unsigned char)*p) || *p == '(')
			p++;
		if (p[0] == '/' && p[1] == '*' && p[2] != '!' && p[2] != 'M') {
			const char *e = strstr(p + 2, "*/");
			if (e == NULL)
				return p + strlen(p);
			p = e + 2;
		} else if (*p == '#' ||
			   (p[0] == '-' && p[1] == '-' &&
			    (p[2] == '\0' || isspace((unsigned char)p[2])))) {
			p += strcspn(p, "\n");
		} else {
			return p;
		}
	}
}

/* If the next word of *pp is w (any case), step past it and return 1. */
static int
word(const char **pp, const char *w)
{
	const char *p = skip(*pp);
	size_t n = strlen(w);

	if (strncasecmp(p, w, n) != 0 ||
	    isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '$')
		return 0;
	*pp = p + n;
	return 1;
}

/* Skip any of the given words, in any order, any number of times. */
static void
words(const char **pp, const char *const *ws)
{
	const char *const *w;
	int again = 1;

	while (again)
		for (again = 0, w = ws; *w != NULL; w++)
			if (word(pp, *w))
				again = 1;
}

/* One identifier, plain or `quoted`, into out; 0 or -1. */
static int
ident(const char **pp, char *out, size_t n)
{
	const char *p = skip(*pp);
	size_t j = 0;

	if (*p == '`') {
		for (p++;; p++) {
			if (*p == '\0')
				return -1;
			if (*p == '`') {
				if (p[1] != '`')
					break;
				p++;
			}
			if (j + 1 >= n)
				return -1;
			out[j++] = *p;
		}
		p++;
	} else {
		while (isalnum((unsigned char)*p) || *p == '_' || *p == '$' ||
		       (unsigned char)*p >= 0x80) {
			if (j + 1 >= n)
				return -1;
			out[j++] = *p++;
		}
	}
	if (j == 0)
		return -1;
	out[j] = '\0';
	*pp = p;
	return 0;
}

/* [db.]table into db and table; 0 or -1. */
static int
table_ref(const char **pp, char *db, size_t dn, char *table, size_t tn)
{
	const char *p;

	if (ident(pp, table, tn) == -1)
		return -1;
	p = *pp;
	if (*p == '.') {
		*pp = p + 1;
		if (strlen(table) >= dn)
			return -1;
		strcpy(db, table);
		return ident(pp, table, tn);
	}
	db[0] = '\0';
	return 0;
}

/* After an UPDATE's table: an optional alias, then SET. */
static int
update_tail(const char *p)
{
	char alias[256];

	if (word(&p, "SET"))
		return 0;
	word(&p, "AS");
	if (ident(&p, alias, sizeof(alias)) == -1)
		return -1;
	return word(&p, "SET") ? 0 : -1;
}

/* After a single-table DELETE's table: nothing that adds a table. */
static int
delete_tail(const char *p)
{
	p = skip(p);
	if (*p == '\0' || *p == ';')
		return 0;
	if (word(&p, "WHERE") || word(&p, "ORDER") || word(&p, "LIMIT") ||
	    word(&p, "RETURNING") || word(&p, "PARTITION"))
		return 0;
	return -1;
}

static const char *const ddl[] = {
	"ALTER", "CREATE", "DROP", "RENAME", "TRUNCATE", "OPTIMIZE",
	"REPAIR", "ANALYZE", "GRANT", "REVOKE", "IMPORT", "INSTALL",
	"UNINSTALL", "FLUSH", "LOCK", NULL,
};
static const char *const reads[] = {
	"SELECT", "SHOW", "EXPLAIN", "DESCRIBE", "DESC", "HELP", "CHECKSUM",
	"CHECK", NULL,
};

enum stmt_kind
stmt_classify(const char *info, char *db, size_t dn, char *table, size_t tn)
{
	static const char *const ins[] = { "LOW_PRIORITY", "DELAYED",
					   "HIGH_PRIORITY", "IGNORE", NULL };
	static const char *const upd[] = { "LOW_PRIORITY", "IGNORE", NULL };
	static const char *const del[] = { "LOW_PRIORITY", "QUICK", "IGNORE",
					   NULL };
	static const char *const load[] = { "LOW_PRIORITY", "CONCURRENT",
					    "LOCAL", NULL };
	const char *p = info;
	size_t i;

	db[0] = table[0] = '\0';
	for (i = 0; reads[i] != NULL; i++)
		if (word(&p, reads[i]))
			return STMT_READ;
	for (i = 0; ddl[i] != NULL; i++)
		if (word(&p, ddl[i]))
			return STMT_DDL;
	if (word(&p, "INSERT") || word(&p, "REPLACE")) {
		words(&p, ins);
		word(&p, "INTO");
		if (table_ref(&p, db, dn, table, tn) == 0)
			return STMT_WRITE;
	} else if (word(&p, "UPDATE")) {
		words(&p, upd);
		if (table_ref(&p, db, dn, table, tn) == 0 &&
		    update_tail(p) == 0)
			return STMT_WRITE;
	} else if (word(&p, "DELETE")) {
		words(&p, del);
		if (word(&p, "FROM") &&
		    table_ref(&p, db, dn, table, tn) == 0 &&
		    delete_tail(p) == 0)
			return STMT_WRITE;
	} else if (word(&p, "LOAD")) {
		if (word(&p, "DATA") || word(&p, "XML")) {
			words(&p, load);
			if (word(&p, "INFILE")) {
				p = skip(p);
				if (*p == '\'' || *p == '"') {
					char q = *p++;
					for (; *p != '\0' && *p != q; p++)
						if (*p == '\\' && p[1] != '\0')
							p++;
					if (*p == q)
						p++;
					words(&p, (const char *const[]){
						"REPLACE", "IGNORE", NULL });
					if (word(&p, "INTO") &&
					    word(&p, "TABLE") &&
					    table_ref(&p, db, dn, table,
						      tn) == 0)
						return STMT_WRITE;
				}
			}
		}
	}
	db[0] = table[0] = '\0';
	return STMT_UNKNOWN;
}

/* Functions a table-less statement may call without opening a table
 * (a stored function would open its own). */
static const char *const builtins[] = {
	"SLEEP", "BENCHMARK", "GET_LOCK", "RELEASE_LOCK", "IS_FREE_LOCK",
	"IS_USED_LOCK", "MASTER_POS_WAIT", "SOURCE_POS_WAIT",
	"MASTER_GTID_WAIT", "WAIT_FOR_EXECUTED_GTID_SET", "NOW",
	"CONNECTION_ID", "VERSION", "DATABASE", "USER", "CURRENT_USER",
	"RAND", "CONCAT", "MD5", "SHA1", "SHA2", "CAST", "CONVERT", "IF",
	"IFNULL", "COALESCE", NULL,
};

int
stmt_tableless(const char *info, size_t cut)
{
	const char *p = info;
	char id[64];

	if (strlen(info) >= cut || !(word(&p, "SELECT") || word(&p, "DO")))
		return 0;
	while (*(p = skip(p)) != '\0') {
		if (*p == '\'' || *p == '"') {
			char q = *p++;

			for (; *p != '\0' && *p != q; p++)
				if (*p == '\\' && p[1] != '\0')
					p++;
			if (*p == '\0')
				return 0;
			p++;
		} else if (*p == '`' || isalpha((unsigned char)*p) ||
			   *p == '_') {
			size_t i;

			if (*p == '`' || ident(&p, id, sizeof(id)) == -1)
				return 0; /* a quoted or overlong name */
			if (strcasecmp(id, "FROM") == 0 ||
			    strcasecmp(id, "TABLE") == 0 ||
			    strcasecmp(id, "INTO") == 0)
				return 0;
			/* a call: only a function that opens no table */
			while (isspace((unsigned char)*p))
				p++;
			if (*p == '(') {
				for (i = 0; builtins[i] != NULL; i++)
					if (strcasecmp(id, builtins[i]) == 0)
						break;
				if (builtins[i] == NULL)
					return 0;
			}
		} else if (*p == '/' && p[1] == '*') {
			return 0; /* an executable comment: could be anything */
		} else {
			p++;
		}
	}
	return 1;
}

const char *
stmt_kind_name(enum stmt_kind k)
{
	static const char *const names[] = { "read", "write", "DDL",
					     "unknown" };
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}
