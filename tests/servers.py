"""A real HTTP server on 127.0.0.1 for the tests: serves bytes, errors, HTML and dropped transfers."""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What one path answers: a body, a status, and optionally a connection dropped mid-body."""

    body: bytes = b""
    status: int = 200
    content_type: str = "application/gzip"
    drops: int = 0            # how many of the next requests are cut off half-way
    ranges: bool = True       # whether Range requests are honoured
    requests: int = 0


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, Route] = {}

    def do_GET(self):  # noqa: N802 - the name http.server looks for
        route = self.routes.get(self.path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        route.requests += 1
        if route.status != 200:
            self.send_error(route.status)
            return
        start = self._range_start(route)
        body = route.body[start:]
        self.send_response(206 if start else 200)
        self.send_header("Content-Type", route.content_type)
        self.send_header("Content-Length", str(len(body)))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(route.body) - 1}/{len(route.body)}")
        self.end_headers()
        if route.drops:
            route.drops -= 1
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        self.wfile.write(body)

    def _range_start(self, route: Route) -> int:
        header = self.headers.get("Range", "")
        if not (route.ranges and header.startswith("bytes=")):
            return 0
        return int(header[len("bytes="):].split("-")[0])

    def log_message(self, format, *args):  # keep pytest's output clean
        pass


class Server:
    """Start with `Server()`, add routes, read `.url(path)`, and `.close()` at the end. With a
    `certificate` (an ssl.SSLContext's cert and key files), it speaks HTTPS."""

    def __init__(self, certificate: tuple[str, str] | None = None):
        handler = type("Handler", (_Handler,), {"routes": {}})
        self.routes: dict[str, Route] = handler.routes
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.scheme = "http"
        if certificate:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*certificate)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        # Polled every 20 ms for close(), which otherwise waits up to half a second
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,),
                                       daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        host, port = self.httpd.server_address[:2]
        return f"{self.scheme}://{host}:{port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
