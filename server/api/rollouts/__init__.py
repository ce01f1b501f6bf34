"""Routes, tenant access and rollouts (admin scope)."""
