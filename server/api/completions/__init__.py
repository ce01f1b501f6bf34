"""completions endpoint."""
