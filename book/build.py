"""Build the rendered course site: ``make site``, or ``python book/build.py [--out DIR]``.

Steps, all into a build folder (``build/site`` unless ``--out`` says otherwise):

1. the learner's files of every lesson, made by the course's own
   :func:`autograder.lessons.lesson_files` (``student_version``: solutions replaced by
   stubs, hidden tests removed), the same bytes a learner's workspace gets, with links to
   launch it on Binder or to run it locally written under its title;
2. every lesson executed from top to bottom, two at a time. A learner's stub raises
   ``NotImplementedError``, so a cell that calls one stops there, as it would for a learner
   who has not written it yet; so does a cell that needs a name such a cell would have
   defined (``NameError``). Any other error fails the build;
3. interactive widgets replaced by the still picture they carry (``image/png``, as the
   Bloch sphere does); one without a picture (a training progress bar) is left out;
4. Jupyter Book 1.x (Sphinx) renders the pages with warnings as errors;
5. every internal link and anchor of the HTML is checked; a dead one fails the build.

The site is ``<out>/_build/html/index.html``.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from html.parser import HTMLParser
from multiprocessing import get_context
from pathlib import Path
from string import Template
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
BOOK = Path(__file__).resolve().parent
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
STUB_LINE = "raise NotImplementedError()"
CELL_TIMEOUT = 300
# Settings a builder may have that would change what the lessons show: the site always shows
# the offline defaults, with inline pictures (the test suite sets MPLBACKEND=Agg).
KERNEL_ENV_DROP = (
    "MPLBACKEND",
    "QMLKIT_BACKEND",
    "QISKIT_IBM_TOKEN",
    "QISKIT_IBM_CHANNEL",
    "QISKIT_IBM_INSTANCE",
)


class BuildError(Exception):
    """The site cannot be built as it should be; the message says why."""


# ------------------------------------------------------------------------------ settings


def load_config() -> dict:
    import yaml

    return yaml.safe_load((BOOK / "_config.yml").read_text())


def github_repo(config: dict) -> tuple[str, str]:
    """(owner, name) of the repository named in ``_config.yml``."""
    url = config["repository"]["url"]
    m = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+?)/?", url)
    if not m:
        raise BuildError(f"repository.url in book/_config.yml is not a GitHub address: {url}")
    return m.group(1), m.group(2)


def binder_url(config: dict, path: str = "") -> str:
    """The Binder link that opens ``path`` (relative to the learner's workspace) in JupyterLab.

    >>> cfg = {"repository": {"url": "https://github.com/o/r"},
    ...        "binder": {"url": "https://mybinder.org", "workspace": "workspace"}}
    >>> binder_url(cfg, "01_qubits/01_qubits.ipynb")
    'https://mybinder.org/v2/gh/o/r/HEAD?urlpath=lab/tree/workspace/01_qubits/01_qubits.ipynb'
    """
    owner, name = github_repo(config)
    target = "/".join(p for p in (config["binder"]["workspace"], path) if p)
    return f"{config['binder']['url']}/v2/gh/{owner}/{name}/HEAD?urlpath=lab/tree/{target}"


# ------------------------------------------------------------------------------ sources


def copy_mathjax(dest: Path) -> None:
    """A local copy of MathJax (2.7, from the ``jupyter-server-mathjax`` package), so the
    formulas are typeset without a CDN: the site works from a folder and offline."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        raise BuildError(
            "jupyter-server-mathjax is not installed: pip install 'jupyter-server-mathjax>=0.2.6'"
        ) from None
    static = Path(jupyter_server_mathjax.__file__).parent / "static"
    if not (static / "MathJax.js").is_file():
        raise BuildError(f"no MathJax.js in {static}")
    shutil.copytree(static, dest)


def launch_cell_text(config: dict, lesson_name: str) -> str:
    """The Markdown written under a lesson's title: launch it on Binder or locally."""
    notebook = f"{lesson_name}/{lesson_name}.ipynb"
    return (
        ":::{admonition} Work through this lesson\n"
        ":class: tip\n\n"
        f"* [Launch it on Binder]({binder_url(config, notebook)}): JupyterLab in your "
        "browser, nothing to install.\n"
        "* [Run it on your own computer](../../running.md): `make start` in a checkout of "
        f"the course, then open `{notebook}` in your workspace.\n\n"
        "This page is the learner's version, run from top to bottom: exercises are empty "
        "stubs, so cells that use them stop with `NotImplementedError`.\n"
        ":::"
    )


