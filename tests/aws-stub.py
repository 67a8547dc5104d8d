#!/usr/bin/env python3
"""aws-stub.py - test peers for the EBS backend, on 127.0.0.1 only.

  aws-stub.py imds PORT DIR    IMDSv2 stand-in: a token PUT is required
                               (with a TTL header), every GET must carry
                               it. Serves DIR/instance-id, DIR/region,
                               DIR/name (absent: tags off, 404) and the
                               role DIR/role with DIR/role.json.
  aws-stub.py proxy PORT MOTO_URL DIR
                               EC2 in front of moto: forwards requests
                               unchanged (moto checks the signature;
                               the proxy, as EC2 and not moto does,
                               refuses an X-Amz-Date that is not UTC now
                               within 15 minutes: RequestExpired);
                               logs each Action and its parameters to
                               DIR/requests.log (never a header); and
                               misbehaves as DIR/mode says, one word a
                               line:
      copy SRC DST     on a real CreateSnapshots, copy SRC to DST first
                       (the point in time of the snapshot)
      throttle N       answer the next N CreateSnapshots with 400
                       RequestLimitExceeded
      error500 N       answer the next N CreateSnapshots with 500
      hang             never answer CreateSnapshots (DryRun excepted)
      hang-after       forward CreateSnapshots, then never answer
      made500          forward CreateSnapshots (EC2 makes the set), then
                       answer 500 InternalError
      describe500      answer every DescribeSnapshots with 500
      page N           split DescribeSnapshots answers into pages of N
      token FILE       as EC2 does for temporary credentials: refuse
                       (AuthFailure) any request whose session token
                       header is not FILE's content, byte for byte;
                       forward the others signed anew (botocore) with
                       the role's own credentials from DIR/world.json,
                       since moto takes no token it did not issue
"""
import http.client
import http.server
import json
import os
import shutil
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

lock = threading.Lock()


def read(path, default=None):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return default


class Imds(http.server.BaseHTTPRequestHandler):
    tokens = set()

    def log_message(self, *a):
        pass

    def send(self, code, body=b""):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        if self.path != "/latest/api/token" or \
                "X-aws-ec2-metadata-token-ttl-seconds" not in self.headers:
            return self.send(400)
        tok = "tok-%d-%f" % (os.getpid(), time.time())
        Imds.tokens.add(tok)
        self.send(200, tok.encode())

    def do_GET(self):
        d = self.server.dir
        if self.headers.get("X-aws-ec2-metadata-token") not in Imds.tokens:
            return self.send(401)
        p = self.path
        role = read(os.path.join(d, "role"))
        table = {
            "/latest/meta-data/instance-id": read(os.path.join(d, "instance-id")),
            "/latest/meta-data/placement/region": read(os.path.join(d, "region")),
            "/latest/meta-data/tags/instance/Name": read(os.path.join(d, "name")),
        }
        if role:
            table["/latest/meta-data/iam/security-credentials/"] = role
            table["/latest/meta-data/iam/security-credentials/" + role] = \
                read(os.path.join(d, "role.json"))
        v = table.get(p)
        if v is None:
            return self.send(404)
        self.send(200, v.encode())


def modes(d):
    out = {}
    for line in (read(os.path.join(d, "mode"), "") or "").splitlines():
        w = line.split()
        if w:
            out[w[0]] = w[1:]
    return out


