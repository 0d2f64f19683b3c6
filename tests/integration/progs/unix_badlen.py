# bind(2) of a socket file with an address length past sockaddr_un's
# (EINVAL), then a good one, then the same path again (EADDRINUSE): the
# kernel's own answers, which cabin's bind on the program's behalf must
# pass on rather than bind another way.
import ctypes
import os
import socket
import tempfile

libc = ctypes.CDLL(None, use_errno=True)
d = tempfile.mkdtemp(dir=".")
path = os.path.join(d, "x.sock").encode()
addr = ctypes.create_string_buffer(128)
addr[0:2] = socket.AF_UNIX.to_bytes(2, "little")
addr[2:2 + len(path)] = path
for what, n in (("length 128", 128), ("its length", 2 + len(path) + 1),
                ("again, its length", 2 + len(path) + 1)):
    s = socket.socket(socket.AF_UNIX)
    r = libc.bind(s.fileno(), addr, n)
    print(what, "bound" if r == 0 else os.strerror(ctypes.get_errno()))
os.unlink(path)
os.rmdir(d)
