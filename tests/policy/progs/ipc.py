#!/usr/bin/python3
# SysV shared memory, a SysV message queue and a POSIX message queue under
# one key (hex), for the IPC namespace tests of run.sh:
#   ipc.py make KEY     create all three (fails if one exists), say OK or ERRNO
#   ipc.py look KEY     "TRY look KEY", then whether each is there (OK, ENOENT, ...)
#   ipc.py remove KEY   remove what is there
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
IPC_CREAT, IPC_EXCL, IPC_RMID = 0o1000, 0o2000, 0
mode, key = sys.argv[1], int(sys.argv[2], 16)
mq = b"/cabin-ipc-%x" % key

def res(r):
    if r >= 0:
        return "OK"
    return errno.errorcode.get(ctypes.get_errno(), "errno %d" % ctypes.get_errno())

if mode == "make":
    print("shm", res(libc.shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0o600)))
    print("msg", res(libc.msgget(key, IPC_CREAT | IPC_EXCL | 0o600)))
    print("mq", res(libc.mq_open(mq, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600, None)))
elif mode == "look":
    print("TRY look %x" % key, flush=True)
    print("shm", res(libc.shmget(key, 0, 0)))
    print("msg", res(libc.msgget(key, 0)))
    print("mq", res(libc.mq_open(mq, os.O_RDWR, 0, None)))
elif mode == "remove":
    i = libc.shmget(key, 0, 0)
    if i >= 0:
        libc.shmctl(i, IPC_RMID, None)
    i = libc.msgget(key, 0)
    if i >= 0:
        libc.msgctl(i, IPC_RMID, None)
    libc.mq_unlink(mq)
