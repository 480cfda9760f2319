"""Scoring: option codes + key -> 0/1 mark matrix (number right, no negative marking).

Responses are held as an ``int8`` code matrix: ``-1`` = omitted, ``0`` = option A,
``1`` = option B, ...  A correct answer scores 1, a wrong or omitted one 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .io import InputError

__all__ = [
    "OMITTED",
    "encode_letters",
    "key_codes",
    "score_responses",
    "select_items",
]

OMITTED = -1


def encode_letters(letters: Sequence[Sequence[str | None]], options: str = "ABCDE") -> np.ndarray:
    """Letters (rows = candidates) -> int8 codes; '' or None = omitted."""
    lookup = {ch: i for i, ch in enumerate(options.upper())}
    rows = [list(r) for r in letters]
    k = len(rows[0]) if rows else 0
    codes = np.full((len(rows), k), OMITTED, dtype=np.int8)
    for i, row in enumerate(rows):
        if len(row) != k:
            raise InputError(f"row {i + 1} has {len(row)} answers, expected {k}")
        for j, cell in enumerate(row):
            if cell is None or cell == "":
                continue
            code = lookup.get(str(cell).upper())
            if code is None:
                raise InputError(f"row {i + 1}, item {j + 1}: invalid option {cell!r}")
            codes[i, j] = code
    return codes


def key_codes(item_ids: Sequence[str], key: Mapping[str, str], options: str = "ABCDE",
              override: Mapping[str, str] | None = None) -> np.ndarray:
    """Key letters for ``item_ids`` (after ``override``) as option codes.

    Raises :class:`InputError` if an item has no key, or the key names items
    that are not in the responses, or a letter is not a valid option.
    """
    merged = dict(key)
    for item, letter in (override or {}).items():
        if item not in merged and item not in item_ids:
            raise InputError(f"re-key of unknown item {item!r}")
        merged[item] = letter
    missing = [i for i in item_ids if i not in merged]
    if missing:
        raise InputError(f"no key for item(s): {', '.join(missing)}")
    extra = [i for i in key if i not in set(item_ids)]
    if extra:
        raise InputError(f"key has item(s) not in the responses: {', '.join(extra)}")
    out = np.empty(len(item_ids), dtype=np.int8)
    for j, item in enumerate(item_ids):
        letter = str(merged[item]).upper()
        if len(letter) != 1 or letter not in options.upper():
            raise InputError(f"item {item!r}: key {merged[item]!r} is not one of {options}")
        out[j] = options.upper().index(letter)
    return out


def score_responses(codes: np.ndarray, key: np.ndarray) -> np.ndarray:
    """0/1 float64 mark matrix: 1 where the chosen option equals the key."""
    codes = np.asarray(codes)
    key = np.asarray(key)
    if codes.ndim != 2 or key.shape != (codes.shape[1],):
        raise InputError(f"key has {key.size} entries for {codes.shape[-1]} items")
    return (codes == key[None, :]).astype(np.float64)


def select_items(item_ids: Sequence[str], retained: Sequence[str] | None) -> np.ndarray:
    """Column indices of the retained items, in the original item order.

    ``retained=None`` keeps every item.  Unknown ids raise :class:`InputError`.
    """
    if retained is None:
        return np.arange(len(item_ids))
    index = {item: j for j, item in enumerate(item_ids)}
    unknown = [i for i in retained if i not in index]
    if unknown:
        raise InputError(f"unknown item(s): {', '.join(unknown)}")
    keep = set(retained)
    cols = np.array([j for j, item in enumerate(item_ids) if item in keep], dtype=np.intp)
    if cols.size == 0:
        raise InputError("no items retained")
    return cols
