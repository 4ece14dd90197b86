#!/bin/bash
# shellcheck disable=SC2016 # $ in single quotes is for the workload's shell
# Acceptance of issue 4: unmodified Debian bookworm userland (bash,
# coreutils, python3, perl; dynamically linked, threaded, using signals,
# timers and local IPC) runs in the sandbox as it runs natively.
#
# Both runs see the rootfs read-only with tmpfs on /tmp and /dev/shm (the
# bundle's root.readonly and config.json mounts; a read-only bind mount
# natively), so the cache never changes and workloads write under /tmp
# only. Stdout, stderr and the exit status must agree after normalisation
# of what legitimately differs (times of day, the kernel's version; pids
# agree, the workload being the first process of its pid namespace in
# both, and cases that would print racy ones do not). How the runs are
# made, and the environment knobs: tests/debian-lib.sh.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

# shellcheck source=tests/debian-lib.sh
. "$TESTS_DIR/debian-lib.sh"

SBX_TIMEOUT=${SBX_TIMEOUT:-120}
deb_init debian

# --- bash ------------------------------------------------------------------

deb_case bash/pipelines -- bash -c '
set -o pipefail
seq 1 20000 | grep 7 | sort -r | head -n 3
printf "%s\n" c a b | sort | tr a-z A-Z | paste -sd,
false | true; echo "pipefail status $?"
true | (exit 3) | true; echo "PIPESTATUS ${PIPESTATUS[*]}"
yes | head -n 100000 | wc -l
'

deb_case bash/subshells -- bash -c '
x=outer
(x=inner; echo "in subshell $x $BASH_SUBSHELL")
echo "after $x"
echo "nested $( echo $( echo $(( 6 * 7 )) ) )"
(exit 42); echo "subshell status $?"
v=$( (echo a; echo b >&2) 2>&1 | sort | tr "\n" " ")
echo "captured: $v"
( ( ( echo depth $BASH_SUBSHELL ) ) )
{ echo group; echo output; } | wc -l
'

deb_case bash/traps -- bash -c '
trap "echo EXIT trap" EXIT
trap "echo got USR1" USR1
trap "echo got USR2; trap - USR2" USR2
kill -USR1 $$
kill -USR2 $$
f() { trap "echo RETURN from f" RETURN; echo in f; }
f
set -E
trap "echo ERR at line \$LINENO" ERR
false
trap - ERR
# A trapped signal interrupts wait; the handler runs, wait returns >128.
trap "echo got TERM" TERM
sleep 5 & spid=$!
(sleep 0.2; kill -TERM $$) &
wait $spid; echo "wait returned $?"
kill $spid; wait $spid; echo "sleep killed: $?"
wait
sh -c "kill -INT \$\$"; echo "child killed by INT: $?"
'

deb_case bash/background_wait -- bash -c '
for i in 1 2 3 4 5; do (sleep 0.$i; exit $i) & pids+=($!); done
for p in "${pids[@]}"; do wait $p; echo "job status $?"; done
sleep 0.3 & sleep 0.1 & wait -n; echo "first done: $?"
wait; echo "all done: $?"
(exit 7) & wait $!; echo "status $?"
sleep 10 & kill %1; wait %1; echo "killed job: $?"
jobs; echo "no jobs left"
n=0; for i in $(seq 20); do true & done; wait; echo "20 jobs reaped"
'

deb_case bash/heredocs -- bash -c '
cat <<EOF
plain $((1 + 2)) $(echo cmd) ${HOSTNAME:+host}
EOF
cat <<'"'"'EOF'"'"'
quoted $((1 + 2)) $(echo cmd)
EOF
cat <<-EOF
	tabs stripped
	EOF
tr a-z A-Z <<< "here string"
while read -r a b; do echo "$b $a"; done <<EOF
one 1
two 2
EOF
wc -c <<EOF
$(head -c 30000 /dev/zero | tr "\0" x)
EOF
'

