"""The HTTP(S) front: TLS, fault injection, the discovery-client probe."""

import json
import logging
import os
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from . import auth, pki
from .api import Api
from .data import VolumeData
from .faults import Faults
from .store import ApiError, Store

LOG = logging.getLogger("lightbits_emulator")
ADMIN_JWT_FILE = "admin.jwt"
STATE_FILE = "state.sqlite"
MAX_BODY = 1 << 20


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 refuses bursts (Cinder + Horizon + tests)
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        LOG.debug("connection from %s ended with an error", client_address, exc_info=True)


class ApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "LightbitsEmulator/1.0"
    timeout = 60
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle and
    # delayed ACKs add ~40 ms to every keep-alive request.
    disable_nagle_algorithm = True

    def setup(self):
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()

    def log_message(self, fmt, *args):  # never logs headers, so no tokens
        LOG.debug("%s %s", self.address_string(), fmt % args)

    def _send(self, status, payload=b"", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _serve(self):
        emu = self.server.emulator
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            err = ApiError(400, "bad Content-Length")
            return self._send(400, json.dumps(err.body()).encode())
        raw = self.rfile.read(length) if length else b""
        if not urlsplit(self.path).path.startswith("/_emulator"):
            for rule in emu.faults.match(self.command, self.path):
                if rule["kind"] == "latency":
                    time.sleep(rule["seconds"])
                elif rule["kind"] == "drop":
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                elif rule["kind"] == "status":
                    err = ApiError(rule["status"], rule["message"])
                    return self._send(err.status, json.dumps(err.body()).encode())
        try:
            resp = emu.api.handle(self.command, self.path, self.headers, raw)
        except Exception:
            LOG.exception("internal error answering %s %s", self.command, self.path)
            err = ApiError(500, "internal error")
            return self._send(500, json.dumps(err.body()).encode())
        self._send(resp.status, resp.payload(), resp.headers)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve


class DiscoveryHandler(BaseHTTPRequestHandler):
    """What os-brick probes to decide a host runs the Lightbits discovery client."""

    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        LOG.debug("discovery %s", fmt % args)

    def do_GET(self):
        ok = urlsplit(self.path).path == "/metrics"
        payload = b"# Lightbits emulator: discovery-client metrics\n" if ok else b""
        self.send_response(200 if ok else 404)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(payload)

    do_HEAD = do_GET


class Emulator:
    """One emulated cluster: its servers and state. ``start()`` then ``stop()``."""

    def __init__(
        self,
        state_dir,
        memory=False,
        host="127.0.0.1",
        port=28443,
        http_port=None,
        discovery_port=None,
        nodes=3,
        create_delay=0.2,
        delete_delay=0.2,
    ):
        self.state_dir = os.path.abspath(state_dir)
        self.memory = memory
        self.host = host
        self.port = port
        self.http_port = http_port
        self.discovery_port = discovery_port
        self.nodes = nodes
        self.create_delay = create_delay
        self.delete_delay = delete_delay
        self._servers = []
        self._threads = []

    @property
    def ca_file(self):
        return self.material.ca_file

    @property
    def admin_jwt_file(self):
        return os.path.join(self.state_dir, ADMIN_JWT_FILE)

    def mint_jwt(self, project="default", ttl=3600, admin=False):
        return auth.mint(self.material.jwt_private_pem, project, ttl, admin)

    def _admin_jwt(self):
        path = self.admin_jwt_file
        if os.path.exists(path):
            with open(path) as f:
                token = f.read().strip()
            try:
                if auth.verify(self.material.jwt_public_pem, "Bearer " + token).admin:
                    return token
            except auth.AuthError:
                pass
        token = self.mint_jwt(ttl=auth.ADMIN_TTL, admin=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(token + "\n")
        return token

    def _listen(self, handler, port, tls):
        httpd = _Server((self.host, port), handler)
        httpd.emulator = self
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(self.material.cert_file, self.material.key_file)
            httpd.socket = ctx.wrap_socket(
                httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
        )
        self._servers.append(httpd)
        self._threads.append(thread)
        return httpd

    def start(self):
        self.material = pki.ensure_material(self.state_dir)
        self.admin_jwt = self._admin_jwt()
        https = self._listen(ApiHandler, self.port, tls=True)
        self.port = https.server_address[1]
        if self.http_port is not None:
            self.http_port = self._listen(ApiHandler, self.http_port, tls=False).server_address[1]
        if self.discovery_port is not None:
            self.discovery_port = self._listen(
                DiscoveryHandler, self.discovery_port, tls=False
            ).server_address[1]
        db_path = None if self.memory else os.path.join(self.state_dir, STATE_FILE)
        data = None if self.memory else VolumeData(self.state_dir)
        self.store = Store(
            db_path, self.nodes, self.create_delay, self.delete_delay, port=self.port, data=data
        )
        self.faults = Faults(self.store)
        self.api = Api(self.store, self.faults, self.material.jwt_public_pem)
        for thread in self._threads:
            thread.start()
        return self

    @property
    def base_url(self):
        return f"https://{self.host}:{self.port}"

    def stop(self):
        for httpd in self._servers:
            httpd.shutdown()
            httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()
