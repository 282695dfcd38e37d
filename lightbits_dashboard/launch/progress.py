"""What the Launches table shows for one instance of a launch (plain Python)."""

from lightbits_dashboard.launch import record

INTERRUPTED_MESSAGE = (
    "The launch stopped before this instance was ready (Horizon restarted?): "
    "finish the launch or clean up."
)


def instance_state(rec, *, alive, volume_status=None, server_status=None, server_fault=""):
    """(state, message): cloning, booting, active, error or interrupted."""
    if rec.state in (record.ACTIVE, record.ERROR):
        return rec.state, rec.message
    if server_status == "ERROR":
        return record.ERROR, server_fault or "Nova reported the server in ERROR"
    if volume_status == "error" and not server_status:
        return record.ERROR, "Cinder reported the boot volume in error"
    if not alive:
        return record.INTERRUPTED, INTERRUPTED_MESSAGE
    return rec.state, ""