# --- coreutils ---------------------------------------------------------------

deb_case coreutils/ls_usr_bin -- bash -c 'ls -la /usr/bin | wc -l'

deb_case coreutils/find_so -- bash -c "find /usr -name '*.so*' | sort | head"

deb_case coreutils/cp_mv_rm -- bash -c '
cp -a /usr/share/perl5 /tmp/copy
mv /tmp/copy /tmp/moved
mv /tmp/moved/Debconf /tmp/Debconf
(cd /tmp && find moved Debconf -printf "%M %u %g %s %TY-%Tm-%Td %p -> %l\n" | sort -k 6) >/tmp/list
wc -l </tmp/list; head -n 5 /tmp/list; sha256sum </tmp/list
rm /tmp/list
rm -r /tmp/moved /tmp/Debconf
ls -A /tmp; echo "removed: $?"
'

deb_case coreutils/tar -- bash -c '
tar czf /tmp/a.tgz -C /usr/share perl5 doc/perl
mkdir /tmp/x
tar xzf /tmp/a.tgz -C /tmp/x
tar tzf /tmp/a.tgz | sort | sha256sum
diff -r /usr/share/perl5 /tmp/x/perl5 && echo identical
(cd /tmp/x && find . -printf "%M %s %p\n" | sort | sha256sum)
'

deb_case coreutils/sha256sum -- bash -c '
find /usr/lib/x86_64-linux-gnu -maxdepth 1 -type f -name "*.so*" | sort | head -n 40 | xargs sha256sum
sha256sum /usr/bin/bash /usr/bin/perl | cut -c 1-64
head -c 10000000 /dev/zero | sha256sum
'

deb_case coreutils/seq_sort -- bash -c 'seq 1 1000000 | sort -n | tail -1'

deb_case coreutils/date -- bash -c '
date
date -u +"%Y-%m-%d %Z" | sed "s/[0-9]/N/g"
date -d @0 -u
TZ=UTC date -d "2024-02-29 12:34:56" +%s
date -d "2000-01-01 + 1000 days" +%F
'

deb_case coreutils/sleep -- bash -c '
s=$(date +%s%N); sleep 0.3; e=$(date +%s%N)
d=$(( (e - s) / 1000000 ))
[ $d -ge 300 ] && [ $d -lt 2000 ] && echo "slept 0.3 s" || echo "slept ${d} ms"
timeout 0.2 sleep 10; echo "timeout status $?"
'

# ps, pgrep, pkill and free read /proc. The workload waits until its two
# sleeps are asleep, and ps writes to a file, so that no other process
# exists while ps looks: the listing is deterministic but for pids (which
# of two concurrent forks gets the lower one is a race) and column widths
# (from pid_max: Linux's default here, the host's natively).
deb_case procps/ps -- bash -c '
sleep 5 &
(sleep 6; true) &
until [ "$(pgrep -x sleep | wc -l)" = 2 ]; do :; done
for p in $(pgrep -x sleep); do
	until read -r _ _ st _ <"/proc/$p/stat" && [ "$st" = S ]; do :; done
done
ps -e -o ppid,pgid,sid,stat,nlwp,comm,args --no-headers >/tmp/ps
tr -s " " </tmp/ps | sort
ps -o pid,stat,comm -p 1 >/tmp/ps
tr -s " " </tmp/ps
pkill -TERM sleep; wait; echo "killed: $?"
free -k | head -1 | tr -s " "
test -n "$(uptime)" && echo uptime ok
'

# --- python3 -----------------------------------------------------------------

deb_case python/threading -- python3 -c '
import threading, queue
N = 16
lock = threading.Lock()
barrier = threading.Barrier(N)
total = [0]
ids = queue.Queue()
local = threading.local()
def work(i):
    local.i = i
    s = sum(range(i * 20000))
    barrier.wait()
    with lock:
        total[0] += s
    ids.put((threading.get_native_id(), local.i))
