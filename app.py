"""Entry point: page config, the shared sidebar, navigation by role (see `shell.run_app`)."""

from command_center.ui import shell

shell.run_app()
