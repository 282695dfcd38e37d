"""Launching servers from Lightbits images: sizing, quotas, the launch record
kept in the boot volumes' metadata, and the clone -> boot -> roll back
orchestration. Plain Python; the cloud is an injected operations object."""
