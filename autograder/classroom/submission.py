"""Find and read a submitted notebook without trusting it.

A submission may hold symbolic links (to the course's solutions, to other students'
files), huge files, old-format notebooks, JSON that is not a notebook, or cells and
metadata of any type. Nothing here follows a link, reads more than ``MAX_NOTEBOOK_BYTES``
or crashes on an odd value: every problem becomes a note for the grading report.
"""

from __future__ import annotations

import json
import os
import re
import stat
import warnings
from pathlib import Path
from typing import Any

MAX_NOTEBOOK_BYTES = 50 * 1024**2
MAX_DEPTH = 32  # folders searched below the submission folder
MAX_SALVAGED_CELLS = 2000  # code cells recovered from a notebook that is not valid JSON
NOT_A_NOTEBOOK = "the file is valid JSON but not a Jupyter notebook"

_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY


def _show(name: str) -> str:
    """A file name from a submission, safe to print in a report."""
    text = name.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _link_note(name: str) -> str:
    return f"{_show(name)} is a symbolic link; it was not followed"


def _source_text(value: Any) -> str:
    """A cell's source: a string, or a list of strings (anything else as text)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "".join(v if isinstance(v, str) else str(v) for v in value)
    return value if isinstance(value, str) else str(value)


def _salvage_with_positions(text: str) -> list[tuple[int, str]]:
    """(1-based cell position, source) of the code cells that can still be read from a
    notebook that is not valid JSON. The position counts every ``"cell_type"`` key before
    it (escaped quotes inside strings do not count), so it is exact for a truncated file."""
    import bisect

    decoder = json.JSONDecoder()
    starts = [m.start() for m in re.finditer(r'"cell_type"\s*:', text)]
    cells: list[tuple[int, str]] = []
    for match in re.finditer(r'"cell_type"\s*:\s*"code"', text):
        if len(cells) >= MAX_SALVAGED_CELLS:  # a hostile file must not keep the grader busy
            break
        window = text[match.end() : match.end() + 200_000]
        src = re.search(r'"source"\s*:\s*', window)
        if not src:
            continue
        try:
            value, _ = decoder.raw_decode(window[src.end() :])
        except (ValueError, RecursionError):
            continue
        position = bisect.bisect_right(starts, match.start())
        cells.append((position, _source_text(value)))
    return cells


def salvage_code_cells(text: str) -> list[str] | None:
    """Code from a notebook that is not valid JSON (e.g. truncated by a crash).

    Every ``"cell_type": "code"`` cell whose ``"source"`` still parses is kept.

    >>> good = '{"cells": [{"cell_type": "code", "source": ["x = 1\\\\n", "y = 2"]}, {"cell_type": "co'
    >>> salvage_code_cells(good)
    ['x = 1\\ny = 2']
    """
    return [source for _position, source in _salvage_with_positions(text)] or None


def _kind(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


def _walk_notebooks(
    folder: Path, rel: str, depth: int, found: list[Path], links: list[str]
) -> None:
    """Regular ``*.ipynb`` files below ``folder`` (not inside .ipynb_checkpoints), without
    entering symbolically linked folders; every symbolic link met is listed in ``links``."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        name = f"{rel}{entry.name}"
        try:
            if entry.is_symlink():
                links.append(name)
            elif entry.is_dir(follow_symlinks=False):
                if entry.name != ".ipynb_checkpoints" and depth < MAX_DEPTH:
                    _walk_notebooks(Path(entry.path), f"{name}/", depth + 1, found, links)
            elif entry.is_file(follow_symlinks=False) and entry.name.endswith(".ipynb"):
                found.append(Path(entry.path))
        except OSError:
            continue


def find_notebook(folder: Path, expected_name: str) -> tuple[Path | None, str | None]:
    """The submitted notebook: the expected name, else the only notebook there.

    Symbolic links are never followed: a linked notebook (or a notebook in a linked
    folder) is not graded, and the note says so.
    """
    folder = Path(folder)
    st = _kind(folder)
    if st is not None and stat.S_ISLNK(st.st_mode):
        return None, "the submission folder is a symbolic link; it was not followed"
    if st is None or not stat.S_ISDIR(st.st_mode):
        return None, "no submission folder"
    exact = folder / expected_name
    st = _kind(exact)
    if st is not None and stat.S_ISREG(st.st_mode):
        return exact, None
    candidates: list[Path] = []
    links: list[str] = []
    _walk_notebooks(folder, "", 0, candidates, links)
    link_notes = [_link_note(name) for name in links if name.endswith(".ipynb")][:5]
    others = [_show(name) for name in links if not name.endswith(".ipynb")]
    if not candidates and others:
        link_notes.append(
            "symbolic links were not followed: "
            + ", ".join(others[:5])
            + (", ..." if len(others) > 5 else "")
        )
    if len(candidates) == 1:
        renamed = _show(candidates[0].relative_to(folder).as_posix())
        return candidates[0], "; ".join(
            [*link_notes, f"notebook was renamed to {renamed}; graded it anyway"]
        )
    if not candidates:
        other = "other " if any(name.endswith(".ipynb") for name in links) else ""
        missing = f"no {other}notebook in the submission (expected {expected_name})"
        return None, "; ".join([*link_notes, missing])
    return None, (
        f"{len(candidates)} notebooks but none named {expected_name}: "
        + ", ".join(_show(p.relative_to(folder).as_posix()) for p in candidates[:5])
    )


