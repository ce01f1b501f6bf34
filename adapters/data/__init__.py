"""Synthetic training data: dispute messages and AR e-mails, splits and near-duplicate checks."""
