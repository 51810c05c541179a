"""Trained models as ``.npz`` files: JSON metadata and named numpy arrays, written deterministically.

``np.savez`` stamps the time into the zip, so the same model saved twice differs; here entries come
in a fixed order with a fixed date, so a model retrained from the same data is the same file, byte
for byte (the NER tagger and the relation classifier are both kept so).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from kg.io.jsonlimits import loads

META = "meta"
T = TypeVar("T")


class ModelError(RuntimeError):
    """A model file that cannot be loaded; the message names the file and why."""


class NonFiniteWeights(ValueError):
    """A model array holding NaN or infinity: the model would tag or score nonsense without a word."""

    def __init__(self, array: str) -> None:
        super().__init__(f"NaN or infinity in its weights ({array!r})")
        self.array = array


def open_model(path: Path, load: Callable[[Path], T], what: str) -> T:
    """``load(path)``, or ``ModelError`` saying in one line why ``path`` holds no ``what`` (e.g.
    "kg NER model (kg train-ner writes one)")."""
    try:
        return load(path)
    except NonFiniteWeights as exc:
        raise ModelError(f"{path}: {exc}; not a usable {what}") from None
    except FileNotFoundError:
        raise ModelError(f"{path}: no such model file") from None
    except IsADirectoryError:
        raise ModelError(f"{path}: a folder, not a model file") from None
    except PermissionError:
        raise ModelError(f"{path}: not readable (permission denied)") from None
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile, UnicodeDecodeError):
        raise ModelError(f"{path}: not a {what}") from None


def save_npz(path: str | Path, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Write ``meta`` (as sorted JSON) and ``arrays`` (sorted by name) to ``path``."""
    meta_bytes = np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), np.uint8)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, array in [(META, meta_bytes), *sorted(arrays.items())]:
            entry = io.BytesIO()
            np.lib.format.write_array(entry, np.asanyarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, entry.getvalue())
    Path(path).write_bytes(buf.getvalue())


def load_npz(path: str | Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The metadata and arrays :func:`save_npz` wrote. ``OSError``, ``ValueError``, ``KeyError``,
    ``zipfile.BadZipFile`` or ``UnicodeDecodeError`` for what is no such file; :class:`NonFiniteWeights`
    (a ``ValueError``) for an array of numbers that are not all finite."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    for name, array in arrays.items():
        if array.dtype.kind in "fc" and not np.isfinite(array).all():
            raise NonFiniteWeights(name)
    meta = loads(bytes(arrays.pop(META)).decode("utf-8"))  # TooDeep is a ValueError too
    if not isinstance(meta, dict):
        raise ValueError("metadata is not a JSON object")
    return meta, arrays
