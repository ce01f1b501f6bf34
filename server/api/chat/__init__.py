"""chat endpoint."""