ts = [threading.Thread(target=work, args=(i,)) for i in range(N)]
for t in ts: t.start()
for t in ts: t.join()
got = [ids.get() for _ in range(N)]
print("total", total[0])
print("distinct thread ids", len(set(tid for tid, _ in got)))
print("locals", sorted(i for _, i in got) == list(range(N)))
# Producer and consumers on a condition variable.
cond = threading.Condition()
items, consumed = [], []
def consumer():
    while True:
        with cond:
            while not items:
                cond.wait()
            x = items.pop(0)
        if x is None:
            return
        consumed.append(x)
cs = [threading.Thread(target=consumer) for _ in range(4)]
for c in cs: c.start()
for x in list(range(1000)) + [None] * 4:
    with cond:
        items.append(x)
        cond.notify()
for c in cs: c.join()
print("consumed", len(consumed), sum(consumed))
ev = threading.Event()
waiters = [threading.Thread(target=ev.wait) for _ in range(8)]
for w in waiters: w.start()
ev.set()
for w in waiters: w.join()
print("threads left", threading.active_count())
'

deb_case python/subprocess -- python3 -c '
import subprocess, sys
print(subprocess.run(["ls", "/"], capture_output=True, text=True).stdout.split())
p = subprocess.Popen(["tr", "a-z", "A-Z"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
out, _ = p.communicate(b"hello")
print(out, p.returncode)
print(subprocess.check_output("echo $((2 + 3)); echo err >&2", shell=True, stderr=subprocess.STDOUT))
print("killed by", subprocess.run(["sh", "-c", "kill -TERM $$"]).returncode)
print("exit", subprocess.run([sys.executable, "-c", "import sys; sys.exit(3)"]).returncode)
try:
    subprocess.run(["sleep", "5"], timeout=0.3)
except subprocess.TimeoutExpired:
    print("timeout expired")
big = subprocess.run(["cat"], input=b"x" * 300000, capture_output=True).stdout
print("through cat", len(big))
try:
    subprocess.run(["/nonexistent"])
except FileNotFoundError as e:
    print("missing:", e.errno)
ps = [subprocess.Popen(["sh", "-c", "exit %d" % i]) for i in range(8)]
print([q.wait() for q in ps])
'

deb_case python/multiprocessing -- python3 -c '
import multiprocessing as mp, os
def square(x):
    return x * x
def whoami(_):
    return os.getpid()
def child(q):
    q.put(("child", os.getppid() != 0))
if __name__ == "__main__":
    with mp.Pool(4) as pool:
        print(sum(pool.map(square, range(10000))))
        print(len(set(pool.map(whoami, range(200), chunksize=1))) <= 4)
        print(pool.apply_async(square, (12,)).get(timeout=30))
        print(sorted(pool.imap_unordered(square, range(10))))
    q = mp.Queue()
    p = mp.Process(target=child, args=(q,))
    p.start()
    print(q.get(timeout=30))
    p.join()
    print("exitcode", p.exitcode)
    with mp.Manager() as m:
        d = m.dict()
        d["k"] = 5
        print(dict(d))
'

deb_case python/signals -- python3 -c '
import os, signal, time
got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append("USR1"))
os.kill(os.getpid(), signal.SIGUSR1)
print(got)
signal.signal(signal.SIGALRM, lambda s, f: got.append("ALRM"))
signal.setitimer(signal.ITIMER_REAL, 0.1)
t0 = time.monotonic()
time.sleep(0.4)  # interrupted by the handler, then resumed (PEP 475)
print(got, time.monotonic() - t0 >= 0.4)
signal.alarm(5)
print("alarm left", signal.alarm(0))
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR2])
os.kill(os.getpid(), signal.SIGUSR2)
print("pending", signal.sigpending())
print("sigwait", signal.sigwait([signal.SIGUSR2]))
print("sigtimedwait", signal.sigtimedwait([signal.SIGUSR2], 0.1))
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGUSR2])
# SIGCHLD from a child, and a child killed by a signal.
chld = []
signal.signal(signal.SIGCHLD, lambda s, f: chld.append(s))
pid = os.fork()
if pid == 0:
    signal.pause()
    os._exit(0)
