"""Synthetic Model Invocation Logging corpora and their writers (a local folder or an S3 bucket)."""
