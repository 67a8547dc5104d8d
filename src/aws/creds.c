/* aws/creds.c - the standard credential chain: environment, shared
 * credentials and config files (read by their own rules), instance
 * role (IMDSv2, JSON read with jansson). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "creds.h"
#include "openpath.h"
#include "util.h"

/*
 * MUST: a secret or token is copied only into struct aws_creds; every
 * buffer that held one on the way (HTTP answers, JSON) is wiped; no
 * message names more than where the credentials came from.
 */

enum { ROLE_REFRESH_MS = 5 * 60 * 1000 };

static int
from_env(struct aws_creds *cr)
{
	const char *id = getenv("AWS_ACCESS_KEY_ID");
	const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
	const char *token = getenv("AWS_SESSION_TOKEN");

	if (id == NULL || *id == '\0' || secret == NULL || *secret == '\0')
		return 0;
	if (fmt(cr->key_id, sizeof(cr->key_id), "%s", id) == -1 ||
	    fmt(cr->secret, sizeof(cr->secret), "%s", secret) == -1 ||
	    fmt(cr->token, sizeof(cr->token), "%s", token ? token : "") == -1)
		return -1;
	fmt(cr->source, sizeof(cr->source), "the environment "
	    "(AWS_ACCESS_KEY_ID)");
	return 1;
}

/*
 * The shared files' own rules (the AWS CLI's): "[section]" lines and
 * "key = value" lines of any length (a session token runs past 1,000
 * characters), blanks around both trimmed, lines starting '#' or ';'
 * comments, nothing else. Keys of section want fill cr. 1 the section
 * is there, 0 it is not, -1 a line breaks the rules or a value does
 * not fit (*bad_line says which line; never its text: it may be a
 * secret).
 */
int
creds_parse_shared(char *text, const char *want, struct aws_creds *cr,
		   int *bad_line)
{
	char *line, *next, section[300] = "";
	int found = 0, no = 0;

	for (line = text; line != NULL; line = next) {
		char *eq, *key, *val, *dst = NULL;
		size_t n = 0;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		no++;
		trim_blanks(line);
		if (*line == '\0' || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			size_t len = strlen(line);

			if (line[len - 1] != ']' || fmt(section,
			    sizeof(section), "%.*s", (int)len - 2, line + 1))
				goto bad;
			trim_blanks(section);
			found |= strcmp(section, want) == 0;
			continue;
		}
		if ((eq = strchr(line, '=')) == NULL)
			goto bad;
		*eq = '\0';
		key = line;
		val = eq + 1;
		trim_blanks(key);
		trim_blanks(val);
		if (strcmp(section, want) != 0)
			continue;
		if (strcmp(key, "aws_access_key_id") == 0)
			dst = cr->key_id, n = sizeof(cr->key_id);
		else if (strcmp(key, "aws_secret_access_key") == 0)
			dst = cr->secret, n = sizeof(cr->secret);
		else if (strcmp(key, "aws_session_token") == 0)
			dst = cr->token, n = sizeof(cr->token);
		if (dst != NULL && fmt(dst, n, "%s", val) == -1)
			goto bad;
	}
	return found;
bad:
	*bad_line = no;
	return -1;
}

enum { SHARED_FILE_MAX = 1 << 20 };

/* Read section want of path into cr. 1 the section is there, 0 the
 * file or section is not, -1 unsafe or unreadable (f set). */
static int
scan_file(const char *path, const char *want, struct aws_creds *cr,
	  struct failure *f)
{
	char what[4200], *text = NULL;
	struct failure lf;
	struct stat st;
	size_t len = 0;
	int fd, r, bad = 0;

