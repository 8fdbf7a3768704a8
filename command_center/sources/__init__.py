"""Sources: fetch bytes from outside (feeds, downloads) and parse them into our records."""
