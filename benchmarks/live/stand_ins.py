# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Local stand-ins for the outside world: the SMS gateway (IAP) and an SMTP server.

The servers under test are pointed at these (system parameter
`sms.endpoint`, `--smtp`/`--smtp-port`), so that nothing leaves the machine
and the gateway's own latency is whatever the benchmark says (none by
default).
"""

import json
import re
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CODE_RE = re.compile(r": ([0-9A-Z]{4,10}) is your code")


class SmsStandIn:
    """Answers IAP's `/api/sms/3/send` like the real gateway: one result per number.

    `delay` (seconds) is added before each answer; `down` makes it answer
    HTTP 503, as a gateway outage would. Received messages are kept in
    memory, in order, for the benchmark to read codes from.
    """

    def __init__(self, port, delay=0.0, down=False):
        self.port = port
        self.delay = delay
        self.down = down
        self.messages = []
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                if stand_in.delay:
                    time.sleep(stand_in.delay)
                if stand_in.down:
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                params = payload.get("params") or {}
                results = []
                with stand_in.lock:
                    for message in params.get("messages") or []:
                        for number in message.get("numbers") or []:
                            stand_in.messages.append(
                                {
                                    "number": number.get("number"),
                                    "content": message.get("content") or "",
                                    "at": time.time(),
                                }
                            )
                            results.append(
                                {
                                    "uuid": number.get("uuid"),
                                    "state": "success",
                                    "credit": 1,
                                }
                            )
                body = json.dumps(
                    {"jsonrpc": "2.0", "id": payload.get("id"), "result": results}
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def mark(self):
        with self.lock:
            return len(self.messages)

    def code_since(self, mark):
        """The last code received after `mark`, or None. Never printed."""
        with self.lock:
            received = self.messages[mark:]
        for message in reversed(received):
            match = CODE_RE.search(message["content"])
            if match:
                return match.group(1)
        return None

    def count_since(self, mark):
        with self.lock:
            return len(self.messages) - mark


class SmtpSink:
    """Accepts any mail and drops it: enough SMTP for Odoo's smtplib client."""

    def __init__(self, port):
        self.port = port
        self.received = 0
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line):
                self.wfile.write(line.encode() + b"\r\n")
                self.wfile.flush()

            def handle(self):
                self.reply("220 localhost bench SMTP sink")
                in_data = False
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    if in_data:
                        if line.rstrip(b"\r\n") == b".":
                            in_data = False
                            sink.received += 1
                            self.reply("250 OK")
                        continue
                    verb = line[:4].upper()
                    if verb == b"EHLO":
                        self.wfile.write(b"250-localhost\r\n250 SIZE 10485760\r\n")
                        self.wfile.flush()
                    elif verb == b"DATA":
                        in_data = True
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                    elif verb == b"QUIT":
                        self.reply("221 Bye")
                        return
                    else:
                        self.reply("250 OK")

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
