/* tests/units/aws.c - unit tests: AWS: shared credentials files, the
 * SigV4 signer, EC2's XML. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds.h"
#include "util.h"
#include "xml.h"
#include "unit.h"

/* The AWS shared files: long lines, trimmed keys, sections. */
void
test_shared_creds(void)
{
	static char text[4000], tok[1100];
	struct aws_creds cr;
	int bad = 0, r;

	memset(tok, 'T', 1016);
	tok[1014] = tok[1015] = '=';
	tok[1016] = '\0';
	snprintf(text, sizeof(text), "# comment\n[other]\naws_access_key_id=X\n"
		 "[ prod ]\r\n  aws_access_key_id = AKIA1 \r\n"
		 "aws_secret_access_key=s/e+c=\n; c\naws_session_token = %s\n"
		 "region = eu-west-1\n[after]\naws_session_token = no\n", tok);
	memset(&cr, 0, sizeof(cr));
	r = creds_parse_shared(text, "prod", &cr, &bad);
	ok(r == 1 && strcmp(cr.key_id, "AKIA1") == 0 &&
	   strcmp(cr.secret, "s/e+c=") == 0 && strlen(cr.token) == 1016 &&
	   strcmp(cr.token, tok) == 0, "shared files: a 1,016-character "
	   "session token ending in == is read whole; blanks, CRs and other "
	   "sections are left out");
	snprintf(text, sizeof(text), "[prod]\naws_access_key_id = A\njunk\n");
	memset(&cr, 0, sizeof(cr));
	ok(creds_parse_shared(text, "prod", &cr, &bad) == -1 && bad == 3,
	   "shared files: a line that is not key = value is an error naming "
	   "its number");
	snprintf(text, sizeof(text), "[x]\na = b\n");
	ok(creds_parse_shared(text, "prod", &cr, &bad) == 0,
	   "shared files: a missing section is 0");
}

/* AWS's published SigV4 test suite (get-vanilla,
 * post-x-www-form-urlencoded), and a session-token request whose
 * signature botocore computes the same. */
void
test_sigv4(void)
{
	struct aws_creds cr = { .key_id = "AKIDEXAMPLE",
				.secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
	const char *pfx = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/"
			  "us-east-1/service/aws4_request, ";
	char out[1024], want[1024], body[256] = "", date[32];

	ok(sigv4_authorization(&cr, "us-east-1", "service", "GET",
			       "example.amazonaws.com", "/", "", NULL, NULL, 0,
			       "20150830T123600Z", out, sizeof(out)) == 0,
	   "sigv4: get-vanilla signs");
	fmt(want, sizeof(want), "%sSignedHeaders=host;x-amz-date, Signature="
	    "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
	    pfx);
	ok(strcmp(out, want) == 0, "sigv4: get-vanilla equals AWS's vector");
	sigv4_authorization(&cr, "us-east-1", "service", "POST",
			    "example.amazonaws.com", "/", "",
			    "application/x-www-form-urlencoded", "Param1=value1",
			    13, "20150830T123600Z", out, sizeof(out));
	fmt(want, sizeof(want), "%sSignedHeaders=content-type;host;x-amz-date, "
	    "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0"
	    "fe09473a", pfx);
	ok(strcmp(out, want) == 0,
	   "sigv4: post-x-www-form-urlencoded equals AWS's vector");
	fmt(cr.token, sizeof(cr.token), "TOKEN/+=");
	form_add(body, sizeof(body), "Action", "CreateSnapshots");
	form_add(body, sizeof(body), "Description", "a b~/");
	ok(strcmp(body, "Action=CreateSnapshots&Description=a+b~%2F") == 0,
	   "form encoding: space as +, ~ kept, / as %2F");
	sigv4_authorization(&cr, "us-east-1", "service", "POST",
			    "example.amazonaws.com", "/", "",
			    "application/x-www-form-urlencoded; charset=utf-8",
			    body, strlen(body), "20150830T123600Z", out,
			    sizeof(out));
	fmt(want, sizeof(want), "%sSignedHeaders=content-type;host;x-amz-date;"
	    "x-amz-security-token, Signature=5a29c423873c91e6da12f2f020015a0d"
	    "799f4636cf6baa7dc785211932d067f2", pfx);
	ok(strcmp(out, want) == 0, "sigv4: a session token is signed as "
	   "botocore signs it");
	fmt(cr.secret, sizeof(cr.secret), "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEz");
	sigv4_authorization(&cr, "us-east-1", "service", "POST",
			    "example.amazonaws.com", "/", "",
			    "application/x-www-form-urlencoded; charset=utf-8",
			    body, strlen(body), "20150830T123600Z", out,
			    sizeof(out));
	ok(strcmp(out, want) != 0, "sigv4: another secret, another signature");
	ok(sigv4_authorization(&cr, "us-east-1", "service", "GET", "h", "/", "",
			       NULL, NULL, 0, "20150830T123600Z", out, 40) == -1,
	   "sigv4: too small a buffer is an error");
	sigv4_amzdate(date, sizeof(date), 1440938160000LL);
	ok(strcmp(date, "20150830T123600Z") == 0, "sigv4: X-Amz-Date format");
	creds_wipe(&cr);
	ok(cr.secret[0] == '\0' && cr.token[0] == '\0', "creds_wipe clears "
	   "the secret and token");
}

void
test_xml(void)
{
	static const char doc[] =
		"<?xml version=\"1.0\"?><R xmlns=\"http://x\"><snapshotSet>"
		"<item><snapshotId>snap-1</snapshotId><tagSet><item><key>Name"
		"</key><value>a &amp; b</value></item></tagSet></item><item>"
		"<snapshotId>snap-2</snapshotId></item></snapshotSet>"
		"<p:nextToken xmlns:p=\"http://y\">t1</p:nextToken></R>";
	struct xnode *r, *it;
	struct failure ef;
	int n = 0;

	r = xml_parse(doc, strlen(doc), &ef);
	ok(r != NULL, "xml: parses");
	for (it = xml_child(xml_find(r, "snapshotSet"), "item"); it; it = it->next)
		n++;
	ok(n == 2, "xml: two items");
	ok(strcmp(xml_text(xml_child(xml_find(r, "snapshotSet"), "item"),
			   "tagSet/item/value"), "a & b") == 0,
	   "xml: a path's text, entities decoded");
	ok(strcmp(xml_text(r, "nextToken"), "t1") == 0,
	   "xml: a prefixed name is found by its local name");
	ok(strcmp(xml_text(r, "missing/path"), "") == 0, "xml: a missing path "
	   "is empty");
	xml_free(r);
	ok(xml_parse("<a><b></a>", 10, &ef) == NULL &&
	   strstr(ef.why, "mismatched") != NULL, "xml: broken XML is an error "
	   "naming why");
}
