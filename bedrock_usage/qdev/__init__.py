"""Amazon Q Developer and Kiro analytics: prompt logs (tokens, context window, virtual cost) and activity reports."""

from .analysis import Filters, Options, QDevReport, Source, analyze
from .synthetic import write_qdev_corpus

__all__ = ["Filters", "Options", "QDevReport", "Source", "analyze", "write_qdev_corpus"]
