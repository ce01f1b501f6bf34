"""Pieces shared by the OpenAI-compatible endpoints."""
