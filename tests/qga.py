#!/usr/bin/env python3
"""qga.py SOCKET COMMAND [ARGUMENTS-JSON] - one command to a qemu-ga
listening on a unix socket, after a guest-sync. Prints the answer's
"return" as JSON and exits 0, or prints the error's "desc" and exits 1."""
import json
import random
import socket
import sys

path, cmd = sys.argv[1], sys.argv[2]
args = json.loads(sys.argv[3]) if len(sys.argv) > 3 else None
s = socket.socket(socket.AF_UNIX)
s.settimeout(120)
s.connect(path)
f = s.makefile("rwb")


def call(c, a=None):
    msg = {"execute": c}
    if a is not None:
        msg["arguments"] = a
    f.write(json.dumps(msg).encode() + b"\n")
    f.flush()
    while True:
        line = f.readline()
        if not line:
            sys.exit("qga.py: the agent closed the connection")
        line = line.strip().lstrip(b"\xff")
        if line:
            return json.loads(line)


n = random.randint(1, 1 << 30)
while call("guest-sync", {"id": n}).get("return") != n:
    pass
r = call(cmd, args)
if "error" in r:
    print(r["error"].get("desc", r["error"]))
    sys.exit(1)
print(json.dumps(r.get("return")))
