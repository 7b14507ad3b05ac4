"""Amazon Q Developer and Kiro analytics: prompt logs (tokens, context window, virtual cost), activity reports and
Kiro user reports (credits, allowance, cost), one person per developer."""

from .analysis import Filters, Identities, Options, QDevReport, Source, analyze
from .synthetic import write_qdev_corpus

__all__ = ["Filters", "Identities", "Options", "QDevReport", "Source", "analyze", "write_qdev_corpus"]