def prepare_sources(src: Path, config: dict) -> list[Path]:
    """Write the book's pages, its table of contents and the learners' lessons into ``src``."""
    import nbformat
    import yaml

    from autograder.lessons import lesson_files, list_lessons

    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    shutil.copy(BOOK / "_config.yml", src / "_config.yml")
    # not in src/_static: Jupyter Book would add every .js file found there to every page
    copy_mathjax(src / "_mathjax" / "mathjax")
    owner, name = github_repo(config)
    values = {
        "binder_workspace_url": binder_url(config),
        "repository_url": config["repository"]["url"],
        "repository_name": name,
    }
    for page in ("index.md", "running.md"):
        text = Template((BOOK / page).read_text()).substitute(values)
        (src / page).write_text(text)

    notebooks = []
    for lesson in list_lessons():
        # the learner's files, byte for byte what their workspace gets
        for rel, data in lesson_files(lesson).items():
            dest = src / "lessons" / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        target = src / "lessons" / lesson.name / f"{lesson.name}.ipynb"
        nb = nbformat.read(str(target), as_version=4)
        nb.cells.insert(1, nbformat.v4.new_markdown_cell(launch_cell_text(config, lesson.name)))
        nbformat.write(nb, str(target))
        notebooks.append(target)
    if not notebooks:
        raise BuildError("no lessons found")

    toc = {
        "format": "jb-book",
        "root": "index",
        "parts": [
            {
                "caption": "Lessons",
                "chapters": [
                    {"file": nb.relative_to(src).with_suffix("").as_posix()} for nb in notebooks
                ],
            },
            {"caption": "Using the course", "chapters": [{"file": "running"}]},
        ],
    }
    (src / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))
    return notebooks


# ------------------------------------------------------------------------------ execution


