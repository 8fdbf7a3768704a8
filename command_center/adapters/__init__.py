"""One thin, cached, typed entry point per page. Pages call these and nothing below them."""
