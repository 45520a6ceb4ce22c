#!/usr/bin/env python3
"""A local JWKS endpoint for the C and Python tests of the JWKS client (docs/jwks.md).

    server.py DIR CERT KEY      HTTPS with CERT/KEY (tests/tls/make-certs.sh's server.pem/.key)
    server.py DIR --http        plain HTTP

Listens on 127.0.0.1, an ephemeral port, and prints the port on the first line. Paths:
  /jwks.json   200 with the text of DIR/jwks.json, read at each request (a test rotates keys
               by rewriting the file); each request adds one to DIR/count
  /500         HTTP 500               /redirect  302 to /jwks.json
  /slow        answers nothing for 30 s
  /huge        200 with 4 MiB of spaces and no Content-Length
  /malformed   200 with text that is not JSON
"""

import http.server
import ssl
import sys
import threading
import time
from pathlib import Path


def handler_for(directory: Path) -> type:
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def send(self, status: int, body: bytes, **headers: str) -> None:
            self.send_response(status)
            self.send_header("Connection", "close")
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers.items():
                self.send_header(k.replace("_", "-"), v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = self.path
            if path == "/jwks.json":
                with lock:
                    count = directory / "count"
                    n = int(count.read_text()) if count.exists() else 0
                    count.write_text(str(n + 1))
                self.send(200, (directory / "jwks.json").read_bytes(), Content_Type="application/json")
            elif path == "/500":
                self.send(500, b"")
            elif path == "/redirect":
                self.send(302, b"", Location="/jwks.json")
            elif path == "/slow":
                time.sleep(30)
            elif path == "/huge":
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for _ in range(256):
                        self.wfile.write(b" " * 16384)
                except OSError:
                    pass
            elif path == "/malformed":
                self.send(200, b'{"keys": [', Content_Type="application/json")
            else:
                self.send(404, b"")

    return Handler


def start(directory: Path, cert: "str | None", key: "str | None") -> http.server.ThreadingHTTPServer:
    """Starts the server in a daemon thread and returns it (``server_address[1]`` is the port)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_for(directory))
    server.daemon_threads = True
    if cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


if __name__ == "__main__":
    d = Path(sys.argv[1])
    plain = sys.argv[2] == "--http"
    srv = start(d, None if plain else sys.argv[2], None if plain else sys.argv[3])
    print(srv.server_address[1], flush=True)
    threading.Event().wait()
