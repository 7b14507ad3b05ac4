"""Amazon Q Developer and Kiro analytics: prompt logs (tokens, context window, virtual cost), activity reports and
Kiro user reports (credits, allowance, cost), one person per developer.

The package imports nothing itself, so a setup script that needs its SQL or layout loads no analysis code."""