def _read_limited(path: Path) -> tuple[bytes | None, str | None]:
    """The bytes of a regular file, opened without following a link, or (None, reason)."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        st = _kind(path)
        if st is not None and stat.S_ISLNK(st.st_mode):
            return None, _link_note(path.name)
        return None, f"could not read the notebook ({exc.strerror or exc})"
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None, f"{_show(path.name)} is not a regular file; it was not read"
        too_big = (
            f"{_show(path.name)} is larger than {MAX_NOTEBOOK_BYTES // 1024**2} MB; it was not "
            "graded. Clear the outputs (Edit > Clear Outputs of All Cells) and submit it again"
        )
        if st.st_size > MAX_NOTEBOOK_BYTES:
            return None, too_big
        chunks = []
        size = 0
        while chunk := os.read(fd, 1024**2):
            size += len(chunk)
            if size > MAX_NOTEBOOK_BYTES:
                return None, too_big
            chunks.append(chunk)
        return b"".join(chunks), None
    except OSError as exc:
        return None, f"could not read the notebook ({exc.strerror or exc})"
    finally:
        os.close(fd)


def _cells_with_positions(cells: list[Any]) -> list[tuple[int, str]]:
    out = []
    for position, cell in enumerate(cells, start=1):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            out.append((position, _source_text(cell.get("source"))))
    return out


def _old_format_cells(text: str, nb: dict) -> tuple[list[tuple[int, str]] | None, str | None]:
    """Code cells of a version 2 or 3 notebook (cells inside "worksheets")."""
    import nbformat

    version = nb.get("nbformat")
    version = version if isinstance(version, int) and not isinstance(version, bool) else "2 or 3"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            converted = nbformat.reads(text, as_version=4)
        cells = _cells_with_positions(list(converted.cells))
    except Exception:
        # nbformat could not convert it: take the code cells from the worksheets ourselves
        worksheets = nb.get("worksheets")
        if not isinstance(worksheets, list):
            return None, NOT_A_NOTEBOOK
        all_cells = []
        for sheet in worksheets:
            sheet_cells = sheet.get("cells") if isinstance(sheet, dict) else None
            all_cells.extend(sheet_cells if isinstance(sheet_cells, list) else [])
        cells = [
            (position, _source_text(cell.get("input", cell.get("source"))))
            for position, cell in enumerate(all_cells, start=1)
            if isinstance(cell, dict) and cell.get("cell_type") == "code"
        ]
    return cells, (
        f"the notebook is in the old format version {version}; it was converted to version 4 "
        "and graded"
    )


def read_code_cells_with_positions(
    path: Path,
) -> tuple[list[tuple[int, str]] | None, str | None]:
    """(1-based position among all cells, source) of each code cell, or (None, reason)."""
    path = Path(path)
    raw, note = _read_limited(path)
    if raw is None:
        return None, note
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    try:
        nb = json.loads(text)
    except RecursionError:
        return None, "the file is nested too deeply to be a Jupyter notebook; it was not graded"
    except ValueError:
        salvaged = _salvage_with_positions(text)
        if salvaged:
            return (
                salvaged,
                "the notebook is not valid JSON; graded the code cells that could be recovered",
            )
        return None, "the notebook is not valid JSON and no code could be recovered from it"
    if not isinstance(nb, dict):
        return None, NOT_A_NOTEBOOK
    if isinstance(nb.get("cells"), list):
        return _cells_with_positions(nb["cells"]), None
    if "worksheets" in nb:
        return _old_format_cells(text, nb)
    return None, NOT_A_NOTEBOOK


def read_code_cells(path: Path) -> tuple[list[str] | None, str | None]:
    """Code cells of a submitted notebook, or (None, reason)."""
    cells, note = read_code_cells_with_positions(path)
    return (None if cells is None else [source for _position, source in cells]), note
