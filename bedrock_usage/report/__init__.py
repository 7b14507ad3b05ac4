"""The tracker (priced usage tables from the logs) and its renderers: terminal, CSV, JSON."""
