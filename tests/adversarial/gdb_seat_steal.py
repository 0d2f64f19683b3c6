# tests/adversarial: a confined program tries to take another cabin's
# --gdb seat (red-team review 2, finding A).  gdb_seat_steal.py PORT|PATH:
# connect, fill the connection's buffer, put the socket in flight
# (SCM_RIGHTS to a socketpair: no process holds it), send on it from a
# thread (this cabin's supervisor performs the send and, the buffer being
# full, waits holding its own copy: an unconfined deputy), close ours and
# print "ready".  The runner then lets the victim cabin (stopped until
# now) accept and judge the connection; meanwhile the deputy holds the
# only copy.  Back from the socketpair, the socket asks '?': "served
# REPLY" if the victim answers (the seat is taken: code execution in the
# debugged program), else "refused".
import array, os, re, socket, sys, threading

where = sys.argv[1]
fam = socket.AF_INET if where.isdigit() else socket.AF_UNIX
addr = where if fam == socket.AF_UNIX else ("127.0.0.1", int(where))
sp0, sp1 = socket.socketpair()
s = socket.socket(fam)
s.connect(addr)
fd = s.fileno()
os.set_blocking(fd, False)
try:
    while True:
        os.write(fd, b"+" * 65536)
except BlockingIOError:
    pass
os.set_blocking(fd, True)
sp0.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                      array.array("i", [fd]))])


going = False


def deputy():
    global going
    going = True
    try:
        s.sendto(b"+" * 4096, addr)
    except OSError:
        pass


t = threading.Thread(target=deputy)
t.start()
# Until the thread is about to send: the supervisor then performs the
# sendto, holding its own copy and waiting for room (and, busy, serving
# no other routed call: this thread makes none until close, which is
# not routed).  The yields give it the moment to take its copy; the
# runner's sync is the "ready" line, not this.
while not going:
    pass
for i in range(20000):
    os.sched_yield()
os.close(fd)
s.detach()
print("ready", flush=True)
t.join()
msg, anc, fl, ad = sp1.recvmsg(1, socket.CMSG_LEN(4))
g = socket.socket(fileno=array.array("i", anc[0][2][:4])[0])
g.settimeout(20)
buf = b""
try:
    g.sendall(b"$?#3f")
    while not re.search(rb"\$[^#]*#..", buf):
        d = g.recv(65536)
        if not d:
            break
        buf += d
except OSError:
    pass
m = re.search(rb"\$([^#]*)#..", buf)
if m:
    print("served", m.group(1).decode(), flush=True)
    g.sendall(b"$k#6b")
else:
    print("refused", flush=True)
