# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A stand-in for a server the addon or the browser calls, on 127.0.0.1."""

import threading
from http.server import ThreadingHTTPServer


class LocalHttpServer:
    """Serves `handler` (a BaseHTTPRequestHandler) on 127.0.0.1 and a free port,
    in a thread, for the length of a `with` block."""

    def __init__(self, handler):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def origin(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
