#!/usr/bin/env python3
"""tests/callers.py - three backup agents' way of calling pre- and
post-snapshot scripts, as their source shows it, for t1300:

  callers.py azure ROOT pre|post [PARAM...]
      Azure Backup's ScriptRunner: ROOT/etc/azure/VMSnapshotScriptPluginConfig.json
      must be root's with no execute and no group or other bits; each
      script must exist, be root's and have no group or other bits; it
      runs "sh SCRIPT PARAMS" with stdout and stderr piped, polls every
      ScriptsExecutionPollTimeSeconds (default 3) up to timeoutInSeconds
      and, on timeout, does not kill the script.
  callers.py gce ROOT pre|post DISKS
      The GCE guest agent's snapshot handler: only with [Snapshots]
      enabled = true in ROOT/etc/default/instance_configs.cfg; execs
      ROOT/etc/google/snapshots/pre.sh DISKS (one argument), stdout to
      /dev/null, stderr piped and read to end of file, under
      timeout_in_seconds (default 60), then SIGKILL.
  callers.py nutanix ROOT pre|post
      Nutanix Guest Tools: ROOT/usr/local/sbin/pre_freeze or post_thaw,
      root's, mode 0700, run directly.

Prints one line, "<agent> <step>: <outcome>", and exits 0 (the script
ran and exited 0), 1 (it failed: its exit status), 2 (refused before
running: a check the agent makes) or 3 (timed out).
"""
import configparser
import json
import os
import stat
import subprocess
import sys
import time


def say(agent, step, what, code):
    print(f"{agent} {step}: {what}", flush=True)
    sys.exit(code)


def root_only(path, no_exec=False):
    """None if path is root's with no group or other bits (and, with
    no_exec, no execute bit), else why not."""
    try:
        st = os.stat(path)
    except OSError as e:
        return f"{path}: {e.strerror}"
    mode = stat.S_IMODE(st.st_mode)
    if st.st_uid != 0:
        return f"{path}: owned by uid {st.st_uid}, not root"
    if mode & 0o077:
        return f"{path}: mode {mode:04o} has group or other bits"
    if no_exec and mode & 0o111:
        return f"{path}: mode {mode:04o} has an execute bit"
    return None


def azure(root, step, params):
    conf = root + "/etc/azure/VMSnapshotScriptPluginConfig.json"
    why = root_only(conf, no_exec=True)
    if why:
        say("azure", step, "refused: " + why, 2)
    with open(conf) as f:
        c = json.load(f)
    script = c["preScriptLocation" if step == "pre" else "postScriptLocation"]
    why = root_only(root + script)
    if why:
        say("azure", step, "refused: " + why, 2)
    poll = min(max(int(c.get("ScriptsExecutionPollTimeSeconds", 3)), 1), 5)
    limit = min(int(c.get("timeoutInSeconds", 30)), 1800)
    p = subprocess.Popen(["sh", root + script] + params,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t0 = time.monotonic()
    while p.poll() is None:
        if time.monotonic() - t0 >= limit:
            # the agent gives up, and leaves the script running
            say("azure", step, f"timed out after {limit} s (not killed)", 3)
        time.sleep(poll)
    if p.returncode != 0:
        say("azure", step, f"failed: exit {p.returncode}", 1)
    say("azure", step, f"exit 0 after {time.monotonic() - t0:.1f} s", 0)


def gce(root, step, disks):
    cfg = configparser.ConfigParser()
    cfg.read(root + "/etc/default/instance_configs.cfg")
    if not cfg.getboolean("Snapshots", "enabled", fallback=False):
        say("gce", step, "refused: [Snapshots] enabled is not true", 2)
    limit = cfg.getint("Snapshots", "timeout_in_seconds", fallback=60)
    script = root + "/etc/google/snapshots/" + ("pre.sh" if step == "pre"
                                                else "post.sh")
    t0 = time.monotonic()
    p = subprocess.Popen([script, disks], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    try:
        # stderr read to its end: whoever keeps it open holds the agent
        p.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        say("gce", step, f"timed out after {limit} s (killed)", 3)
    el = time.monotonic() - t0
    if p.returncode != 0:
        say("gce", step, f"failed: exit {p.returncode} after {el:.1f} s", 1)
    say("gce", step, f"exit 0 after {el:.1f} s", 0)


def nutanix(root, step):
    script = root + "/usr/local/sbin/" + ("pre_freeze" if step == "pre"
                                          else "post_thaw")
    try:
        st = os.stat(script)
    except OSError as e:
        say("nutanix", step, f"refused: {script}: {e.strerror}", 2)
    if st.st_uid != 0 or stat.S_IMODE(st.st_mode) != 0o700:
        say("nutanix", step, f"refused: {script}: uid {st.st_uid}, mode "
            f"{stat.S_IMODE(st.st_mode):04o}, not root's 0700", 2)
    r = subprocess.run([script], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    if r.returncode != 0:
        say("nutanix", step, f"failed: exit {r.returncode}", 1)
    say("nutanix", step, "exit 0", 0)


def main():
    a = sys.argv[1:]
    if len(a) < 3 or a[2] not in ("pre", "post"):
        sys.exit(__doc__)
    if a[0] == "azure":
        azure(a[1], a[2], a[3:])
    elif a[0] == "gce" and len(a) == 4:
        gce(a[1], a[2], a[3])
    elif a[0] == "nutanix":
        nutanix(a[1], a[2])
    sys.exit(__doc__)


if __name__ == "__main__":
    main()
