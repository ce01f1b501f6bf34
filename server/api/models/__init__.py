"""models endpoint."""