def set_mode(d, key, args):
    m = modes(d)
    if args is None:
        m.pop(key, None)
    else:
        m[key] = args
    with open(os.path.join(d, "mode"), "w") as f:
        for k, v in m.items():
            f.write(" ".join([k] + v) + "\n")


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    pages = {}

    def log_message(self, *a):
        pass

    def reply(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, code, ecode, msg):
        self.reply(code, ("<Response><Errors><Error><Code>%s</Code><Message>%s"
                          "</Message></Error></Errors><RequestID>stub"
                          "</RequestID></Response>" % (ecode, msg)).encode())

    def resigned(self, body):
        """The request's headers, signed anew with the role's credentials."""
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        with open(os.path.join(self.server.dir, "world.json")) as f:
            w = json.load(f)
        r = w["role"]
        req = AWSRequest(method="POST", url=self.server.moto + "/", data=body,
                         headers={"Content-Type": self.headers["Content-Type"]})
        SigV4Auth(Credentials(r["id"], r["secret"], r["token"]), "ec2",
                  w["region"]).add_auth(req)
        return dict(req.headers.items())

    def forward(self, body, hdrs=None):
        u = urllib.parse.urlparse(self.server.moto)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        if hdrs is None:
            hdrs = {k: v for k, v in self.headers.items()
                    if k.lower() not in ("content-length", "connection")}
        c.request("POST", "/", body=body, headers=hdrs)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, data

    def do_POST(self):
        d = self.server.dir
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        params = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        action = params.get("Action", "")
        dry = params.get("DryRun") == "true"
        amz = self.headers.get("X-Amz-Date", "")
        try:
            skew = abs(time.mktime(time.strptime(amz, "%Y%m%dT%H%M%SZ")) -
                       time.mktime(time.gmtime()))
        except ValueError:
            skew = None
        if skew is None or skew > 900:
            # as EC2: the signature's time must be UTC now, +-15 minutes
            return self.error(400, "RequestExpired", "Request has expired "
                              "(X-Amz-Date %s)" % amz)
        with lock:
            with open(os.path.join(d, "requests.log"), "a") as f:
                f.write("%.3f %s %s\n" % (time.time(), action, json.dumps(
                    {k: v for k, v in params.items()
                     if k not in ("Action", "Version")}, sort_keys=True)))
            m = modes(d)
        if "token" in m:
            if self.headers.get("X-Amz-Security-Token") != read(m["token"][0]):
                return self.error(401, "AuthFailure", "the session token is "
                                  "not the one issued (stub)")
            st, data = self.forward(body, self.resigned(body))
            return self.reply(st, data)
        if action == "CreateSnapshots" and not dry:
            if "throttle" in m and int(m["throttle"][0]) > 0:
                set_mode(d, "throttle", [str(int(m["throttle"][0]) - 1)])
                return self.error(400, "RequestLimitExceeded", "Request limit exceeded.")
            if "error500" in m and int(m["error500"][0]) > 0:
                set_mode(d, "error500", [str(int(m["error500"][0]) - 1)])
                return self.error(500, "InternalError", "An internal error has occurred")
            if "hang" in m:
                time.sleep(3600)
                return
            if "copy" in m:
                shutil.copyfile(m["copy"][0], m["copy"][1])
            st, data = self.forward(body)
            if "made500" in m:
                return self.error(500, "InternalError", "An internal error has occurred")
            if "hang-after" in m:
                set_mode(d, "hang-after", None)
                time.sleep(3600)
                return
            return self.reply(st, data)
        if action == "DescribeSnapshots" and "describe500" in m:
            return self.error(500, "InternalError", "An internal error has occurred")
        if action == "DescribeSnapshots" and "page" in m:
            return self.paged(body, params, int(m["page"][0]))
        st, data = self.forward(body)
        self.reply(st, data)

    def paged(self, body, params, n):
        """moto ignores MaxResults/NextToken: cut its whole answer."""
        tok = params.get("NextToken")
        if tok is None:
            st, data = self.forward(body)
            if st != 200:
                return self.reply(st, data)
            root = ET.fromstring(data)
            ns = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
            sset = root.find(ns + "snapshotSet")
            items = list(sset)
            for it in items:
                sset.remove(it)
            chunks = [items[i:i + n] for i in range(0, len(items), n)] or [[]]
            key = "t%f" % time.time()
            Proxy.pages[key] = (root, sset, ns, chunks)
            return self.page(key, 0)
        key, _, i = tok.partition(":")
        return self.page(key, int(i))

    def page(self, key, i):
        root, sset, ns, chunks = Proxy.pages[key]
        for it in list(sset):
            sset.remove(it)
        for it in chunks[i]:
            sset.append(it)
        nt = root.find(ns + "nextToken")
        if nt is None:
            nt = ET.SubElement(root, ns + "nextToken")
        nt.text = "%s:%d" % (key, i + 1) if i + 1 < len(chunks) else None
        if nt.text is None:
            root.remove(nt)
        uri = ns[1:-1] if ns else None
        self.reply(200, ET.tostring(root, default_namespace=uri))



def main():
    kind, port = sys.argv[1], int(sys.argv[2])
    if kind == "imds":
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Imds)
        srv.dir = sys.argv[3]
    else:
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Proxy)
        srv.moto, srv.dir = sys.argv[3], sys.argv[4]
    srv.daemon_threads = True
    srv.serve_forever()


if __name__ == "__main__":
    main()
