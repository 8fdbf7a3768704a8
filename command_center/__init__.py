"""command_center: Pusdalops dashboard for Kemensos disaster response."""
