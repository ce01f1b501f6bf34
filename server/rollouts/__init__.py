"""Per-tenant routes, canary and shadow rollouts, and the desired serving state."""
