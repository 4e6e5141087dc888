#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo's "guest phone": local stand-ins for the SMS gateway and the mail server.

scripts/demo runs this file next to Odoo, until the demo stops, and
scripts/demo_configure.py points the demo database at it. None of it belongs
to the addon: no data file and no model knows about it, so a production
database never gets these settings.

This file serves, in threads of one process: over HTTP, the SMS endpoint
(demo_sms_endpoint.py answers what Odoo 18's sms module sends as IAP does)
and the guest phone page (demo_phone_page.py); and the SMTP sink
(demo_smtp_sink.py) that ``ir.mail_server`` connects to. Whether a code goes
out straight through ``SmsApi`` / ``ir.mail_server`` or as an ``sms.sms`` /
``mail.mail`` row sent at once, these are the calls that leave Odoo, so both
end here.

Every message the guests receive, codes included, is printed in the terminal
and shown on the page, newest first, as on the guest's phone. Showing codes
is the whole point of this process, which is why it only ever serves the
demo. The messages live in this process's memory only (demo_inbox.py).

Serving needs the standard library only. The sibling files are imported by
their bare names, which resolve because a script's own folder leads
``sys.path``. tests/test_demo_standins.py unit-tests the parts and the
running servers; tests/test_demo_delivery.py drives the whole thing end to
end on a database configured by scripts/demo_configure.py.
"""

import argparse
import json
import signal
import sys
import threading
import time
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from demo_inbox import Inbox
from demo_phone_page import render_phone_page
from demo_sms_endpoint import SMS_SEND_PATH, handle_sms_send
from demo_smtp_sink import SmtpHandler, ThreadingSmtpServer

HTTP_MAX_BODY = 1_000_000


class _HttpHandler(BaseHTTPRequestHandler):
    server_version = "SalonDemoGuestPhone/1.0"

    def do_POST(self):
        if self.path.split("?", 1)[0] != SMS_SEND_PATH:
            self._send(404, "text/plain", b"not found")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > HTTP_MAX_BODY:
            self._send(413, "text/plain", b"too large")
            return
        received, answer = handle_sms_send(self.rfile.read(length))
        for message in received:
            self.server.inbox.add(message)
        self._send(200, "application/json", json.dumps(answer).encode())

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        messages = self.server.inbox.messages()
        if path == "/":
            body = render_phone_page(messages).encode()
            self._send(200, "text/html; charset=utf-8", body)
        elif path == "/messages.json":
            body = json.dumps([asdict(m) for m in messages]).encode()
            self._send(200, "application/json", body)
        else:
            self._send(404, "text/plain", b"not found")

    def _send(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        """Quiet: the terminal is for the guests' messages."""


class StandIns:
    """The SMS endpoint with the guest phone page, and the SMTP sink, in threads.

    Port 0 takes a free port; the chosen ones are read back from the servers.
    """

    def __init__(self, host="127.0.0.1", http_port=0, smtp_port=0, inbox=None):
        self.host = host
        self.inbox = inbox or Inbox()
        self.http = ThreadingHTTPServer((host, http_port), _HttpHandler)
        self.http.daemon_threads = True
        self.http.inbox = self.inbox
        try:
            self.smtp = ThreadingSmtpServer((host, smtp_port), SmtpHandler)
        except OSError:
            self.http.server_close()
            raise
        self.smtp.inbox = self.inbox
        self._threads = []

    @property
    def http_port(self):
        return self.http.server_address[1]

    @property
    def smtp_port(self):
        return self.smtp.server_address[1]

    @property
    def base_url(self):
        return f"http://{self.host}:{self.http_port}"

    def start(self):
        for server in (self.http, self.smtp):
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self):
        for server in (self.http, self.smtp):
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(5)


def _serve_command(args):
    def echo(text):
        print(text, flush=True)

    # scripts/demo stops this process with SIGTERM (a background job of a
    # script ignores Ctrl-C): leave through `finally` all the same.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))

    try:
        standins = StandIns(args.host, args.http_port, args.smtp_port, Inbox(echo=echo))
    except OSError as exc:
        sys.exit(f"demo stand-ins: cannot listen on {args.host}: {exc}")
    standins.start()
    if args.ready_file:
        # Written once listening: the caller's sign that these ports are ours.
        with open(args.ready_file, "w", encoding="utf-8") as ready:
            ready.write(f"{standins.base_url}\n")
    print(
        f"demo stand-ins: SMS endpoint and guest phone on {standins.base_url}, "
        f"SMTP on {args.host}:{standins.smtp_port}",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        standins.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Run the demo's SMS endpoint, guest phone page and SMTP sink "
        "until interrupted."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--http-port", type=int, default=8070)
    parser.add_argument("--smtp-port", type=int, default=8071)
    parser.add_argument("--ready-file", help="written once both servers listen")
    _serve_command(parser.parse_args(argv))


if __name__ == "__main__":
    main()