	fmt(what, sizeof(what), "AWS credentials file %s", path);
	fd = open_path("AWS credentials file", path, O_RDONLY, 0, &lf);
	if (fd == -1) {
		if (errno == ENOENT)
			return 0;
		failf(f, MQ_CONFIG, "%s", lf.why);
		return -1;
	}
	if (fd_check_safe(fd, what, &st, &lf) == -1) {
		close(fd);
		failf(f, MQ_CONFIG, "%s", lf.why);
		return -1;
	}
	r = read_text(fd, SHARED_FILE_MAX, &text, &len);
	close(fd);
	if (r == -1) {
		failf(f, len > SHARED_FILE_MAX ? MQ_CONFIG : MQ_FAIL, "%s: %s",
		      what, len > SHARED_FILE_MAX ? "larger than 1 MiB" :
		      strerror(errno));
		return -1;
	}
	r = strlen(text) == len ? creds_parse_shared(text, want, cr, &bad)
				: (bad = 0, -1);
	explicit_bzero(text, len);
	free(text);
	if (r == -1) {
		if (bad > 0)
			failf(f, MQ_CONFIG, "%s: line %d is neither [section] "
			      "nor key = value, or its value is too long", what,
			      bad);
		else
			failf(f, MQ_CONFIG, "%s: holds a NUL byte", what);
		return -1;
	}
	if (r == 1 && (st.st_mode & (S_IRGRP | S_IROTH)) &&
	    cr->secret[0] != '\0')
		log_warn("AWS credentials file %s may be read by group or "
			 "others (chmod 600 it)", path);
	return r;
}

static const char *
home(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h != NULL && *h == '/')
		return h;
	pw = getpwuid(geteuid());
	return pw != NULL ? pw->pw_dir : "/root";
}

/* 1 found, 0 not, -1 error. */
static int
from_files(struct aws_creds *cr, const char *profile, int explicit_profile,
	   struct failure *f)
{
	const char *cf = getenv("AWS_SHARED_CREDENTIALS_FILE");
	const char *kf = getenv("AWS_CONFIG_FILE");
	char cpath[4096], kpath[4096], csec[300], ksec[300];
	int a, b;

	fmt(cpath, sizeof(cpath), "%s", cf && *cf ? cf : "");
	if (cpath[0] == '\0')
		fmt(cpath, sizeof(cpath), "%s/.aws/credentials", home());
	fmt(kpath, sizeof(kpath), "%s", kf && *kf ? kf : "");
	if (kpath[0] == '\0')
		fmt(kpath, sizeof(kpath), "%s/.aws/config", home());
	fmt(csec, sizeof(csec), "%s", profile);
	/* the config file spells a profile "[profile NAME]" */
	if (strcmp(profile, "default") == 0)
		fmt(ksec, sizeof(ksec), "default");
	else
		fmt(ksec, sizeof(ksec), "profile %s", profile);
	if ((a = scan_file(cpath, csec, cr, f)) == -1)
		return -1;
	if (cr->key_id[0] == '\0' || cr->secret[0] == '\0') {
		if ((b = scan_file(kpath, ksec, cr, f)) == -1)
			return -1;
		a |= b;
	}
	if (cr->key_id[0] != '\0' && cr->secret[0] != '\0') {
		fmt(cr->source, sizeof(cr->source), "the shared files, "
		    "profile %s", profile);
		return 1;
	}
	creds_wipe(cr);
	cr->key_id[0] = '\0';
	if (explicit_profile) {
		failf(f, MQ_CONFIG, "AWS profile %s: %s", profile, a ?
		      "has no aws_access_key_id and aws_secret_access_key" :
		      "not found in the shared credentials or config file");
		return -1;
	}
	return 0;
}

/* "2026-11-23T20:00:00Z" as real ms; 0 if it does not parse. */
static int64_t
parse_time(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end == NULL)
		return 0;
	return (int64_t)timegm(&tm) * 1000;
}

static int
from_role(struct aws_creds *cr, struct imds *im, int64_t deadline,
	  struct failure *f)
{
	static char body[16384];
	char role[256], path[400];
	struct failure ef;
	const char *id, *secret, *token, *exp;
	json_error_t je;
	json_t *j;
	int r;

