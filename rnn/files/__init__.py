"""The doors in and out for files: bounded reading (safe_io), atomic writing, checkpoints."""
