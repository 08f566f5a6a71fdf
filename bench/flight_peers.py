#!/usr/bin/env python3
"""Quiver's Flight server against a pyarrow in-memory Flight server, from the same pyarrow client.

One run measures, for both servers holding the same 256 MiB float32 tensor (as Quiver streams it):
DoGet throughput, DoPut throughput (GB/s) and the round trip of a one-element DoGet (microseconds),
plus the loopback TCP limit of this machine measured in the same run. It prints the ratios against the
goal: Quiver >= 1.5x pyarrow's throughput both ways, one-element round trip at most half of pyarrow's.

Usage (after `mvn -B -q -DskipTests package -pl bench -am`):
    python bench/flight_peers.py [--reps N]
Each server runs in its own process; the client runs here.
"""

import argparse
import pathlib
import socket
import statistics
import subprocess
import sys
import threading
import time

import numpy as np
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


def best_gbps(fn, nbytes, reps):
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return nbytes / min(times) / 1e9


def median_us(fn, reps):
    for _ in range(50):
        fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def measure(location, big_ticket, tiny_ticket, table, reps, delete_action):
    client = flight.connect(location)
    nbytes = table.nbytes

    def get_big():
        client.do_get(flight.Ticket(big_ticket)).read_all()

    def put_big():
        writer, reader = client.do_put(flight.FlightDescriptor.for_path("tensors"), table.schema)
        writer.write_table(table)
        writer.done_writing()
        key = reader.read()
        writer.close()
        list(client.do_action(flight.Action(delete_action, key.to_pybytes())))

    def get_tiny():
        client.do_get(flight.Ticket(tiny_ticket)).read_all()

    return {
        "doget_gbps": best_gbps(get_big, nbytes, reps),
        "doput_gbps": best_gbps(put_big, nbytes, reps),
        "tiny_us": median_us(get_tiny, reps * 100),
    }


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-pyarrow":
        serve_pyarrow()
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5, help="repetitions of each 256 MiB transfer")
    args = parser.parse_args()

    jar = ROOT / "bench" / "target" / "quiver-benchmarks.jar"
    flags = (ROOT / "clients" / "java" / "target" / "launcher" / "jvm.flags").read_text().split()
    quiver = subprocess.Popen(["java", *flags, "-Xmx2g", "-cp", str(jar), "dev.quiver.bench.FlightBenchmark"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    quiver_location, big_handle, tiny_handle = quiver.stdout.readline().split()
    peer = subprocess.Popen([sys.executable, __file__, "--serve-pyarrow", quiver_location, big_handle, tiny_handle],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    peer_location = peer.stdout.readline().strip()
    try:
        table = flight.connect(quiver_location).do_get(flight.Ticket(big_handle.encode())).read_all()
        table = table.combine_chunks()
        print(f"tensor: {table.nbytes / MIB:.0f} MiB float32, {table.column(0).num_chunks} batch(es) per upload")
        tcp = loopback_tcp_gbps()
        print(f"loopback TCP, one connection:  {tcp:6.2f} GB/s")
        q = measure(quiver_location, big_handle.encode(), tiny_handle.encode(), table, args.reps, "delete")
        p = measure(peer_location, b"big", b"tiny", table, args.reps, "delete")
        print(f"{'':24}{'Quiver':>10}{'pyarrow':>10}{'ratio':>8}  goal")
        print(f"{'DoGet 256 MiB (GB/s)':24}{q['doget_gbps']:10.2f}{p['doget_gbps']:10.2f}"
              f"{q['doget_gbps'] / p['doget_gbps']:8.2f}  >= 1.5")
        print(f"{'DoPut 256 MiB (GB/s)':24}{q['doput_gbps']:10.2f}{p['doput_gbps']:10.2f}"
              f"{q['doput_gbps'] / p['doput_gbps']:8.2f}  >= 1.5")
        print(f"{'DoGet 1 element (us)':24}{q['tiny_us']:10.1f}{p['tiny_us']:10.1f}"
              f"{q['tiny_us'] / p['tiny_us']:8.2f}  <= 0.5")
        print(f"(DoGet at {q['doget_gbps'] / tcp:.0%} / {p['doget_gbps'] / tcp:.0%} of the loopback TCP limit)")
    finally:
        for proc in (peer, quiver):
            proc.stdin.close()
            proc.wait(timeout=60)


if __name__ == "__main__":
    main()
