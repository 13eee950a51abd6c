"""Running the screening page for tests: in this process (a thread) or as ``slrflow serve``."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from slrflow.serve.app import build_app
from slrflow.serve.conflicts import Conflicts
from slrflow.serve.guard import Access
from slrflow.serve.review import open_review
from slrflow.serve.worklist import Worklist


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Running:
    """A page being served: its address, page token and worklist."""

    url: str
    port: int
    token: str
    worklist: Worklist
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.worklist.close()


def start(folder: Path, reviewer: str, *, stage="title_abstract", resolve=False) -> Running:
    """Serve ``reviewer``'s page of the review in ``folder`` from a thread of this process."""
    worklist = Worklist(open_review(folder), reviewer=reviewer, stage=stage)
    port = free_port()
    access = Access(port=port, page_token=f"token-{reviewer}-{port}")
    app = build_app(worklist, access=access, conflicts=Conflicts(worklist) if resolve else None)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    return Running(f"http://127.0.0.1:{port}/", port, access.page_token, worklist, server, thread)


def request(port: int, method: str, path: str, *, body=None, headers=None, host="127.0.0.1"):
    """(status, text) of one raw request; ``path`` is sent exactly as given."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    send = {"Host": f"{host}:{port}"} | (headers or {})
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        send.setdefault("Content-Type", "application/json")
        send["Content-Length"] = str(len(data))
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for key, value in send.items():
        conn.putheader(key, value)
    conn.endheaders(data)
    response = conn.getresponse()
    text = response.read().decode("utf-8", errors="replace")
    conn.close()
    return response.status, text


def spawn(folder: Path, reviewer: str, *extra: str, cwd: Path | None = None):
    """``slrflow serve`` as its own process; returns (process, port, page token)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "slrflow.cli", "serve", str(folder), "--reviewer", reviewer,
         "--port", str(port), "--no-browser", *extra],
        cwd=cwd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read())
        try:
            status, page = request(port, "GET", "/")
        except OSError:
            time.sleep(0.2)
            continue
        token = re.search(r'name="slrflow-page" content="([^"]+)"', page).group(1)
        return process, port, token
    process.kill()
    raise RuntimeError("the page did not start")
