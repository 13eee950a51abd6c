"""``slrflow serve``: the local screening page of one reviewer, or of a resolver.

Starts a web server on this computer (127.0.0.1) and opens the page in the browser. Listening
on another interface (``--host``) must be asked for with ``--allow-remote``; the page then asks
for the access token printed here. Stop it with Ctrl-C: every decision is already on disk.
"""

from __future__ import annotations

import argparse
import secrets
import socket
import sys
import threading
import webbrowser
from pathlib import Path

from slrflow.screening import ScreeningError
from slrflow.serve.guard import Access, is_loopback

#: The port the page listens on unless told otherwise.
DEFAULT_PORT = 8765


def add_arguments_serve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("review", type=Path, help="the review folder")
    parser.add_argument("--reviewer", required=True, help="your name as the config lists it")
    parser.add_argument(
        "--stage", choices=["title_abstract", "full_text"], default="title_abstract",
        help="the stage to screen (default: title_abstract)",
    )  # fmt: skip
    parser.add_argument(
        "--resolve", action="store_true",
        help="resolver mode: settle open conflicts into screening/resolutions.csv",
    )  # fmt: skip
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT,
        help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0: any free port)",
    )  # fmt: skip
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument(
        "--unblind", action="store_true",
        help="show the other reviewers' decisions on each reference (default: blind)",
    )  # fmt: skip
    parser.add_argument(
        "--host", default="127.0.0.1",
        help="interface to listen on (default 127.0.0.1; another needs --allow-remote)",
    )  # fmt: skip
    parser.add_argument(
        "--allow-remote", action="store_true",
        help="let other computers reach the page (they need the printed access token)",
    )  # fmt: skip
    parser.add_argument(
        "--results", type=Path, help="the results of the last run (default: REVIEW/results)"
    )


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def serve(args: argparse.Namespace) -> int:
    """Start the page and serve until interrupted."""
    import uvicorn

    from slrflow.serve.app import build_app
    from slrflow.serve.conflicts import Conflicts
    from slrflow.serve.review import open_review
    from slrflow.serve.worklist import Worklist

    remote = not is_loopback(args.host)
    if remote and not args.allow_remote:
        raise ScreeningError(
            [f"--host {args.host}: the page listens on 127.0.0.1 only; to let other computers "
             "reach it add --allow-remote (they will need the access token printed then)"],
            heading="screening page",
        )  # fmt: skip
    review = open_review(args.review, results=args.results)
    print(f"reading {review.folder} ({args.stage}) ...", file=sys.stderr)
    worklist = Worklist(review, reviewer=args.reviewer, stage=args.stage, blind=not args.unblind)
    conflicts = Conflicts(worklist) if args.resolve else None
    port = args.port or _free_port(args.host)
    access = Access(
        port=port,
        page_token=secrets.token_urlsafe(24),
        remote=remote,
        access_token=secrets.token_urlsafe(24) if remote else "",
        host=args.host,
    )
    shown_host = args.host if remote else "127.0.0.1"
    url = f"http://{shown_host}:{port}/"
    if remote:
        url += f"?token={access.access_token}"
    print(
        f"screening page of {args.reviewer} ({'resolving conflicts at ' if args.resolve else ''}"
        f"{args.stage}): {url}\nstop with Ctrl-C; every decision is saved as it is made",
        file=sys.stderr,
        flush=True,
    )
    app = build_app(worklist, access=access, conflicts=conflicts)
    config = uvicorn.Config(
        app, host=args.host, port=port, log_level="warning", access_log=False,
        server_header=False, proxy_headers=False,
    )  # fmt: skip
    server = uvicorn.Server(config)
    if not args.no_browser:
        threading.Timer(0.8, webbrowser.open, args=(url,)).start()
    try:
        server.run()
    finally:
        worklist.close()
    return 0
