"""Long-running processes: the ingest worker, ODK pulls, the alert sender and its
watch, the health server, the worker lock and the worker's metrics."""
