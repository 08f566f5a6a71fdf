#!/usr/bin/env python3
"""Quiver's Flight server against a pyarrow in-memory Flight server, from the same pyarrow client.

Run (the lock keeps other benchmarks off the machine while this one measures):

    bench/run flight        # builds, makes bench/.venv, runs this script (bench/run --quick flight: 2 rounds)
or by hand, with any venv that has pyarrow and numpy:
    mvn -B -q -DskipTests package -pl bench -am
    flock /tmp/quiver-bench.lock bench/.venv/bin/python bench/flight_peers.py

Both servers hold the same 256 MiB float32 tensor (as Quiver streams it: 4 MiB record batches) and a
one-element tensor. Measured, for each server, from one pyarrow client in this process:
  - DoGet of the 256 MiB tensor (GB/s), read to a pyarrow Table;
  - DoPut of the same tensor as one 256 MiB batch (GB/s), until the server answers (then it is deleted);
  - the round trip of a one-element DoGet (microseconds).
Each server runs in its own process and is warmed up first; Quiver's JVM until its JIT compiler threads take
under 2% of its CPU in a warm-up round (the steady state a long-running server is in); then both are
measured in interleaved rounds, so that load from other processes falls on both alike. The table shows the
median and the best of each measure, the ratio Quiver / pyarrow, and the goal: Quiver >= 1.5x pyarrow's
throughput both ways and a one-element round trip at most half of pyarrow's. The loopback TCP limit (one
connection, one sender and one receiver thread) is measured in the same run, before and after. Last, the CPU
each side spent per operation (this client process and each server process, every thread, from the kernel's
accounting): on two cores the client and the server share the machine, so a round trip can be no shorter than
the client's own CPU, and the report says what share of pyarrow's round trip that floor already is; likewise
DoGet can carry no more than the machine's cores divided by the client's CPU per GB, whatever the server.

Options: --rounds N (default 5), --java-opts="..." (extra JVM options for the Quiver server). The environment
variable QUIVER_BENCH_JAR points at another build's quiver-benchmarks.jar, to compare builds.
"""

import argparse
import os
import resource
import pathlib
import shlex
import socket
import statistics
import subprocess
import sys
import threading
import time

import pyarrow as pa
import pyarrow.flight as flight

ROOT = pathlib.Path(__file__).resolve().parents[1]
MIB = 1 << 20


class PyarrowServer(flight.FlightServerBase):
    """The peer: an in-memory store of tables keyed by ticket, the way pyarrow's examples serve."""

    def __init__(self, location):
        super().__init__(location)
        self.tables = {}
        self.counter = 0

    def do_get(self, context, ticket):
        return flight.RecordBatchStream(self.tables[ticket.ticket])

    def do_put(self, context, descriptor, reader, writer):
        table = reader.read_all()
        self.counter += 1
        key = f"put-{self.counter}".encode()
        self.tables[key] = table
        writer.write(pa.py_buffer(key))

    def do_action(self, context, action):
        if action.type == "delete":
            self.tables.pop(action.body.to_pybytes(), None)
        return []


def serve_pyarrow():
    """Child process: a pyarrow server holding the same tensors Quiver serves, fetched from Quiver once."""
    quiver_location, big_handle, tiny_handle = sys.argv[2:5]
    source = flight.connect(quiver_location)
    server = PyarrowServer("grpc+tcp://127.0.0.1:0")
    server.tables[b"big"] = source.do_get(flight.Ticket(big_handle.encode())).read_all()
    server.tables[b"tiny"] = source.do_get(flight.Ticket(tiny_handle.encode())).read_all()
    print(f"grpc+tcp://127.0.0.1:{server.port}", flush=True)
    sys.stdin.read()
    server.shutdown()


