#!/usr/bin/env python3
"""tests/layers.py - the picture of the code, checked from the built
objects: which file calls which (nm: the symbols each object defines and
the ones it uses). Fails, naming them, on a call into a higher layer (the
folders of src/, top down: verb; seed and snapshot; verify; core and
backend; aws; db; base) and on
any circle of calls between files.

Usage: tests/layers.py [TOP]   (after make: it reads src/**/*.o)
"""
import glob
import os
import subprocess
import sys

LEVEL = {"verb": 7, "seed": 6, "snapshot": 6, "verify": 5, "core": 4, "backend": 4, "aws": 3, "db": 2, "base": 1}


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True,
                         check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBR":
            defined.add(parts[2])
    return defined, used


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "."
    objs = sorted(o for o in glob.glob(os.path.join(top, "src/*/*.o"))
                  if not o.endswith("dbapi-linked.o"))
    if len(objs) < 20:
        print("layers: no objects under src/*/ (run make first)")
        return 1
    where, uses = {}, {}
    for o in objs:
        name = os.path.relpath(o, top)[:-2] + ".c"
        d, u = symbols(o)
        for s in d:
            where[s] = name
        uses[name] = u
    calls = {f: sorted({where[s] for s in u if s in where and where[s] != f})
             for f, u in uses.items()}
    bad = 0
    for f, callees in sorted(calls.items()):
        lf = LEVEL[f.split("/")[1]]
        for g in callees:
            if LEVEL[g.split("/")[1]] > lf:
                print(f"layers: {f} calls up into {g}")
                bad += 1
    # circles: Tarjan's strongly connected components
    index, low, stack, on, comps = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in calls[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(calls):
        if v not in index:
            visit(v)
    for c in comps:
        print("layers: a circle of calls: " + " <-> ".join(c))
        bad += 1
    edges = sum(len(c) for c in calls.values())
    print(f"layers: {len(calls)} files, {edges} calls between them, "
          f"{bad} problem{'s' if bad != 1 else ''}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
