#!/usr/bin/env python3
"""Mock Graph API server on 127.0.0.1, for trying the component by hand and for
scripts/test-cli.sh.

Listens on --port (default 0: a port chosen by the OS). Once the socket listens, it prints its
base URL, or with --port-file writes the port to that file instead. With --log it appends one
JSON line per request: {"method": ..., "target": path and query as received, "host": Host header,
"query": decoded parameters}.

The response depends on the token in the query (`fb_exchange_token`, else `access_token`):
- contains "expired": HTTP 400 with Graph error code 190, subcode 463;
- contains "throttled": HTTP 400 with Graph error code 4 and X-App-Usage and Retry-After headers;
- contains "unavailable": HTTP 503 with an HTML body and no Graph error object;
- contains "echo-secret": HTTP 400 with a Graph error whose message repeats client_secret;
- anything else: HTTP 200 with access_token "LL-" + token, token_type "bearer" and
  expires_in 5183944.
"""

import argparse
import http.server
import json
import os
import threading
import urllib.parse

EXPIRES_IN_SECONDS = 5183944


def graph_error(message, code, subcode=None):
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AcliTrace"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


def choose_response(query):
    """Choose the mock's reply to a request with the decoded `query`.

    Returns (status, headers, body bytes).
    """
    token = query.get("fb_exchange_token", query.get("access_token", ""))
    json_headers = {"Content-Type": "application/json"}

    if "expired" in token:
        body = graph_error("Error validating access token: Session has expired.", 190, 463)
        return 400, json_headers, json.dumps(body).encode()

    if "throttled" in token:
        headers = dict(json_headers)
        headers["X-App-Usage"] = '{"call_count":100,"total_cputime":12,"total_time":15}'
        headers["Retry-After"] = "120"
        body = graph_error("Application request limit reached", 4)
        return 400, headers, json.dumps(body).encode()

    if "unavailable" in token:
        body = b"<html><body>Service Unavailable</body></html>"
        return 503, {"Content-Type": "text/html"}, body

    if "echo-secret" in token:
        secret = query.get("client_secret", "")
        body = graph_error(f"Invalid parameter client_secret={secret}", 100)
        return 400, json_headers, json.dumps(body).encode()

    body = {"access_token": "LL-" + token, "token_type": "bearer", "expires_in": EXPIRES_IN_SECONDS}
    return 200, json_headers, json.dumps(body).encode()


def make_handler(log_file, log_lock):
    class GraphHandler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def record(self, query):
            entry = {
                "method": self.command,
                "target": self.path,
                "host": self.headers.get("Host"),
                "query": query,
            }
            if log_file is None:
                return
            with log_lock:
                log_file.write(json.dumps(entry) + "\n")
                log_file.flush()

        def reply(self, status, headers, body):
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            query_text = urllib.parse.urlsplit(self.path).query
            query = dict(urllib.parse.parse_qsl(query_text, keep_blank_values=True))
            self.record(query)
            self.reply(*choose_response(query))

        def reject_method(self):
            self.record({})
            body = b"only GET is supported\n"
            self.reply(405, {"Content-Type": "text/plain", "Allow": "GET"}, body)

        do_POST = reject_method
        do_PUT = reject_method
        do_DELETE = reject_method
        do_HEAD = reject_method

        def log_message(self, format, *args):
            # The JSON log above replaces the default access log on stderr.
            pass

    return GraphHandler


def main():
    parser = argparse.ArgumentParser(description="Mock Graph API server on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1; 0 lets the OS choose (default)")
    parser.add_argument("--port-file", help="file that receives the port number")
    parser.add_argument("--log", help="file that receives one JSON line per request")
    arguments = parser.parse_args()

    log_file = open(arguments.log, "a", encoding="utf-8") if arguments.log else None
    handler = make_handler(log_file, threading.Lock())
    server = http.server.ThreadingHTTPServer(("127.0.0.1", arguments.port), handler)
    port = server.server_address[1]

    if arguments.port_file:
        # Write the port under a temporary name and rename it, so that a reader never sees a
        # partly written number.
        partial_path = arguments.port_file + ".partial"
        with open(partial_path, "w", encoding="utf-8") as port_file:
            port_file.write(str(port))
        os.replace(partial_path, arguments.port_file)
    else:
        print(f"mock Graph server on http://127.0.0.1:{port} (Ctrl-C stops it)", flush=True)

    server.serve_forever()


if __name__ == "__main__":
    main()
