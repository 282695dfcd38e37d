"""Command line: ``serve``, ``token`` and ``lbcli``."""

import argparse
import logging
import os
import signal
import sys
import threading

from . import auth, lbcli, pki
from .server import Emulator


def _serve(args):
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    emu = Emulator(
        args.state_dir,
        memory=args.memory,
        host=args.host,
        port=args.port,
        http_port=args.http_port,
        discovery_port=args.discovery_port,
        nodes=args.nodes,
        create_delay=args.create_delay,
        delete_delay=args.delete_delay,
    ).start()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(f"lightbits-emulator ready {emu.base_url}", flush=True)
    try:
        stop.wait()
    finally:
        emu.stop()
    return 0


def _token(args):
    material = pki.ensure_material(args.state_dir)
    print(auth.mint(material.jwt_private_pem, args.project, args.ttl, args.admin))
    return 0


def _lbcli(args):
    return lbcli.run(args)


def parser():
    p = argparse.ArgumentParser(prog="python -m lightbits_emulator")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the emulated cluster")
    s.add_argument("--state-dir", required=True)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=28443, help="HTTPS API port")
    s.add_argument("--http-port", type=int, help="also serve the API over plain HTTP")
    s.add_argument("--discovery-port", type=int, help="serve HEAD/GET /metrics (os-brick)")
    s.add_argument("--memory", action="store_true", help="keep state in memory only")
    s.add_argument("--nodes", type=int, default=3)
    s.add_argument("--create-delay", type=float, default=0.2)
    s.add_argument("--delete-delay", type=float, default=0.2)
    s.add_argument("--verbose", action="store_true", help="log every request to stderr")
    s.set_defaults(func=_serve)

    t = sub.add_parser("token", help="print a JWT signed by the emulator's key")
    t.add_argument("--state-dir", required=True)
    t.add_argument("--project", default="default")
    t.add_argument("--ttl", type=int, default=3600)
    t.add_argument("--admin", action="store_true", help="a cluster-admin token")
    t.set_defaults(func=_token)

    c = sub.add_parser("lbcli", help="lbcli-like tables from a running emulator")
    c.add_argument("--state-dir", required=True)
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--port", type=int, default=28443)
    c.add_argument("verb", choices=["list", "get"])
    c.add_argument("what", choices=["volumes", "snapshots", "cluster-info"])
    c.add_argument("--project", help="only this Lightbits project")
    c.set_defaults(func=_lbcli)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    if args.command == "serve" and args.nodes < 1:
        sys.exit("--nodes must be at least 1")
    if args.command != "serve" and not os.path.isdir(args.state_dir):
        sys.exit(f"no state directory {args.state_dir}")
    return args.func(args)
