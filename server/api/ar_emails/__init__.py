"""AR email drafting endpoint."""
