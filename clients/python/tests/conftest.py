"""Starts real Quiver servers (bin/quiver serve, the Java server) for the tests, and stops them.

The tests import the installed quiver_client (bin/test installs ./clients/python into the venv), not the source
tree, so that pyproject.toml is what they exercise.
"""

import os
import pathlib
import re
import subprocess
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]

TOKEN = "pytest-token"


class Server:
    """``bin/quiver serve --port 0 ARGS``; its stderr (the server's log) goes to a file, read on failure."""

    def __init__(self, *args):
        self.log = tempfile.NamedTemporaryFile(prefix="quiver-serve-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            [str(ROOT / "bin" / "quiver"), "serve", "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=self.log, text=True, env=dict(os.environ, QUIVER_TOKEN=""))
        line = self.proc.stdout.readline()  # the first line names the location; bin/quiver may build first
        m = re.match(r"quiver: serving at (\S+)", line)
        if not m:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("the server did not start: " + line + self.stderr())
        self.location = m.group(1)
        # What it prints next, up to the last line of its pyarrow snippet.
        self.printed = [line]
        while not self.printed[-1].lstrip().startswith("x = ") and self.printed[-1]:
            self.printed.append(self.proc.stdout.readline())

    def stderr(self):
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        self.proc.terminate()  # SIGTERM: the graceful shutdown hook runs
        try:
            code = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        finally:
            self.proc.stdout.close()
            self.log.close()
        log = self.stderr()
        os.unlink(self.log.name)
        assert code in (0, 143, -15), f"server exited with {code}: {log}"


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
