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
strings of bytes, uint32 values (``nsid``, ``replicaCount``,
``localRebuildProgress``) are numbers, a volume's ``compression`` is
"true"/"false" (a snapshot's a boolean), an empty list is ``{}``. Errors are
``{"code", "message", "details"}``. The rules follow the public facts in
doc/source/reference/lightbits-api.md (tests/emulator/test_facts.py cites
each): lists at most 1,000 per call (``limit``, ``offsetUUID``),
Deleting volumes hidden unless ``showAll=true``, ``volumes?name=X`` a
filtered list but ``volumes/?name=X`` (and ``snapshots/?Name=X``) one object,
503 while Creating/Updating, 400 for an ETag mismatch (FailedPrecondition),
a malformed UUID or a Deleting volume, sizes as strings aligned to 4 KiB,
``acl`` and ``replicaCount`` required, updates answered ``{}``. RS256 JWTs
are accepted when signed by a key registered with
``POST /_emulator/credentials {"id": KEY_ID, "pem": RSA_PUBLIC_PEM}`` (the
token's ``kid`` names it), besides the ES256 tokens the emulator mints.

Choices where the public sources are silent (UNKNOWN or medium in the
facts); the plugin's client copes with either reading:

- Lists are ordered by UUID and ``offsetUUID`` is exclusive: a page holds
  the items whose UUID sorts after it, so a boundary survives the deletion
  of its volume. (A cluster repeating the offset item, or keeping another
  order, is handled by the client, which drops repeated UUIDs.)
- ``limit`` above 1,000 is served as 1,000, not refused.
- Deleting a Failed or a Deleting volume is 400 (facts); the cluster
  removes a Failed volume itself FAILED_LINGER (1 s) after it failed (the
  sources do not say how it goes; Cinder's driver, which tries a DELETE
  every second, then finds it gone); a second delete of a Deleting snapshot
  is 200.
- An update that changes nothing (``{}``) is 200 ``{}`` and no Updating.
- Get-by-name does not find a Deleting volume (its name is free again).
- Deleting a volume that has snapshots, or a snapshot that has clones, is
  allowed (the facts: UNKNOWN); the snapshots stay Available and clonable
  (Cinder never asks: it refuses to delete a volume with snapshots).
- A clone from a snapshot has the size asked (Cinder's driver sends the new
  volume's size and never extends it after), at least the snapshot's
  (smaller: 400); its source snapshot is looked up in its own project only.
- ``/version`` answers ``{"apiVersion": "..."}`` (facts). Projects exist
  only once created (facts: a volume create in any other is 404, also for
  a cluster admin): "default" from the start, others with ``POST
  /api/v2/projects {"name", "description"}`` (cluster-admin; 409 when it
  exists), as ``lbcli create project`` does; ``/projects`` lists
  ``{"name"}`` of each (shapes unverified).
- Cluster health (facts): ``Warning`` while any node is Inactive or any
  volume is not FullyProtected, ``Error`` only when no majority of the
  nodes is Active (the cluster cannot serve).
- ``snapshots?Name=X`` without the slash is the unfiltered list.

``connectedHosts`` of a volume are the host NQNs in its ACL (the
emulator sees no NVMe traffic: an ACL entry counts as a connection).

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
