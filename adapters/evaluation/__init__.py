"""Evaluation harness: held-out set through an engine, adapter beside the base-model baseline."""
