"""`minbil serve` in a subprocess on a loopback port of 18100-18199 (the graceful-shutdown and proxy tests)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from app.settings import Settings
from tests.realtime.harness import ROOT, server_env, stop_process, wait_until_answering

PORTS = range(18100, 18200)  # loopback ports these tests may serve on
_handed_out: set[int] = set()  # two servers started together must not both find the same port free


def loopback_port() -> int:
    for port in PORTS:
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            _handed_out.add(port)
            return port
    raise RuntimeError("no free port in 18100-18199")


class Served:
    """`minbil serve` (app/cli.py: migrations, then uvicorn with `server_options`) on a loopback port."""

    def __init__(self, settings: Settings, *, workers: int = 1, **env: str) -> None:
        self.workers = workers
        self.port = loopback_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/graphql"
        self.env = server_env(settings, MINBIL_PUBLIC_BASE_URL=self.base_url, **env)
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> Served:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            start_new_session=True,  # the workers too, in one group for `kill`
        )
        await wait_until_answering(self.process, self.base_url + "/health")
        return self

    def terminate(self) -> float:
        """Send SIGTERM; returns the moment it was sent (monotonic)."""
        assert self.process is not None
        sent = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        return sent

    async def exited_within(self, seconds: float) -> int | None:
        """The exit code, or None when the process is still running after `seconds`."""
        assert self.process is not None
        try:
            return await asyncio.to_thread(self.process.wait, seconds)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """Stop the server and its workers (its own process group: a SIGKILLed parent would orphan them)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


class CaddyProxy:
    """Caddy with docker/Caddyfile, its replicas replaced by loopback servers and its port by a loopback one."""

    def __init__(self, upstreams: list[int], workdir: Path) -> None:
        self.port = loopback_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/graphql"
        config = (ROOT / "docker" / "Caddyfile").read_text()
        config = config.replace("app-1:8000 app-2:8000", " ".join(f"127.0.0.1:{port}" for port in upstreams))
        self.config = workdir / "Caddyfile"
        self.config.write_text(config.replace(":80 {", f"http://127.0.0.1:{self.port} {{"))
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> CaddyProxy:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.workdir), "XDG_DATA_HOME": str(self.workdir)}
        self.process = subprocess.Popen(
            ["caddy", "run", "--config", str(self.config), "--adapter", "caddyfile"],
            env=env | {"XDG_CONFIG_HOME": str(self.workdir)},
            stdout=subprocess.DEVNULL,
            stderr=(self.workdir / "caddy.log").open("ab"),
        )
        await wait_until_answering(self.process, self.base_url + "/ready", timeout_s=60, log=self.workdir / "caddy.log")
        return self

    def stop(self) -> None:
        stop_process(self.process)