def names_bound_by(source: str) -> set[str]:
    """Every name a cell's code assigns, defines or imports (anywhere in the cell).

    >>> sorted(names_bound_by("a, b = f()\\ndef g(x):\\n    y = x\\nimport numpy as np"))
    ['a', 'b', 'g', 'np', 'x', 'y']
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics: such a cell defines nothing we rely on
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def unexpected_errors(nb) -> list[str]:
    """Errors a learner who has not yet done the exercises would not see.

    Allowed: ``NotImplementedError`` raised by a stub, and ``NameError`` for a name that an
    earlier cell stopped by an error would have defined. Everything else is reported.
    """
    unfinished: set[str] = set()
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        for err in errors:
            trace = _plain("\n".join(err.get("traceback", [])))
            missing = re.search(r"name '(\w+)' is not defined", err.get("evalue", ""))
            if err.get("ename") == "NotImplementedError" and STUB_LINE in trace:
                continue
            if err.get("ename") == "NameError" and missing and missing.group(1) in unfinished:
                continue
            first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            problems.append(
                f"cell {index} ({first[:60]!r}): {err.get('ename')}: {err.get('evalue')}"
            )
        if errors:
            unfinished |= names_bound_by(cell.source)
    return problems


def _is_widget_fallback(out) -> bool:
    """qmlkit publishes a still picture (marked in its metadata) before a widget."""
    return bool(out.get("metadata", {}).get("qmlkit", {}).get("widget_fallback"))


def still_pictures(nb) -> tuple[int, int]:
    """Replace every widget output by its still picture: (widgets shown as pictures, dropped).

    A widget that carries a picture (``image/png``) keeps it, and qmlkit's still picture
    published before a widget (the Bloch sphere's) stays as a PNG; a widget without either (a
    training progress bar) is left out: a static page cannot show it, and its
    text form would be stale (``IntProgress(value=0)``).
    """
    pictures = dropped = 0
    for cell in nb.cells:
        kept = []
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if _is_widget_fallback(out):  # qmlkit's still picture of the widget after it
                data.pop("text/html", None)  # its CSS is for live front ends; show the PNG
                pictures += 1
                kept.append(out)
                continue
            if WIDGET_VIEW in data:
                del data[WIDGET_VIEW]
                if "image/png" not in data:
                    if not (kept and _is_widget_fallback(kept[-1])):
                        dropped += 1
                    continue
                pictures += 1
            kept.append(out)
        if cell.cell_type == "code":
            cell.outputs = kept
    nb.metadata.pop("widgets", None)  # no widget state, so no widget JavaScript on the page
    return pictures, dropped


def execute_lesson(path: str, log_dir: str) -> dict:
    """Run one learner's notebook in place (in a worker process); report what happened.

    The kernel's own messages (stderr) go to ``log_dir/<lesson>.log``.
    """
    import nbformat
    from nbclient import NotebookClient

    kernel_env = {k: v for k, v in os.environ.items() if k not in KERNEL_ENV_DROP}
    started = time.monotonic()
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        allow_errors=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(Path(path).parent)}},
    )
    problems: list[str] = []
    log = Path(log_dir) / f"{Path(path).stem}.log"
    with open(log, "w") as kernel_stderr:
        try:
            client.execute(stderr=kernel_stderr, env=kernel_env)
        except Exception as exc:  # a dead kernel or a cell over its time limit
            problems.append(f"execution stopped: {type(exc).__name__}: {exc} (kernel log: {log})")
    problems += unexpected_errors(nb)
    pictures, dropped = still_pictures(nb)
    nbformat.write(nb, path)
    return {
        "name": Path(path).stem,
        "seconds": time.monotonic() - started,
        "problems": problems,
        "pictures": pictures,
        "dropped": dropped,
        "stopped_cells": sum(
            any(o.get("output_type") == "error" for o in c.get("outputs", []))
            for c in nb.cells
            if c.cell_type == "code"
        ),
    }


def execute_all(notebooks: list[Path], jobs: int, log_dir: Path) -> None:
    ctx = get_context("spawn")  # a fresh interpreter per worker: no inherited state
    log_dir.mkdir(parents=True, exist_ok=True)
    failures = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        paths = [str(p) for p in notebooks]
        for report in pool.map(execute_lesson, paths, [str(log_dir)] * len(paths)):
            extra = ""
            if report["pictures"]:
                extra += f", {report['pictures']} widget(s) shown as still pictures"
            if report["dropped"]:
                extra += (
                    f", {report['dropped']} widget(s) without a picture (progress bars) left out"
                )
            print(
                f"  {report['name']}: {report['seconds']:.1f} s, "
                f"{report['stopped_cells']} cell(s) stopped at a learner's stub{extra}",
                flush=True,
            )
            failures += [f"{report['name']}: {p}" for p in report["problems"]]
    if failures:
        raise BuildError(
            "lessons failed to run as a learner would see them:\n  " + "\n  ".join(failures)
        )


# ------------------------------------------------------------------------------ rendering


def jupyter_book() -> str:
    exe = Path(sys.executable).parent / "jupyter-book"
    if exe.exists():
        return str(exe)
    found = shutil.which("jupyter-book")
    if not found:
        raise BuildError(
            "jupyter-book (1.x) is not installed next to this Python: "
            "pip install 'jupyter-book>=1.0.4,<2'"
        )
    return found


def render(src: Path, out: Path) -> Path:
    """Jupyter Book (Sphinx) renders ``src`` into ``out/_build/html``; any warning fails."""
    out.mkdir(parents=True, exist_ok=True)
    log = out / "jupyter-book.log"
    cmd = [
        jupyter_book(),
        "build",
        str(src),
        "--path-output",
        str(out),
        "--config",
        str(src / "_config.yml"),
        "--toc",
        str(src / "_toc.yml"),
        "--all",
        "--warningiserror",
        "--keep-going",
    ]
    with open(log, "w") as fh:
        proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=src)
    if proc.returncode != 0:
        tail = "\n".join(log.read_text().splitlines()[-40:])
        raise BuildError(f"jupyter-book failed (exit {proc.returncode}); from {log}:\n{tail}")
    return out / "_build" / "html"


# ------------------------------------------------------------------------------ links

_SKIP_SCHEMES = ("http", "https", "mailto", "data", "javascript", "tel", "ftp")


class _PageLinks(HTMLParser):
    """The links (``href``/``src``) and anchors (``id``, ``<a name>``) of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.anchors: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if value is None:
                continue
            if key == "id" or (tag == "a" and key == "name"):
                self.anchors.add(value)
            elif key == "href" and tag in ("a", "link", "area"):
                self.links.append(value)
            elif key == "src" and tag in ("img", "script", "iframe", "source", "video", "audio"):
                self.links.append(value)


