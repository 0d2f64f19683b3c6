# tests/integration: a minimal GDB remote client, for what gdb -batch
# cannot do.  gdb_client.py PORT|/SOCKET-PATH MODE:
#   interrupt  resume, send ^C: prints the stop reply, then kills
#   regwrite   stop (^C) until a thread is held at a syscall entry the
#              proxy let run, try to change its rdi (the stub must refuse:
#              docs/security.md), print what happened, kill
#   probe      ask '?': prints the stop reply, or "eof" if cabin closed
#              the connection (a refused peer)
#   silent     say nothing: prints "connected", then "eof" when cabin
#              closes the connection
#   noack      ask '?' and never acknowledge the reply (cabin waits for
#              the ack): prints "served", then "eof" when cabin closes
import re, socket, struct, sys

if sys.argv[1].startswith("/"):    # --gdb=unix:PATH
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
else:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
buf = b""

if sys.argv[2] in ("silent", "noack"):
    if sys.argv[2] == "noack":
        s.sendall(b"$?#3f")
        while b"#" not in buf:
            buf += s.recv(4096)
    print("served" if buf else "connected", flush=True)
    try:
        while s.recv(4096):
            pass
    except ConnectionResetError:
        pass
    sys.exit("eof")


def recv():
    global buf
    while True:
        m = re.search(rb"\$([^#]*)#..", buf)
        if m:
            buf = buf[m.end():]
            s.sendall(b"+")
            return m.group(1).decode()
        try:
            d = s.recv(4096)
        except ConnectionResetError:
            d = b""
        if not d:
            sys.exit("eof")
        buf += d


def send(p):
    try:
        s.sendall(b"$%s#%02x" % (p.encode(), sum(p.encode()) & 0xff))
    except (BrokenPipeError, ConnectionResetError):
        sys.exit("eof")


def ask(p):
    send(p)
    return recv()


def reg(n):
    return struct.unpack("<Q", bytes.fromhex(ask("p%x" % n)))[0]


def interrupt():
    send("vCont;c")
    s.sendall(b"\x03")
    return recv()


stop = ask("?")
if sys.argv[2] == "probe":
    print("stop", stop)
    send("k")
    sys.exit(0)
main = int(re.match(r"T..thread:([0-9a-f]+);", stop).group(1), 16)
if sys.argv[2] == "interrupt":
    print("interrupted", interrupt())
else:
    result = "never"
    for i in range(250):
        interrupt()
        other = [int(t, 16) for t in ask("qfThreadInfo")[1:].split(",")
                 if int(t, 16) != main]
        if not other:
            continue
        ask("Hg%x" % other[0])
        # orig_rax getppid, rax -ENOSYS: a syscall entry stop
        if reg(0x39) == 110 and reg(0) == (-38 & (2**64 - 1)):
            rdi = reg(5)
            r = ask("P5=" + struct.pack("<Q", rdi ^ 0x5a5a).hex())
            result = "write %s, rdi %s" % (r, "kept" if reg(5) == rdi
                                           else "changed")
            break
    print(result, "after", i + 1)
send("k")
