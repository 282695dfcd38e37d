"""Start, stop and seed the local cloud (devcloud). Run with .cloud-venv's python."""
