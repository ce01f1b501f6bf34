"""Adapter lifecycle: validation, registry, training data, training and evaluation."""
