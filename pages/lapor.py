"""Lapor: a field reporter's page, reached through their personal link (`/?kunci=...`)."""

from command_center.ui import lapor, shell

shell.start_page()
lapor.page()
