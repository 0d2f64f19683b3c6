# multiprocessing's Pool and Queue: worker processes, their threads, and
# semaphores in shared memory; run by the integration suite and, on the
# kvm platform, by the lab (tests/lab/t_kvm_procs.sh).
import multiprocessing as mp


def sq(x):
    return x * x


if __name__ == "__main__":
    with mp.Pool(2) as p:
        print(p.map(sq, range(20)))
    q = mp.Queue()
    pr = mp.Process(target=q.put, args=("from a Process",))
    pr.start()
    print(q.get())
    pr.join()
    print("exitcode", pr.exitcode)
