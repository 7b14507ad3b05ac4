"""Where the product keeps generated demo data and other caches."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir

CACHE_ENV = "BEDROCK_USAGE_CACHE_DIR"


def cache_dir() -> Path:
    """``$BEDROCK_USAGE_CACHE_DIR``, else the user's cache directory for bedrock-usage."""
    return Path(os.environ.get(CACHE_ENV) or user_cache_dir("bedrock-usage"))


def default_mirror_dir() -> Path:
    """Where ``--sync`` keeps its copy of the log objects unless ``--logs-dir`` says otherwise."""
    return cache_dir() / "mirror"
