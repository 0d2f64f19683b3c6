# The addresses of unix socket files as the program sees them: its own
# (getsockname), its peer's (getpeername, accept, recvfrom) and the
# kernel's table (/proc/net/unix), for absolute paths in /tmp and paths
# relative to the working directory (whose absolute name may be hidden
# by the private /tmp, so only relative names are used for it).
import os
import shutil
import socket
import tempfile

tmp = tempfile.mkdtemp(dir="/tmp")
os.chdir(tempfile.mkdtemp(dir="."))
cwd = os.getcwd()


def shown(addr):
    if isinstance(addr, bytes):
        addr = addr.decode()
    return addr.replace(tmp, "TMP").replace(cwd, "CWD") or "(unnamed)"


def in_table(path):
    with open("/proc/net/unix") as f:
        names = [line.split()[-1] for line in f if len(line.split()) > 7]
    return os.path.abspath(path) in names or path in names


def stream(server_path, client_path):
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(server_path)
    srv.listen(1)
    cli = socket.socket(socket.AF_UNIX)
    if client_path:
        cli.bind(client_path)
    cli.connect(server_path)
    conn, peer = srv.accept()
    print("stream", shown(server_path))
    print("  getsockname", shown(srv.getsockname()))
    print("  client getpeername", shown(cli.getpeername()))
    print("  client getsockname", shown(cli.getsockname()))
    print("  accept", shown(peer))
    print("  accepted getsockname", shown(conn.getsockname()))
    print("  in /proc/net/unix", in_table(server_path))
    for s in (conn, cli, srv):
        s.close()


def dgram(receiver_path, sender_path):
    rcv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    rcv.bind(receiver_path)
    snd = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    snd.bind(sender_path)
    snd.sendto(b"x", receiver_path)
    data, frm = rcv.recvfrom(16)
    print("dgram", shown(receiver_path))
    print("  recvfrom", data, shown(frm))
    print("  getsockname", shown(rcv.getsockname()))
    rcv.close()
    snd.close()


os.mkdir("sub")
os.mkdir(os.path.join(tmp, "sub"))
stream(os.path.join(tmp, "srv.sock"), os.path.join(tmp, "cli.sock"))
stream(os.path.join(tmp, "anon.sock"), None)
stream("rel.sock", "sub/../relcli.sock")
stream(os.path.join(tmp, "sub", "..", "sub", "deep.sock"), "./dot.sock")
dgram(os.path.join(tmp, "r.sock"), "sub/s.sock")

# Natively these are the host's /tmp and working directory: leave nothing
# (the working directory by its relative name, as above).
os.chdir("..")
shutil.rmtree(os.path.basename(cwd))
shutil.rmtree(tmp)
