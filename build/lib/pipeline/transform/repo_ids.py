"""Hub repository ids: the rule is the client's own (``huggingface_hub``'s ``validate_repo_id``).

An id is ``name`` or ``namespace/name``, each part of letters, digits, ``-``, ``_`` and ``.``
(96 characters at most), not starting or ending with ``-`` or ``.``, without ``--`` or ``..``,
not ending in ``.git``. Using the client's own check means an id the Hub and its client accept
is never refused here, and one they refuse is never stored.

Example::

    >>> is_repo_id("Qwen/Qwen3-8B"), is_repo_id("_private-looking/name"), is_repo_id("a--b/c")
    (True, True, False)
"""

from __future__ import annotations

from functools import lru_cache

from huggingface_hub.utils import HFValidationError, validate_repo_id


@lru_cache(maxsize=1 << 16)
def is_repo_id(text: str) -> bool:
    """Whether ``text`` is a valid Hub repository id (or a bare namespace: a name alone is one)."""
    try:
        validate_repo_id(text)
    except HFValidationError:
        return False
    return isinstance(text, str) and bool(text)
