"""health endpoint."""
