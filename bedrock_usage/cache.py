"""Where the product keeps generated demo data and other caches."""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from platformdirs import user_cache_dir

CACHE_ENV = "BEDROCK_USAGE_CACHE_DIR"
PACKAGE = Path(__file__).resolve().parent


def cache_dir() -> Path:
    """``$BEDROCK_USAGE_CACHE_DIR``, else the user's cache directory for bedrock-usage."""
    return Path(os.environ.get(CACHE_ENV) or user_cache_dir("bedrock-usage"))


def default_mirror_dir() -> Path:
    """Where ``--sync`` keeps its copy of the log objects unless ``--logs-dir`` says otherwise."""
    return cache_dir() / "mirror"


def source_digest(names: Iterable[str]) -> str:
    """A digest of the source of the package's modules and folders ``names`` (paths in the package): what was kept
    from their work is stale once any of them changes, whatever version number it carries."""
    digest = hashlib.sha256()
    for name in names:
        target = PACKAGE / name
        for path in sorted(target.rglob("*.py")) if target.is_dir() else [target]:
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def write_atomically(path: Path, write: Callable[[Path], None]) -> bool:
    """Write ``path`` (its folder made if missing) as ``replace_atomically`` does; False when the folder or the
    disk refuses (a cache entry is then made again)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(path, write)
        return True
    except OSError:
        return False


def replace_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through a temporary file of its own beside it, so a reader (or another run writing the same
    file) sees the old file or a whole new one. Nothing is left behind when ``write`` fails, whatever it raises."""
    temporary = path.with_name(f"tmp-{uuid.uuid4().hex}")
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        _remove(temporary)
        raise


def _remove(path: Path) -> None:
    """Remove ``path`` if it is there (its folder may not even be one)."""
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def remove_older(paths: Iterable[Path], seconds: float) -> None:
    """Delete the files of ``paths`` last changed more than ``seconds`` ago (one another process removed first is
    skipped)."""
    limit = time.time() - seconds
    for path in paths:
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()


def keep_newest(folder: Path, pattern: str, count: int) -> None:
    """Delete all but the ``count`` most recently used files of ``folder`` matching ``pattern``."""
    try:
        files = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[count:]:
            old.unlink(missing_ok=True)
    except OSError:  # another refresh removed one first: the next one prunes again
        pass