os.kill(pid, signal.SIGTERM)
_, status = os.waitpid(pid, 0)
print("child", os.WIFSIGNALED(status), os.WTERMSIG(status), chld == [signal.SIGCHLD])
try:
    signal.signal(signal.SIGUSR1, lambda s, f: 1 / 0)
    os.kill(os.getpid(), signal.SIGUSR1)
except ZeroDivisionError:
    print("exception from a handler")
signal.signal(signal.SIGINT, signal.default_int_handler)
try:
    os.kill(os.getpid(), signal.SIGINT)
except KeyboardInterrupt:
    print("KeyboardInterrupt")
'

deb_case python/select_socketpair -- python3 -c '
import os, select, socket, threading
a, b = socket.socketpair()
print(a.family, a.type)
a.sendall(b"ping")
r, _, _ = select.select([b], [], [], 5)
print(r == [b], b.recv(10))
print("idle", select.select([a], [], [], 0.1))
_, w, _ = select.select([], [a], [], 0)
print("writable", w == [a])
pid = os.fork()
if pid == 0:
    a.close()
    b.sendall(b.recv(100).upper())
    os._exit(0)
b.close()
a.sendall(b"hello")
select.select([a], [], [])
print(a.recv(100))
os.waitpid(pid, 0)
print("eof", a.recv(100))
# A megabyte through a socketpair between threads, poll and epoll.
c, d = socket.socketpair()
data = os.urandom(1 << 20)
t = threading.Thread(target=lambda: (c.sendall(data), c.shutdown(socket.SHUT_WR)))
t.start()
p = select.poll()
p.register(d, select.POLLIN)
buf = bytearray()
while True:
    p.poll(5000)
    chunk = d.recv(65536)
    if not chunk:
        break
    buf += chunk
t.join()
print("stream", len(buf), bytes(buf) == data)
e = select.epoll()
e.register(c.fileno(), select.EPOLLIN)
d.sendall(b"x")
print("epoll", e.poll(5) == [(c.fileno(), select.EPOLLIN)], c.recv(1))
s1, s2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
for i in range(3):
    s1.send(b"dgram%d" % i)
print([s2.recv(100) for _ in range(3)])
r, w = os.pipe()
os.write(w, b"p")
print("pipe", select.select([r], [], [], 1)[0] == [r])
'

deb_case python/sleep_timers -- python3 -c '
import signal, threading, time
t0 = time.monotonic()
time.sleep(0.2)
dt = time.monotonic() - t0
print("slept", 0.2 <= dt < 2)
ev = threading.Event()
tm = threading.Timer(0.1, ev.set)
tm.start()
print("timer fired", ev.wait(5))
c = threading.Timer(10, lambda: print("never"))
c.start()
c.cancel()
c.join()
print("timer cancelled")
t0 = time.monotonic()
print("wait timeout", threading.Event().wait(0.2), time.monotonic() - t0 >= 0.2)
ticks = []
signal.signal(signal.SIGALRM, lambda s, f: ticks.append(1))
signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05)
while len(ticks) < 5:
    signal.pause()
signal.setitimer(signal.ITIMER_REAL, 0)
print("periodic ticks", len(ticks))
print("clocks", time.time() > 1.6e9, time.clock_gettime(time.CLOCK_MONOTONIC) > 0,
      time.process_time() >= 0, time.thread_time() >= 0)
'

