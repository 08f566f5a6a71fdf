"""Starts real Quiver servers (bin/quiver serve, the Java server) for the tests, and stops them."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "clients" / "python"))

TOKEN = "pytest-token"


class Server:
    def __init__(self, *args):
        self.proc = subprocess.Popen(
            [str(ROOT / "bin" / "quiver"), "serve", "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ, QUIVER_TOKEN=""))
        line = self.proc.stdout.readline()  # the first line names the location; bin/quiver may build first
        m = re.match(r"quiver: serving at (\S+)", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("the server did not start: " + line + self.proc.stderr.read())
        self.location = m.group(1)

    def stop(self):
        self.proc.terminate()  # SIGTERM: the graceful shutdown hook runs
        try:
            code = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        assert code in (0, 143, -15), f"server exited with {code}: {self.proc.stderr.read()}"


@pytest.fixture(scope="session")
def server():
    s = Server()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def secured_server():
    s = Server("--auth-token", TOKEN)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def tiny_server(tmp_path_factory):
    """A server whose store keeps 64 bytes in memory and 64 on disk."""
    spill = tmp_path_factory.mktemp("spill")
    s = Server("--memory-budget", "64", "--disk-budget", "64", "--spill-dir", str(spill))
    yield s
    s.stop()


@pytest.fixture
def client(server):
    import quiver_client

    with quiver_client.connect(server.location) as c:
        yield c
