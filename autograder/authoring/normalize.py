"""The committed layout of a lesson notebook, and its deterministic cell ids.

A normalised notebook is nbformat 4.5 written by nbformat (indent 1, sorted keys, a final
newline), with no outputs or execution counts, only ``nbgrader`` and ``tags`` in cell
metadata, only ``kernelspec``, ``language_info`` and ``qmlcourse`` in notebook metadata, no
trailing whitespace at the end of a cell, and cell ids derived from the content:

* an exercise's cells: ``ex-03-bell-state-task`` (the markdown statement right before the
  solution), ``-solution``, ``-check``, ``-hint`` and ``-grade``; a concept check's cell:
  ``concept-03-q1``;
* every other cell: the slug of the section heading it is under plus a counter,
  ``the-tensor-product``, ``the-tensor-product-1``, ... (a markdown cell with a heading gets
  the bare slug and starts the section; section numbers are left out, so renumbering the
  sections changes no id). Cells before the first heading are ``intro-1``, ...

So an edit inside a cell changes only that cell's lines, and adding a cell changes only the
ids of the cells after it in the same section. The layout is what ``ruff format`` writes
back too, so the two agree.

>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[
...     nbformat.v4.new_markdown_cell("# Lesson 03 — Entanglement"),
...     nbformat.v4.new_code_cell("SEED = 3"),
...     nbformat.v4.new_markdown_cell("## 1. The tensor product"),
...     nbformat.v4.new_code_cell("x = 1")])
>>> assign_cell_ids(nb)
>>> [c.id for c in nb.cells]
['lesson-03-entanglement', 'lesson-03-entanglement-1', 'the-tensor-product', 'the-tensor-product-1']
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from ..lessons import nbgrader_meta, notebook_bytes

#: cell metadata kept by the normaliser; everything else (``scrolled``, ``ExecuteTime``,
#: ``collapsed``, widget state) is dropped
CELL_METADATA = ("nbgrader", "tags")
#: notebook metadata kept by the normaliser
NOTEBOOK_METADATA = ("kernelspec", "language_info", "qmlcourse")

_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
_EXERCISE_HEADING = re.compile(r"^#{1,6}\s+Exercise\b")
_MAX_SLUG = 40


def slugify(text: str, limit: int = _MAX_SLUG) -> str:
    """A heading as a cell-id slug: lower case, ``a-z0-9`` and dashes, at most ``limit``
    characters (cut at a dash), without a leading section number.

    >>> slugify("## 2. CNOT and the Bell states")
    'cnot-and-the-bell-states'
    >>> slugify("The CHSH value of $|\\\\Phi^+\\\\rangle$")
    'the-chsh-value-of-phi-rangle'
    """
    text = re.sub(r"^#+\s*", "", text.strip())
    text = re.sub(r"^\d+(\.\d+)*\.?\s+", "", text)
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > limit:
        cut = slug[: limit + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:limit]
    return slug.strip("-")


def _exercise_role(cell: Any) -> tuple[str, str] | None:
    """(exercise slug, role) of an exercise's solution, check or grade cell, else None."""
    meta = nbgrader_meta(cell)
    gid = meta.get("grade_id")
    if not isinstance(gid, str) or not re.fullmatch(r"ex_\d\d_[a-z0-9_]+", gid):
        return None
    if meta.get("solution") and gid.endswith("_solution"):
        base, role = gid[: -len("_solution")], "solution"
    elif meta.get("grade"):
        base, role = gid, "grade"
    elif gid.endswith("_check"):
        base, role = gid[: -len("_check")], "check"
    else:
        return None
    return base.replace("_", "-"), role


_HINT_CALL = re.compile(r'^hint\("(\d\d)\.([a-z0-9_]+)"\)$', re.M)
_CONCEPT_CALL = re.compile(r'^concept\("(\d\d)\.q(\d+)"\)$', re.M)


def _help_id(cell: Any) -> str | None:
    """The id of a generated help cell: ``ex-03-bell-state-hint``, ``concept-03-q1``."""
    if cell.cell_type != "code" or "qmlcourse-help" not in (cell.metadata.get("tags") or []):
        return None
    m = _HINT_CALL.search(cell.source)
    if m:
        return f"ex-{m.group(1)}-{m.group(2).replace('_', '-')}-hint"
    m = _CONCEPT_CALL.search(cell.source)
    return f"concept-{m.group(1)}-q{m.group(2)}" if m else None


def _unique(candidate: str, used: set[str]) -> str:
    candidate = candidate[:64].strip("-") or "cell"
    out, n = candidate, 2
    while out in used:
        suffix = f"-{n}"
        out = candidate[: 64 - len(suffix)] + suffix
        n += 1
    used.add(out)
    return out


def assign_cell_ids(nb: Any) -> None:
    """Give every cell of ``nb`` its deterministic id (see the module docstring), in place."""
    cells = nb.cells
    planned: list[str | None] = [None] * len(cells)
    for i, cell in enumerate(cells):
        planned[i] = _help_id(cell)
        role = _exercise_role(cell)
        if role is None:
            continue
        planned[i] = f"{role[0]}-{role[1]}"
        if role[1] == "solution" and i > 0 and cells[i - 1].cell_type == "markdown":
            if planned[i - 1] is None:
                planned[i - 1] = f"{role[0]}-task"
    used: set[str] = set()
    section, counter = "intro", 0
    for i, cell in enumerate(cells):
        wanted = planned[i]
        if wanted is not None:
            cell["id"] = _unique(wanted, used)
            continue
        headings = []
        if cell.cell_type == "markdown":
            headings = [
                h for h in _HEADING.findall(cell.source) if not _EXERCISE_HEADING.match("# " + h)
            ]
        if headings:
            section, counter = slugify(headings[-1]) or "section", 0
            cell["id"] = _unique(section, used)
        else:
            counter += 1
            cell["id"] = _unique(f"{section}-{counter}", used)


def _normalize_cell(cell: Any) -> None:
    cell.source = cell.source.rstrip()  # no blank lines at the end, as ruff format leaves them
    meta = {k: cell.metadata[k] for k in CELL_METADATA if k in cell.get("metadata", {})}
    cell.metadata = meta
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    else:
        for key in ("outputs", "execution_count"):
            cell.pop(key, None)


def normalized(nb: Any) -> Any:
    """A normalised copy of a notebook (nbformat node)."""
    import nbformat

    nb = copy.deepcopy(nb)
    if nb.nbformat != 4 or nb.nbformat_minor < 5:
        nb = nbformat.convert(nb, 4)
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = nbformat.from_dict(
        {k: nb.metadata[k] for k in NOTEBOOK_METADATA if k in nb.metadata}
    )
    for cell in nb.cells:
        _normalize_cell(cell)
    assign_cell_ids(nb)
    nbformat.validate(nb)
    return nb


def normalized_bytes(nb: Any) -> bytes:
    """The bytes of a normalised notebook, as committed."""
    return notebook_bytes(normalized(nb))


def normalize_notebook(path: str | Path, *, check: bool = False) -> bool:
    """Rewrite the notebook at ``path`` in the committed layout; True if it changed.

    With ``check=True`` nothing is written: the result says whether it would change. Run it
    after editing a lesson's sources with a script (``qml-course author sync`` runs it too).
    """
    from ..lessons import read_notebook

    path = Path(path)
    old = path.read_bytes()
    new = normalized_bytes(read_notebook(path))
    if new == old:
        return False
    if not check:
        path.write_bytes(new)
    return True
