#!/usr/bin/env python3
"""memscan.py PID TEXT - "found" if TEXT is anywhere in the readable
memory of process PID, else "absent" (needs root)."""
import sys

pid, needle = int(sys.argv[1]), sys.argv[2].encode()
found = False
with open("/proc/%d/maps" % pid) as maps, open("/proc/%d/mem" % pid, "rb", 0) as mem:
    for line in maps:
        span, perms = line.split()[:2]
        if "r" not in perms:
            continue
        a, b = (int(x, 16) for x in span.split("-"))
        try:
            mem.seek(a)
            if needle in mem.read(b - a):
                found = True
                break
        except (OSError, OverflowError, ValueError):
            continue
print("found" if found else "absent")
