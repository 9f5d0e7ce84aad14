"""A local HTTP server for the benchmark's pages, in a process of its own so that serving does
not compete with the measured pipeline for the interpreter lock."""

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ROBOTS = b"User-agent: *\nDisallow: /private/\n"
Served = dict[str, tuple[bytes, str]]  # path -> (body, Content-Type)


def _handler(pages: Served) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in one write, and without Nagle's algorithm: otherwise the
        # client's delayed ACK stalls small responses by up to 40 ms, a cost of this server.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
            if self.path == "/robots.txt":
                body, content_type = ROBOTS, "text/plain"
            elif self.path in pages:
                body, content_type = pages[self.path]
            else:
                self.send_error(404)
                return
            self.send_response_only(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self._headers_buffer.append(b"\r\n")
            self.wfile.write(b"".join(self._headers_buffer) + body)
            self._headers_buffer = []

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler


def _exit_with(parent: int) -> None:
    """Stop when the benchmark is gone, even if it was killed without a word."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _serve(pages: Served, host: str, port: int, ready: Any) -> None:
    # A Ctrl-C reaches the whole process group; the benchmark stops this process itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(os.getppid(),), daemon=True).start()
    server = ThreadingHTTPServer((host, port), _handler(pages))
    server.daemon_threads = True
    ready.put(server.server_address[1])
    server.serve_forever()


@contextlib.contextmanager
def page_server(pages: Served, *, port: int = 0, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``pages`` on ``host`` (``port`` 0: any free one); yield the base URL."""
    context = multiprocessing.get_context("spawn")
    ready = context.Queue()
    process = context.Process(target=_serve, args=(pages, host, port, ready), daemon=True)
    process.start()
    try:
        port = ready.get(timeout=60)
        yield f"http://{host}:{port}"
    finally:
        process.terminate()
        process.join(timeout=10)
