"""An emulator of the Lightbits cluster REST API v2, for development and tests.

Not part of the shipped plugin. Start it with::

    python -m lightbits_emulator serve --state-dir DIR [--port 28443]
        [--http-port N] [--discovery-port N] [--memory] [--nodes 3]
        [--create-delay 0.2] [--delete-delay 0.2]

First start writes DIR/ca.pem (clients verify the server with it), the server
certificate and key, a JWT signing key, and DIR/admin.jwt (cluster-admin).
``python -m lightbits_emulator token --state-dir DIR --project P`` mints a
project token. State (volumes, snapshots, nodes, cluster UUID) persists in
DIR/state.sqlite unless --memory; --nodes only applies to a new state.
Tests use ``lightbits_emulator.testing.run_emulator()``; ``EmulatorProcess``
runs ``serve`` as a child process.

REST API (``Authorization: Bearer <JWT>`` on every call): see ``api.ROUTES``.
JSON as grpc-gateway renders it: uint64 values (``size``, statistics) are
strings of bytes, uint32 values (``nsid``, ``replicaCount``) are numbers,
``compression`` is "true"/"false". Errors are ``{"code", "message",
"details"}``. ``connectedHosts`` of a volume are the host NQNs in its ACL
(the emulator sees no NVMe traffic: an ACL entry counts as a connection).

Emulator admin endpoints (cluster-admin JWT required, not under /api/v2):

``POST /_emulator/faults`` adds one rule, returns it with its ``id``::

    {"kind": "status", "method": "POST", "path": "/projects/.*/volumes$",
     "status": 503, "message": "busy", "times": 2}
    {"kind": "latency", "path": "/api/v2/nodes", "seconds": 1.5}
    {"kind": "drop", "path": ".*", "times": 1}     # close without answering
    {"kind": "fail_create", "name": "^volume-", "times": 1}  # ends Failed

``method`` is a regex matched against the whole method (default ".*"),
``path`` a regex searched in the request target (path and query); ``times``
is how many requests the rule hits (null or absent: until cleared). Faults
never apply to /_emulator. ``GET /_emulator/faults`` lists the rules,
``DELETE /_emulator/faults`` clears them all.

``POST /_emulator/nodes/{name or UUID}/down`` and ``.../up`` change a node's
health; volumes with a replica there become Degraded (NotAvailable when no
replica is up). ``POST /_emulator/volumes/{UUID}/write {"bytes": N}``
pretends a host wrote N bytes (physical use grows; a clone starts at zero).

Volume data (not with --memory; see ``data.py``): every volume and snapshot
is a sparse file DIR/data/<UUID>.img; snapshots of detached volumes and
clones are hard links (thin, O(1)); a shared file is copied on the first
read-write attach. ``POST /_emulator/volumes/{UUID}/attach
{"hostNQN": "...", "readOnly": false}`` answers ``{"path", "size",
"allocated"}`` or 403 unless the volume's ACL holds the host NQN (or
ALLOW_ANY); ``.../detach {"hostNQN"}`` releases it. The devcloud's LIGHTOS
connector stand-in (devcloud/lightos_stand_in.py) calls them.
"""