# The vDSO in a dynamically linked process: ld.so finds it through
# AT_SYSINFO_EHDR and libc's clocks read it (fast: a syscall costs the
# sandbox microseconds), agreeing with the raw syscalls.
deb_case python/vdso_clocks -- python3 -c '
import ctypes, time
libc = ctypes.CDLL(None, use_errno=True)
libc.getauxval.restype = ctypes.c_ulong
print("AT_SYSINFO_EHDR set", libc.getauxval(33) != 0)
print("maps", sorted(set(l.split()[-1] for l in open("/proc/self/maps") if l.rstrip().endswith(("[vdso]", "[vvar]")))))
class ts(ctypes.Structure):
    _fields_ = [("s", ctypes.c_long), ("ns", ctypes.c_long)]
def raw(clk):
    t = ts()
    assert libc.syscall(228, clk, ctypes.byref(t)) == 0
    return t.s * 10**9 + t.ns
for name in ("CLOCK_REALTIME", "CLOCK_MONOTONIC", "CLOCK_BOOTTIME", "CLOCK_MONOTONIC_RAW"):
    clk = getattr(time, name)
    ok = all(raw(clk) <= time.clock_gettime_ns(clk) <= raw(clk) for _ in range(2000))
    print(name, "between syscalls", ok)
t0 = time.monotonic()
for _ in range(200000):
    time.clock_gettime_ns(time.CLOCK_MONOTONIC)
print("200000 clock_gettime in under a second", time.monotonic() - t0 < 1.0)
print("time and date agree", abs(int(time.time()) - int(__import__("subprocess").check_output(["date", "+%s"]))) <= 2)
'

# --- perl --------------------------------------------------------------------

deb_case perl/fork_pipes_waitpid -- perl -e '
use strict; use warnings; use POSIX ":sys_wait_h";
$| = 1;
pipe(my $r, my $w) or die "pipe: $!";
my $pid = fork() // die "fork: $!";
if ($pid == 0) {
	close $r;
	print $w "from child $_\n" for 1 .. 3;
	close $w;
	exit 7;
}
close $w;
print while <$r>;
waitpid($pid, 0) == $pid or die;
print "status ", $? >> 8, "\n";
# The children wait for the gate to close, so none has exited when
# WNOHANG looks.
pipe(my $gate_r, my $gate_w) or die;
my %kids;
for my $i (1 .. 5) {
	my $p = fork() // die;
	if (!$p) { close $gate_w; my $x = <$gate_r>; exit $i }
	$kids{$p} = $i;
}
close $gate_r;
print "WNOHANG while running: ", waitpid(-1, WNOHANG), "\n";
close $gate_w;
my @done;
while (%kids) {
	my $p = waitpid(-1, 0);
	die "unexpected $p" unless exists $kids{$p};
	push @done, $? >> 8;
	delete $kids{$p};
}
print "reaped @{[sort @done]}\n";
print "no children: ", waitpid(-1, 0), "\n";
open(my $fh, "-|", "ls", "/usr") or die;
my @l = <$fh>;
close $fh;
print "ls /usr: ", scalar(@l), " entries\n";
open(my $to, "|-", "tr", "a-z", "A-Z") or die;
print $to "through a pipe\n";
close $to;
my $p = fork() // die;
if (!$p) { sleep 10; exit 0 }
kill "TERM", $p;
waitpid($p, 0);
print "killed by signal ", $? & 127, "\n";
my $out = `echo backticks`;
print $out, "system: ", system("sh", "-c", "exit 3") >> 8, "\n";
'

# Nothing above may have changed the shared rootfs (a read-only root in
# the sandbox, a read-only bind mount natively).
if [ -z "$SBX_SKIP" ] && deb_selected rootfs_unchanged; then
	changed=$(find "$DEB_ROOTFS" \( -newer "$DEB_ROOTFS/../stamp" -o -cnewer "$DEB_ROOTFS/../stamp" \) \
		-print 2>&1 | head -n 10)
	if [ -z "$changed" ]; then
		t_ok debian/rootfs_unchanged
	else
		t_fail debian/rootfs_unchanged "changed since the rootfs was built:" "$changed"
	fi
fi

results_summary
