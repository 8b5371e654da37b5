#!/usr/bin/env python3
"""Wall time and CPU time of client commands, run inside a peer's namespace (the bench nsenters this).

    clients.py REPS JSON          JSON: {"name": [argv...], ...}

Runs every command once to warm the page cache, then REPS rounds, each round every command once in
turn (interleaved, so a load change on the shared machine hits all of them alike). Per run: wall
time from fork to reaped, and CPU time = user + system of the exited child from wait4's rusage
(the kernel's per-task accounting, microsecond resolution, including any children the client
itself waited for, e.g. the launcher's sh before it execs node). Prints one JSON object:
{"name": {"wall": [ms...], "cpu": [ms...], "codes": [...], "stdout": ..., "stderr": ...}} (output of the
warm-up run, for the bench to check and show).
"""
import json
import os
import sys
import tempfile
import time


def run(argv, err_path='/dev/null'):
    r, w = os.pipe()
    t = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            os.dup2(w, 1)
            err = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(err, 2)
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    os.close(w)
    out = b''
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        out += chunk
    os.close(r)
    _, status, ru = os.wait4(pid, 0)
    wall = (time.perf_counter() - t) * 1000
    cpu = (ru.ru_utime + ru.ru_stime) * 1000
    code = os.waitstatus_to_exitcode(status)
    return wall, cpu, code, out.decode('utf-8', 'replace')


def main():
    reps = int(sys.argv[1])
    cmds = json.loads(sys.argv[2])
    res = {name: {'wall': [], 'cpu': [], 'codes': [], 'stdout': ''} for name in cmds}
    err = tempfile.mkstemp(prefix='clients-stderr.')[1]
    for name, argv in cmds.items():
        _w, _c, code, out = run(argv, err)
        with open(err, encoding='utf-8', errors='replace') as f:
            res[name]['stderr'] = f.read()
        res[name]['stdout'] = out
    os.unlink(err)
    for _ in range(reps):
        for name, argv in cmds.items():
            wall, cpu, code, _out = run(argv)
            res[name]['wall'].append(wall)
            res[name]['cpu'].append(cpu)
            res[name]['codes'].append(code)
    json.dump(res, sys.stdout)


main()
