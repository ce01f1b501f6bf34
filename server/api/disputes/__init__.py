"""Dispute classification endpoint."""
