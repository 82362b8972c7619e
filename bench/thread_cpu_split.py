#!/usr/bin/env python3
# The CPU split of a multi-threaded command (issue 22 item 4: student training on 2 threads):
# runs it, polls every thread's utime+stime (/proc/PID/task/TID/stat) every 20 ms, and prints wall
# time, process CPU, the main thread's CPU and the other threads'. On a busy machine the ratio
# "1-thread CPU / 2-thread main-thread CPU" bounds the wall-clock speed-up. Usage: thread_cpu_split.py CMD...
import os, sys, time, subprocess
tick = os.sysconf('SC_CLK_TCK')
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
pid = p.pid
last = {}
t0 = time.time()
while True:
    try:
        for tid in os.listdir(f'/proc/{pid}/task'):
            try:
                f = open(f'/proc/{pid}/task/{tid}/stat').read().rsplit(')', 1)[1].split()
                last[int(tid)] = int(f[11]) + int(f[12])
            except OSError:
                pass
    except OSError:
        pass
    r = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    if r is not None:
        break
    time.sleep(0.02)
_, status, ru = os.wait4(pid, 0)
wall = time.time() - t0
main = last.get(pid, 0) / tick
others = sum(v for k, v in last.items() if k != pid) / tick
print(f"wall {wall:.2f} s  process CPU {ru.ru_utime + ru.ru_stime:.2f} s (user {ru.ru_utime:.2f})  main thread {main:.2f} s  other threads {others:.2f} s  rc {status}")