def site_pages(html_root: Path) -> list[Path]:
    """The HTML pages of a built site (not the theme's Jinja macro files in ``_static/``)."""
    return sorted(
        p for p in html_root.rglob("*.html") if "_static" not in p.relative_to(html_root).parts
    )


def check_links(html_root: Path) -> tuple[list[str], int, int]:
    """Dead internal links of a built site: (problems, internal links checked, external seen).

    A link is internal unless it has a scheme such as ``https:`` or starts with ``//``. It is
    dead when its file is missing, when it leaves the site's folder, or when its ``#anchor``
    is not an ``id`` of the page it points to.
    """
    html_root = html_root.resolve()
    pages: dict[Path, _PageLinks] = {}

    def parsed(page: Path) -> _PageLinks:
        if page not in pages:
            parser = _PageLinks()
            parser.feed(page.read_text(encoding="utf-8", errors="replace"))
            pages[page] = parser
        return pages[page]

    problems, internal, external = [], 0, 0
    for page in site_pages(html_root):
        for link in parsed(page).links:
            parts = urlsplit(link)
            if parts.scheme in _SKIP_SCHEMES or link.startswith("//"):
                external += 1
                continue
            if parts.scheme:
                problems.append(f"{page.relative_to(html_root)}: unknown link {link!r}")
                continue
            internal += 1
            where = page.relative_to(html_root)
            if parts.path:
                target = (page.parent / unquote(parts.path)).resolve()
                if target.is_dir():
                    target = target / "index.html"
            else:
                target = page
            if not target.is_relative_to(html_root):
                problems.append(f"{where}: {link!r} leaves the site")
            elif not target.is_file():
                problems.append(f"{where}: {link!r} points to a missing file")
            elif parts.fragment and target.suffix == ".html":
                if unquote(parts.fragment) not in parsed(target).anchors:
                    problems.append(f"{where}: {link!r} points to a missing anchor")
    return problems, internal, external


# ------------------------------------------------------------------------------ main


def build(out: Path, jobs: int = 2) -> Path:
    """Build the whole site into ``out``; returns the folder of the HTML pages."""
    t0 = time.monotonic()
    config = load_config()
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    src = out / "src"
    notebooks = prepare_sources(src, config)
    print(f"Learners' versions of {len(notebooks)} lessons in {src}", flush=True)
    t1 = time.monotonic()
    execute_all(notebooks, jobs, out / "kernel-logs")
    print(f"Executed in {time.monotonic() - t1:.0f} s", flush=True)
    if (out / "_build").exists():
        shutil.rmtree(out / "_build")
    t2 = time.monotonic()
    html = render(src, out)
    print(f"Rendered with Jupyter Book in {time.monotonic() - t2:.0f} s", flush=True)
    problems, internal, external = check_links(html)
    pages = len(site_pages(html))
    print(
        f"Link check: {pages} HTML pages, {internal} internal links and anchors checked, "
        f"{len(problems)} dead; {external} external links not followed",
        flush=True,
    )
    if problems:
        raise BuildError("dead internal links:\n  " + "\n  ".join(problems))
    print(f"Site built in {time.monotonic() - t0:.0f} s: {html / 'index.html'}", flush=True)
    return html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    parser.add_argument("--jobs", type=int, default=2, help="lessons executed at once")
    args = parser.parse_args(argv)
    try:
        build(args.out, jobs=max(1, args.jobs))
    except BuildError as exc:
        print(f"Site build failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
