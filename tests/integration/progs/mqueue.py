# POSIX message queues: create, send, receive, attributes, unlink (librt
# through ctypes; the queue's name is unique to this process).
import ctypes
import ctypes.util
import os

rt = ctypes.CDLL(ctypes.util.find_library("rt") or "librt.so.1",
                 use_errno=True)


class Attr(ctypes.Structure):
    _fields_ = [("mq_flags", ctypes.c_long), ("mq_maxmsg", ctypes.c_long),
                ("mq_msgsize", ctypes.c_long), ("mq_curmsgs", ctypes.c_long),
                ("pad", ctypes.c_long * 4)]


def check(what, ret):
    err = ctypes.get_errno() if ret < 0 else 0
    print(what, "ok" if ret >= 0 else os.strerror(err))
    return ret


rt.mq_receive.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t,
                          ctypes.POINTER(ctypes.c_uint)]
rt.mq_receive.restype = ctypes.c_ssize_t
name = b"/cabin-mq-%d" % os.getpid()
want = Attr(0, 4, 64, 0)
q = check("mq_open O_CREAT", rt.mq_open(name, os.O_CREAT | os.O_EXCL |
                                         os.O_RDWR, 0o600, ctypes.byref(want)))
if q >= 0:
    check("mq_send", rt.mq_send(q, b"hello", 5, 7))
    got = Attr()
    check("mq_getattr", rt.mq_getattr(q, ctypes.byref(got)))
    print("attr", got.mq_maxmsg, got.mq_msgsize, got.mq_curmsgs)
    buf = ctypes.create_string_buffer(64)
    prio = ctypes.c_uint()
    n = check("mq_receive", rt.mq_receive(q, buf, 64, ctypes.byref(prio)))
    print("message", buf.raw[:max(n, 0)], "priority", prio.value)
    r = rt.mq_open(name, os.O_RDONLY)
    check("mq_open again", r)
    rt.mq_close(r)
    rt.mq_close(q)
    check("mq_unlink", rt.mq_unlink(name))
    check("mq_open after unlink", rt.mq_open(name, os.O_RDONLY))