	r = imds_get(im, "meta-data/iam/security-credentials/", role,
		     sizeof(role), deadline, &ef);
	if (r == 1)
		return failf(f, MQ_CONFIG, "no AWS credentials: none in the "
			     "environment or the shared files, and the "
			     "instance has no role");
	if (r == -1)
		return failf(f, MQ_CONFIG, "no AWS credentials in the "
			     "environment or the shared files, and the "
			     "instance role cannot be read: %s", ef.why);
	role[strcspn(role, "\r\n")] = '\0';
	if (role[0] == '\0' || strchr(role, '/') != NULL)
		return failf(f, MQ_CONFIG, "instance metadata names no usable "
			     "role");
	fmt(path, sizeof(path), "meta-data/iam/security-credentials/%s", role);
	r = imds_get(im, path, body, sizeof(body), deadline, &ef);
	if (r != 0)
		return failf(f, MQ_CONFIG, "instance role %s: %s", role,
			     r == 1 ? "no credentials" : ef.why);
	j = json_loads(body, 0, &je);
	explicit_bzero(body, sizeof(body));
	if (j == NULL)
		return failf(f, MQ_CONFIG, "instance role %s: credentials are "
			     "not JSON (line %d)", role, je.line);
	id = json_string_value(json_object_get(j, "AccessKeyId"));
	secret = json_string_value(json_object_get(j, "SecretAccessKey"));
	token = json_string_value(json_object_get(j, "Token"));
	exp = json_string_value(json_object_get(j, "Expiration"));
	r = id == NULL || secret == NULL || token == NULL ||
	    fmt(cr->key_id, sizeof(cr->key_id), "%s", id) == -1 ||
	    fmt(cr->secret, sizeof(cr->secret), "%s", secret) == -1 ||
	    fmt(cr->token, sizeof(cr->token), "%s", token) == -1;
	cr->expires = exp != NULL ? parse_time(exp) : 0;
	/* jansson's copies of the secret go with the object */
	if (secret != NULL)
		explicit_bzero((char *)secret, strlen(secret));
	if (token != NULL)
		explicit_bzero((char *)token, strlen(token));
	json_decref(j);
	if (r) {
		creds_wipe(cr);
		return failf(f, MQ_CONFIG, "instance role %s: the answer lacks "
			     "AccessKeyId, SecretAccessKey or Token", role);
	}
	fmt(cr->source, sizeof(cr->source), "the instance role %s", role);
	if (cr->expires != 0 && cr->expires <= real_ms()) {
		char when[48];

		iso_time(when, sizeof(when), cr->expires);
		creds_wipe(cr);
		return failf(f, MQ_PRIV, "instance role %s: instance metadata "
			     "served credentials that expired at %s", role,
			     when);
	}
	return MQ_OK;
}

int
creds_find(struct aws_creds *cr, const char *profile, struct imds *im,
	   int64_t deadline, struct failure *f)
{
	const char *env_profile = getenv("AWS_PROFILE");
	int configured = profile[0] != '\0';
	int named = configured || (env_profile != NULL && *env_profile != '\0');
	int r;

	memset(cr, 0, sizeof(*cr));
	if (!configured)
		profile = named ? env_profile : "default";
	/* [ebs] profile is asked for by name: it wins over the
	 * environment's keys; AWS_PROFILE only names the profile */
	if (!configured) {
		if ((r = from_env(cr)) == 1)
			return MQ_OK;
		if (r == -1)
			return failf(f, MQ_CONFIG, "AWS credentials in the "
				     "environment are too long");
	}
	if ((r = from_files(cr, profile, named, f)) == 1)
		return MQ_OK;
	if (r == -1)
		return f->code;
	return from_role(cr, im, deadline, f);
}

int
creds_refresh(struct aws_creds *cr, struct imds *im, int64_t margin_ms,
	      int64_t deadline, struct failure *f)
{
	if (cr->expires == 0 || strncmp(cr->source, "the instance role", 17) != 0)
		return MQ_OK;
	if (cr->expires - real_ms() > (margin_ms > 0 ? margin_ms :
				       ROLE_REFRESH_MS))
		return MQ_OK;
	{
		char when[48];

		iso_time(when, sizeof(when), cr->expires);
		log_info("the instance role's credentials expire at %s: "
			 "fetching them again", when);
	}
	creds_wipe(cr);
	return from_role(cr, im, deadline, f);
}
