"""The learner's workspace: student versions of every lesson, never overwritten once touched.

The workspace (``workspace/`` in the checkout unless ``QMLCOURSE_WORKSPACE`` says
otherwise) holds ``NN_topic/NN_topic.ipynb`` plus each lesson's ``img/`` folder. A
manifest, ``.qmlcourse-manifest.json``, records the hash of every file we wrote.

:func:`sync` rules, applied to every file of every lesson:

* missing in the workspace: written;
* unchanged since we wrote it, and the course has a newer version: replaced;
* changed by the learner (hash differs from the manifest, or not in the manifest): kept
  as it is; when the course has a newer version, that version is written beside it as
  ``NN_topic.updated-<hash>.ipynb`` and reported, never over it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .lessons import list_lessons, repo_root, student_version

MANIFEST = ".qmlcourse-manifest.json"


def workspace_dir() -> Path:
    env = os.environ.get("QMLCOURSE_WORKSPACE")
    return Path(env).resolve() if env else repo_root() / "workspace"


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
    import nbformat

    files: dict[str, bytes] = {}
    for lesson in list_lessons():
        nb = student_version(nbformat.read(str(lesson.notebook), as_version=4))
        files[f"{lesson.name}/{lesson.name}.ipynb"] = (nbformat.writes(nb) + "\n").encode()
        img = lesson.folder / "img"
        if img.is_dir():
            for pic in sorted(img.rglob("*")):
                if pic.is_file():
                    files[f"{lesson.name}/img/{pic.relative_to(img).as_posix()}"] = pic.read_bytes()
    return files


def sync(target: Path | None = None) -> SyncReport:
    """Create or update the workspace without ever overwriting a learner's change."""
    root = Path(target) if target else workspace_dir()
    root.mkdir(parents=True, exist_ok=True)
    manifest_path = root / MANIFEST
    try:
        manifest: dict[str, str] = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        manifest = {}
    report = SyncReport()
    for rel, data in _student_files().items():
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
        if manifest.get(rel) == current:  # ours and untouched: safe to refresh
            _write(dest, data)
            manifest[rel] = new_hash
            report.updated.append(rel)
            continue
        report.kept.append(rel)
        if dest.suffix == ".ipynb":
            beside = dest.with_name(f"{dest.stem}.updated-{new_hash[:8]}{dest.suffix}")
            if not beside.exists():
                _write(beside, data)
                report.updates_beside.append(str(beside.relative_to(root)))
    tmp = manifest_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    os.replace(tmp, manifest_path)
    return report


def _write(dest: Path, data: bytes) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".qmlcourse-tmp")
    tmp.write_bytes(data)
    os.replace(tmp, dest)
