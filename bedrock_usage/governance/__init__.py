"""Reconciliation, budgets, anomalies, chargeback, inference profiles and billing usage types, and their renderers."""
