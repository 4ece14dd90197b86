#!/bin/bash
# Python's socket, select and threading modules on the sentry's AF_UNIX
# sockets: socket.socketpair, select/poll readiness, a threaded bulk
# transfer, fd passing (socket.send_fds/recv_fds), timeouts, abstract
# listen/accept. The host's python3 and just the stdlib modules the script
# imports are copied into a busybox bundle; the output is compared with the
# same script run natively.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
sbx_init

PY=$(command -v python3 2>/dev/null)
[ -n "$PY" ] && PY=$(readlink -f "$PY")
# pyenv shims are scripts: look for a real interpreter.
if [ -n "$PY" ] && ! ldd "$PY" >/dev/null 2>&1; then
	PY=$(readlink -f /usr/bin/python3 2>/dev/null)
fi
if [ -z "$SBX_SKIP" ] && { [ -z "$PY" ] || ! ldd "$PY" >/dev/null 2>&1; }; then
	SBX_SKIP="no dynamically linked python3 on the host"
fi

SCRIPT=$SBX_WORK/sockets.py
cat >"$SCRIPT" <<'EOF'
import os, select, socket, threading, time

a, b = socket.socketpair()
print("pair", a.family == socket.AF_UNIX, a.type == socket.SOCK_STREAM)
a.sendall(b"hello")
r, w, _ = select.select([b], [a], [], 1.0)
print("select", len(r), len(w))
print("recv", b.recv(100))
p = select.poll()
p.register(b, select.POLLIN)
print("poll empty", p.poll(50))

data = bytes(range(256)) * 4096
def writer():
    a.sendall(data)
    a.shutdown(socket.SHUT_WR)
th = threading.Thread(target=writer)
th.start()
got = bytearray()
while True:
    chunk = b.recv(65536)
    if not chunk:
        break
    got += chunk
th.join()
print("bulk", len(got), bytes(got) == data)
print("poll eof", p.poll(1000) == [(b.fileno(), select.POLLIN)])

c, d = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
rfd, wfd = os.pipe()
socket.send_fds(c, [b"fd"], [wfd])
msg, fds, flags, addr = socket.recv_fds(d, 10, 4)
os.write(fds[0], b"through a passed fd")
print("fdpass", msg, len(fds), os.read(rfd, 100))

x, y = socket.socketpair()
y.settimeout(0.2)
t0 = time.monotonic()
try:
    y.recv(1)
    print("no timeout")
except socket.timeout:
    print("timeout", time.monotonic() - t0 >= 0.19)

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("\0sbx-python-%d" % os.getpid())
s.listen(1)
cl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
cl.connect(s.getsockname())
conn, _ = s.accept()
cl.sendall(b"abc")
print("accept", conn.recv(3), conn.getsockname() == s.getsockname())
cl.close()
print("peer closed", conn.recv(1))
EOF

if [ -z "$SBX_SKIP" ]; then
	# The modules the script loads, found by running it once natively.
	LIST=$SBX_WORK/modules
	if ! (cd / && env -i "$PY" -I -S -c "
import sys
exec(compile(open('$SCRIPT').read(), 'sockets.py', 'exec'))
files = sorted({m.__file__ for m in list(sys.modules.values()) if getattr(m, '__file__', None)})
open('$LIST', 'w').write('\n'.join(files) + '\n')
" >/dev/null 2>"$SBX_WORK/collect.err"); then
		SBX_SKIP="the script fails natively: $(tail -n 1 "$SBX_WORK/collect.err")"
	fi
fi

# copy_with_libs HOSTPATH: into the rootfs at the same path, with what
# ldd lists.
copy_with_libs() {
	local src=$1 lib
	mkdir -p "$SBX_ROOTFS/$(dirname "$src")"
	cp -L "$src" "$SBX_ROOTFS/$src"
	for lib in $(ldd "$src" 2>/dev/null | grep -o '/[^ ]*'); do
		mkdir -p "$SBX_ROOTFS/$(dirname "$lib")"
		[ -e "$SBX_ROOTFS/$lib" ] || cp -L "$lib" "$SBX_ROOTFS/$lib"
	done
}

if [ -z "$SBX_SKIP" ]; then
	copy_with_libs "$PY"
	while read -r f; do
		[ -n "$f" ] && copy_with_libs "$f"
	done <"$LIST"
	cp "$SCRIPT" "$SBX_ROOTFS/sockets.py"
fi

if sbx_begin python/sockets "$PY" -I -S /sockets.py; then
	expect_rc 0
	expect_out "$(cd / && env -i "$PY" -I -S "$SCRIPT" 2>&1)"
	sbx_end
fi

results_summary
