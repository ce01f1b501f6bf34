"""HTTP layer: one package per endpoint (router, protocol, service)."""