def loopback_tcp_gbps(total=2 << 30, chunk=4 * MIB):
    """Bytes per second one TCP connection over loopback carries here (sender and receiver threads)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    sender = socket.create_connection(listener.getsockname())
    receiver, _ = listener.accept()
    payload = memoryview(bytearray(chunk))

    def send():
        sent = 0
        while sent < total:
            sender.sendall(payload)
            sent += chunk
        sender.close()

    sink = bytearray(chunk)
    start = time.perf_counter()
    t = threading.Thread(target=send)
    t.start()
    got = 0
    while True:
        n = receiver.recv_into(sink)
        if n == 0:
            break
        got += n
    elapsed = time.perf_counter() - start
    t.join()
    receiver.close()
    listener.close()
    return got / elapsed / 1e9


def process_cpu_seconds(pid):
    """User plus system CPU seconds a process (every thread) or, given "pid/task/tid", one thread has used."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def jit_cpu_seconds(pid):
    """CPU seconds the JVM's JIT compiler threads ("C1/C2 CompilerThread") of a process have used so far."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                if "CompilerThre" not in f.read():
                    continue
            total += process_cpu_seconds(f"{pid}/task/{tid}")
        except FileNotFoundError:
            pass  # the thread ended
    return total


def own_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Peer:
    """One server seen from the shared pyarrow client: its three measured operations.

    Besides the wall time of each operation it records the CPU both sides spent on it (this client process,
    every thread, and the server process), so the report can say how much of a round trip is the client's own.
    """

    def __init__(self, name, location, big_ticket, tiny_ticket, table, pid):
        self.name = name
        self.pid = pid
        self.client = flight.connect(location)
        self.big = flight.Ticket(big_ticket)
        self.tiny = flight.Ticket(tiny_ticket)
        self.table = table
        self.samples = {"get": [], "put": [], "tiny": []}
        self.cpu = {k: [0.0, 0.0, 0] for k in self.samples}  # client seconds, server seconds, operations

    def _account(self, key, client0, server0, count=1):
        totals = self.cpu[key]
        totals[0] += own_cpu_seconds() - client0
        totals[1] += process_cpu_seconds(self.pid) - server0
        totals[2] += count

    def cpu_per_op(self, key):
        client, server, count = self.cpu[key]
        return client / count, server / count

    def get_big(self):
        got = self.client.do_get(self.big).read_all()
        assert got.nbytes == self.table.nbytes, (self.name, got.nbytes)

    def put_big(self):
        writer, reader = self.client.do_put(flight.FlightDescriptor.for_path("tensors"), self.table.schema)
        writer.write_table(self.table)
        writer.done_writing()
        key = reader.read()
        writer.close()
        return key

    def delete(self, key):
        list(self.client.do_action(flight.Action("delete", key.to_pybytes())))

    def get_tiny(self):
        self.client.do_get(self.tiny).read_all()

    def warm_up(self, big=6, tiny=10000):
        for _ in range(big):
            self.get_big()
            self.delete(self.put_big())
        for _ in range(tiny):
            self.get_tiny()

    def warm_up_until_compiled(self, max_rounds=80, settled=0.02):
        """Warms a JVM server up until its JIT compilers are done with the measured paths.

        A 256 MiB transfer is only 64 batches, so the per-batch code reaches the C2 compiler slowly: after the
        six transfers of a plain warm-up the compiler threads still took a third of the server's CPU, on the
        same two cores the client needs. This repeats rounds of the measured operations until the compiler
        threads' share of the server's CPU in a round falls below `settled`; returns the rounds it took.
        """
        for rounds in range(1, max_rounds + 1):
            jit0, all0 = jit_cpu_seconds(self.pid), process_cpu_seconds(self.pid)
            self.warm_up(big=3, tiny=2000)
            jit, total = jit_cpu_seconds(self.pid) - jit0, process_cpu_seconds(self.pid) - all0
            if total > 0 and jit / total < settled:
                return rounds
        return max_rounds

    def round(self, transfers, tiny):
        nbytes = self.table.nbytes
        for _ in range(transfers):
            c0, s0, start = own_cpu_seconds(), process_cpu_seconds(self.pid), time.perf_counter()
            self.get_big()
            self.samples["get"].append(nbytes / (time.perf_counter() - start) / 1e9)
            self._account("get", c0, s0)
            c0, s0, start = own_cpu_seconds(), process_cpu_seconds(self.pid), time.perf_counter()
            key = self.put_big()
            self.samples["put"].append(nbytes / (time.perf_counter() - start) / 1e9)
            self._account("put", c0, s0)
            self.delete(key)
        times = []
        c0, s0 = own_cpu_seconds(), process_cpu_seconds(self.pid)
        for _ in range(tiny):
            start = time.perf_counter()
            self.get_tiny()
            times.append(time.perf_counter() - start)
        self._account("tiny", c0, s0, tiny)
        self.samples["tiny"].append(statistics.median(times) * 1e6)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-pyarrow":
        serve_pyarrow()
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved measuring rounds (default 5)")
    parser.add_argument("--transfers", type=int, default=2, help="256 MiB DoGets and DoPuts per round (default 2)")
    parser.add_argument("--tiny", type=int, default=500, help="one-element DoGets per round (default 500)")
    parser.add_argument("--java-opts", default="", help="extra JVM options for the Quiver server")
    args = parser.parse_args()

    jar = os.environ.get("QUIVER_BENCH_JAR", ROOT / "bench" / "target" / "quiver-benchmarks.jar")
    flags = (ROOT / "clients" / "java" / "target" / "launcher" / "jvm.flags").read_text().split()
    java = ["java", *flags, "-Xmx2g", *shlex.split(args.java_opts), "-cp", str(jar), "dev.quiver.bench.FlightBenchmark"]
    quiver = subprocess.Popen(java, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    quiver_location, big_handle, tiny_handle = quiver.stdout.readline().split()
    peer = subprocess.Popen([sys.executable, __file__, "--serve-pyarrow", quiver_location, big_handle, tiny_handle],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    peer_location = peer.stdout.readline().strip()
    try:
        table = flight.connect(quiver_location).do_get(flight.Ticket(big_handle.encode())).read_all()
        table = table.combine_chunks()
        q = Peer("Quiver", quiver_location, big_handle.encode(), tiny_handle.encode(), table, quiver.pid)
        p = Peer("pyarrow", peer_location, b"big", b"tiny", table, peer.pid)
        tcp_before = loopback_tcp_gbps()
        q.warm_up()
        warm_rounds = q.warm_up_until_compiled()
        p.warm_up()
        for r in range(args.rounds):
            for s in ((q, p) if r % 2 == 0 else (p, q)):
                s.round(args.transfers, args.tiny)
        tcp_after = loopback_tcp_gbps()
        report(q, p, args, table, (tcp_before, tcp_after), args.java_opts, warm_rounds)
    finally:
        for proc in (peer, quiver):
            proc.stdin.close()
            proc.wait(timeout=60)


def report(q, p, args, table, tcp, java_opts, warm_rounds):
    print(f"\nFlight, pyarrow {pa.__version__} client; {table.nbytes / MIB:.0f} MiB float32 tensor "
          f"(DoGet in 4 MiB batches, DoPut as one batch); {args.rounds} interleaved rounds of "
          f"{args.transfers} transfers each way and {args.tiny} one-element DoGets"
          + (f"; Quiver JVM options: {java_opts}" if java_opts else ""))
    print(f"Quiver's JVM warmed up until its JIT compilers settled: {warm_rounds} rounds of 3 transfers each way "
          f"and 2000 one-element DoGets after the common warm-up")
    print(f"loopback TCP limit, one connection: {tcp[0]:.2f} GB/s before, {tcp[1]:.2f} GB/s after\n")
    header = f"{'':26}{'Quiver':>16}{'pyarrow':>16}{'ratio':>14}  {'goal':>6}"
    print(header)
    print(f"{'':26}{'median   best':>16}{'median   best':>16}{'median  best':>14}")
    rows = [("DoGet 256 MiB (GB/s)", "get", max, ">= 1.5"),
            ("DoPut 256 MiB (GB/s)", "put", max, ">= 1.5"),
            ("DoGet 1 element (us)", "tiny", min, "<= 0.5")]
    verdicts = []
    for label, key, best, goal in rows:
        qm, qb = statistics.median(q.samples[key]), best(q.samples[key])
        pm, pb = statistics.median(p.samples[key]), best(p.samples[key])
        rm, rb = qm / pm, qb / pb
        print(f"{label:26}{qm:8.2f}{qb:8.2f}{pm:8.2f}{pb:8.2f}{rm:8.2f}{rb:6.2f}  {goal:>6}")
        met = rm >= 1.5 if goal.startswith(">=") else rm <= 0.5
        verdicts.append(f"{label.split(' (')[0]}: {'met' if met else 'NOT met'}")
    tcp_mid = min(tcp)
    print(f"\nDoGet median at {statistics.median(q.samples['get']) / tcp_mid:.0%} (Quiver) and "
          f"{statistics.median(p.samples['get']) / tcp_mid:.0%} (pyarrow) of the lower loopback TCP figure")
    print("goal (on medians): " + "; ".join(verdicts))
    print("\nCPU per operation (client = this pyarrow process, server = the server's process; whole processes):")
    print(f"{'':26}{'Quiver client  server':>24}{'pyarrow client  server':>26}")
    gb = table.nbytes / 1e9
    for label, key, scale, unit in (("DoGet 256 MiB", "get", 1 / gb, "s/GB"), ("DoPut 256 MiB", "put", 1 / gb, "s/GB"),
                                    ("DoGet 1 element", "tiny", 1e6, "us")):
        qc, qs = q.cpu_per_op(key)
        pc, ps = p.cpu_per_op(key)
        print(f"{label + ' (' + unit + ')':26}{qc * scale:12.3g}{qs * scale:10.3g}{pc * scale:14.3g}{ps * scale:10.3g}")
    client_tiny = min(q.cpu_per_op("tiny")[0], p.cpu_per_op("tiny")[0]) * 1e6
    pyarrow_tiny = statistics.median(p.samples["tiny"])
    print(f"the pyarrow client alone spends {client_tiny:.0f} us of CPU per one-element DoGet, "
          f"{client_tiny / pyarrow_tiny:.0%} of the pyarrow server's median round trip")
    # What no server could beat: the client's own CPU per GB, spread over every core of the machine (the client
    # and the server share them), bounds DoGet even for a server that spent nothing.
    cores = os.cpu_count() or 1
    client_get = min(q.cpu_per_op("get")[0], p.cpu_per_op("get")[0]) / gb
    ceiling = cores / client_get
    print(f"a server spending no CPU at all could serve this client at most {ceiling:.2f} GB/s of DoGet on "
          f"{cores} cores ({client_get:.3g} s/GB of client CPU): {ceiling / statistics.median(p.samples['get']):.2f}x "
          f"the pyarrow server's median")


if __name__ == "__main__":
    main()
