"""Adapter lifecycle endpoints."""
