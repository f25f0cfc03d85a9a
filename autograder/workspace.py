"""The learner's workspace: student versions of every lesson, never overwritten once touched.

Where it is (first match wins):

1. the folder given to ``qml-course start/sync --workspace DIR``;
2. ``QMLCOURSE_WORKSPACE``;
3. in a checkout of the course, ``workspace/`` inside it (what ``make start`` uses);
4. otherwise (the course installed with pip), ``qml-course`` in the learner's home folder,
   e.g. ``~/qml-course``: a visible folder of their own work, not hidden application data.

It holds ``NN_topic/NN_topic.ipynb`` plus each lesson's ``img/`` folder. A manifest,
``.qmlcourse-manifest.json``, records for every file the hash of the course's version it
was last given: written in its place, or offered beside it.

:func:`sync` rules, applied to every file of every lesson:

* missing in the workspace: written;
* the same as the course's version: nothing to do;
* unchanged since we wrote it (hash equals the manifest's), and the course has a newer
  version: replaced;
* changed by the learner (hash differs from the manifest's): kept as it is, always. Only
  when the course's version differs from the manifest's (the course really changed since
  the learner got this lesson) is a notebook's new version written beside it as
  ``NN_topic.updated-<hash>.ipynb`` and reported; never over it, never over an existing
  file, and once per course version. Without a manifest entry we cannot tell which
  version the learner started from, so the course's version is offered beside it.

The learner's JupyterLab (``qml-course start``) gets its own Jupyter configuration in
``.qmlcourse/jupyter/`` (see :func:`learner_jupyter_config`), which hides nbgrader's
instructor tools.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .lessons import CODE_STUB, authored_lessons_available, repo_root, student_files

MANIFEST = ".qmlcourse-manifest.json"
HOME_FOLDER = "qml-course"


def workspace_dir(explicit: str | Path | None = None) -> Path:
    """The learner's workspace folder (see the module's docstring for the rules)."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get("QMLCOURSE_WORKSPACE")
    if env:
        return Path(env).expanduser().resolve()
    if authored_lessons_available():
        return repo_root() / "workspace"
    return Path.home() / HOME_FOLDER


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    updates_beside: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{len(self.created)} new",
            f"{len(self.updated)} updated",
            f"{len(self.kept)} of yours kept as they are",
        ]
        text = "Workspace: " + ", ".join(parts) + "."
        for path in self.updates_beside:
            text += f"\n  A newer course version is beside your edited notebook: {path}"
        return text


def _student_files() -> dict[str, bytes]:
    """Relative path -> bytes of every file the workspace should have."""
    return student_files()


def sync(target: Path | None = None) -> SyncReport:
    """Create or update the workspace without ever overwriting a learner's change."""
    root = Path(target) if target else workspace_dir()
    files = _student_files()  # first: a course without lessons must not leave a folder behind
    root.mkdir(parents=True, exist_ok=True)
    manifest_path = root / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        manifest = {}
    if not isinstance(manifest, dict):
        manifest = {}
    report = SyncReport()
    for rel, data in files.items():
        dest = root / rel
        new_hash = _digest(data)
        if not dest.exists():
            _write(dest, data)
            manifest[rel] = new_hash
            report.created.append(rel)
            continue
        current = _digest(dest.read_bytes())
        if current == new_hash:
            manifest[rel] = new_hash
            continue
        written = manifest.get(rel)  # what we last wrote there
        if written == current:  # ours and untouched: safe to refresh
            _write(dest, data)
            manifest[rel] = new_hash
            report.updated.append(rel)
            continue
        report.kept.append(rel)
        if written == new_hash or dest.suffix != ".ipynb":
            continue  # the learner's edit of the version the course still has
        beside = dest.with_name(f"{dest.stem}.updated-{new_hash[:8]}{dest.suffix}")
        if not beside.exists():
            _write(beside, data)
            report.updates_beside.append(str(beside.relative_to(root)))
        manifest[rel] = new_hash  # offered: not again, even if the learner deletes the copy
    tmp = manifest_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    os.replace(tmp, manifest_path)
    return report


def _write(dest: Path, data: bytes) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".qmlcourse-tmp")
    tmp.write_bytes(data)
    os.replace(tmp, dest)


# --- the learner's JupyterLab ----------------------------------------------------------

#: nbgrader's instructor tools, hidden from learners; the instructor's own JupyterLab (any
#: ``jupyter lab`` not started by ``qml-course start``) keeps them
INSTRUCTOR_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.course_list",
)
INSTRUCTOR_LAB_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
)

LEARNER_NBGRADER_CONFIG = f"""\
# nbgrader settings of a QML Course learner's JupyterLab, written by `qml-course start`
# (rewritten at every start). nbgrader's learner tools (Validate, Assignments) read it.
c = get_config()
c.ClearSolutions.code_stub = {{"python": {CODE_STUB!r}}}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
"""


def learner_jupyter_config(root: Path) -> Path:
    """Write the learner's Jupyter configuration into ``root/.qmlcourse/jupyter``.

    ``qml-course start`` puts the returned folder on ``JUPYTER_CONFIG_PATH``: it disables
    nbgrader's instructor server extensions and JupyterLab plugins (formgrader, create
    assignment, course list) for that server only, and gives nbgrader a config file so it
    logs no "No nbgrader_config.py" warning. The files are ours and rewritten every time.
    """
    folder = Path(root) / ".qmlcourse" / "jupyter"
    server = {
        "ServerApp": {"jpserver_extensions": dict.fromkeys(INSTRUCTOR_SERVER_EXTENSIONS, False)}
    }
    page = {"disabledExtensions": dict.fromkeys(INSTRUCTOR_LAB_PLUGINS, True)}
    _write(folder / "jupyter_server_config.json", json.dumps(server, indent=1).encode())
    _write(folder / "labconfig" / "page_config.json", json.dumps(page, indent=1).encode())
    _write(folder / "nbgrader_config.py", LEARNER_NBGRADER_CONFIG.encode())
    return folder
