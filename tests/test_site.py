"""The rendered course (``make site``, ``book/build.py``): built, linked, solution-free, seen.

The slow tests build the whole site once into a temporary folder (the same command as
``make site``), then check every page: outputs and pictures, launch links, the Bloch widget
as a still picture, no dead internal link, no reference solution anywhere; and look at it
in headless Chromium, with screenshots in ``test-artifacts/``.
"""

from __future__ import annotations

import ast
import doctest
import functools
import http.server
import importlib.util
import json
import re
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import nbformat
import pytest

from autograder.lessons import list_lessons, student_version

from .conftest import ROOT
from .test_browser import CHROMIUM_ARGS, _chromium

BUILD_SCRIPT = ROOT / "book" / "build.py"
LESSONS = list_lessons()
BUILD_BUDGET_S = 300  # the budget for the whole site on this 2-core machine
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def load_build():
    """book/build.py as a module (it is a script, not part of a package)."""
    spec = importlib.util.spec_from_file_location("qmlcourse_site_build", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


build = load_build()


# ------------------------------------------------------------------------------ fast


def test_build_script_doctests():
    result = doctest.testmod(build, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 2 and result.failed == 0


def _page(path: Path, body: str, ids: tuple[str, ...] = ()) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    anchors = "".join(f'<h2 id="{i}">{i}</h2>' for i in ids)
    path.write_text(f"<html><body>{anchors}{body}</body></html>")


def test_link_checker_reports_every_kind_of_dead_link(tmp_path):
    site = tmp_path / "html"
    _page(site / "a.html", '<a href="#top">top</a>', ids=("top", "x"))
    (site / "_images").mkdir()
    (site / "_images" / "pic.png").write_bytes(b"\x89PNG")
    _page(site / "sub" / "index.html", '<a href="../a.html#x">back</a>')
    _page(
        site / "index.html",
        '<a href="a.html#x">ok</a> <a href="sub/">dir</a> <img src="_images/pic.png">'
        '<a href="https://example.org/x">external</a> <a href="mailto:a@b.c">mail</a>'
        '<a href="b.html">missing</a> <a href="a.html#nope">bad anchor</a>'
        '<a href="../outside.html">outside</a> <img src="_images/gone.png">'
        '<link rel="stylesheet" href="_static/x.css"> <a href="#here">self</a>',
        ids=("here",),
    )
    # theme macro files in _static are not pages: their Jinja links are not followed
    _page(site / "_static" / "macros.html", "<a href=\"{{ pathto('x') }}\">jinja</a>")
    (tmp_path / "outside.html").write_text("<html></html>")

    problems, internal, external = build.check_links(site)

    assert sorted(problems) == sorted(
        [
            "index.html: 'b.html' points to a missing file",
            "index.html: 'a.html#nope' points to a missing anchor",
            "index.html: '../outside.html' leaves the site",
            "index.html: '_images/gone.png' points to a missing file",
            "index.html: '_static/x.css' points to a missing file",
        ]
    )
    assert external == 2
    assert internal == 11


def test_a_sphinx_warning_fails_the_render(tmp_path):
    """A page linking to a page that does not exist stops the build (warnings are errors)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "_config.yml").write_text('title: t\nexecute:\n  execute_notebooks: "off"\n')
    (src / "_toc.yml").write_text("format: jb-book\nroot: index\n")
    (src / "index.md").write_text("# Index\n\nSee [the missing page](missing.md).\n")
    with pytest.raises(build.BuildError, match="jupyter-book failed") as info:
        build.render(src, tmp_path / "out")
    assert "missing.md" in str(info.value)
    (src / "index.md").write_text("# Index\n\nNothing missing.\n")
    html = build.render(src, tmp_path / "out")
    assert (html / "index.html").is_file()


def test_learner_run_allows_only_stub_errors_and_keeps_widget_pictures(tmp_path, monkeypatch):
    """A real kernel runs a small notebook written like a lesson's learner version."""
    monkeypatch.setenv("MPLBACKEND", "Agg")  # the builder's setting must not reach the kernel
    cells = [
        "def f():\n    # YOUR CODE HERE\n    raise NotImplementedError()",
        "x = f()",  # 1: calls the stub: allowed
        "print(x)",  # 2: NameError for what the stopped cell defines: allowed
        "print(never_defined)",  # 3: reported
        'raise NotImplementedError("not a stub")',  # 4: reported
        "1 / 0",  # 5: reported
        "import qmlkit\nqmlkit.bloch.widget()",  # 6: still picture kept
        "import ipywidgets\nipywidgets.IntProgress(value=3)",  # 7: no picture: left out
        "import os\nprint(os.environ.get('MPLBACKEND'))",  # 8
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = tmp_path / "lesson.ipynb"
    nbformat.write(nb, str(path))

    report = build.execute_lesson(str(path), str(tmp_path))

    problems = report["problems"]
    assert [p.split(" ", 2)[1] for p in problems] == ["3", "4", "5"], problems
    assert "NameError" in problems[0] and "never_defined" in problems[0]
    assert "NotImplementedError: not a stub" in problems[1]
    assert "ZeroDivisionError" in problems[2]
    assert (report["pictures"], report["dropped"]) == (1, 1)
    assert report["stopped_cells"] == 5
    done = nbformat.read(str(path), as_version=4)
    assert "widgets" not in done.metadata
    widget_out = done.cells[6].outputs
    assert len(widget_out) == 1 and "image/png" in widget_out[0].data
    assert build.WIDGET_VIEW not in widget_out[0].data
    assert done.cells[7].outputs == []
    # not the builder's Agg: the kernel chose its inline backend, so figures are shown
    assert done.cells[8].outputs[0].text.strip() == "module://matplotlib_inline.backend_inline"
    assert (tmp_path / "lesson.log").exists()


def test_every_lesson_gets_its_own_binder_and_local_links():
    config = build.load_config()
    for lesson in LESSONS:
        text = build.launch_cell_text(config, lesson.name)
        url = re.search(r"\[Launch it on Binder\]\((\S+)\)", text).group(1)
        query = parse_qs(urlsplit(url).query)
        assert query["urlpath"] == [f"lab/tree/workspace/{lesson.name}/{lesson.name}.ipynb"]
        assert "](../../running.md)" in text


# ------------------------------------------------------------------------------ the site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The whole site, built by the same command as ``make site``: (html folder, output)."""
    out = tmp_path_factory.mktemp("site")
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=2 * BUILD_BUDGET_S,
        cwd=ROOT,
    )
    seconds = time.monotonic() - started
    print(proc.stdout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    html = out / "_build" / "html"
    return html, proc.stdout, seconds, out


@pytest.mark.slow
def test_site_builds_in_budget_with_no_dead_link(site):
    html, output, seconds, _ = site
    assert seconds < BUILD_BUDGET_S, f"the site took {seconds:.0f} s"
    m = re.search(r"Link check: (\d+) HTML pages, (\d+) internal links .*?, (\d+) dead", output)
    assert m, output
    pages, links, dead = map(int, m.groups())
    assert dead == 0 and links > 100
    assert pages == len(LESSONS) + 4  # the lessons, index, running, search, genindex
    # the build's own check agrees with a fresh one
    assert build.check_links(html)[0] == []
    for lesson in LESSONS:
        assert (html / "lessons" / lesson.name / f"{lesson.name}.html").is_file()


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return _norm("".join(parser.parts))


def _json_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _json_strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _json_strings(v)]
    return []


def _searchable_texts(root: Path) -> dict[Path, str]:
    """Everything a reader of the site could see: page text and markup, notebooks, scripts."""
    texts = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).parts
        if not path.is_file() or "mathjax" in rel or "_mathjax" in rel:
            continue
        if path.suffix == ".html":
            raw = path.read_text(encoding="utf-8", errors="replace")
            texts[path] = _visible_text(raw) + "\n" + _norm(raw)
        elif path.suffix in (".ipynb", ".json"):
            texts[path] = _norm("\n".join(_json_strings(json.loads(path.read_text()))))
        elif path.suffix in (".js", ".txt", ".md", ".py", ".yml", ".inv"):
            texts[path] = _norm(path.read_text(encoding="utf-8", errors="replace"))
    return texts


def _student_text() -> str:
    return _norm(
        "\n".join(
            c.source
            for lesson in LESSONS
            for c in student_version(nbformat.read(str(lesson.notebook), as_version=4)).cells
        )
    )


def solution_lines() -> list[str]:
    """Distinctive lines of every reference solution: autograder/solutions/*.py function
    bodies and the lessons' solution regions, minus lines learners see anyway."""
    seen = _student_text()
    lines: set[str] = set()
    for path in sorted((ROOT / "autograder" / "solutions").glob("*.py")):
        source = path.read_text()
        src_lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]  # the docstring
            for stmt in body:
                for line in src_lines[stmt.lineno - 1 : stmt.end_lineno]:
                    lines.add(line)
    for lesson in LESSONS:
        for cell in nbformat.read(str(lesson.notebook), as_version=4).cells:
            if "### BEGIN SOLUTION" in cell.source:
                region = cell.source.split("### BEGIN SOLUTION", 1)[1]
                lines.update(region.split("### END SOLUTION", 1)[0].splitlines())
    out = []
    for line in lines:
        text = _norm(line)
        if len(text) >= 30 and not text.startswith("#") and text not in seen:
            out.append(text)
    return sorted(out)


@pytest.mark.slow
def test_no_solution_appears_anywhere_in_the_site(site):
    html, _, _, out = site
    distinctive = solution_lines()
    assert len(distinctive) > 100, "too few solution lines to make this check meaningful"
    texts = _searchable_texts(html)
    texts.update(_searchable_texts(out / "src" / "lessons"))
    assert len([p for p in texts if p.suffix == ".html"]) >= len(LESSONS)
    assert len([p for p in texts if p.suffix == ".ipynb"]) >= len(LESSONS)
    for path, text in texts.items():
        for marker in MARKERS:
            assert marker not in text, f"{marker!r} in {path}"
        leaked = [line for line in distinctive if line in text]
        assert not leaked, f"solution text in {path}: {leaked[:5]}"
    # and the check can see code on a page: a line of a stub is found
    page = texts[html / "lessons" / "01_qubits" / "01_qubits.html"]
    assert "raise NotImplementedError()" in page
    assert 'def normalize(amplitudes): """Return the amplitudes scaled to unit norm' in page


def _executed(out: Path, lesson) -> nbformat.NotebookNode:
    return nbformat.read(str(out / "src" / "lessons" / lesson.name / f"{lesson.name}.ipynb"), 4)


@pytest.mark.slow
def test_every_lesson_is_executed_with_its_outputs_and_pictures(site):
    html, _, _, out = site
    config = build.load_config()
    total_pictures = 0
    for lesson in LESSONS:
        nb = _executed(out, lesson)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.execution_count for c in code if c.source.strip()), lesson.name
        assert sum(bool(c.outputs) for c in code) >= 5, lesson.name
        pictures = sum("image/png" in o.get("data", {}) for c in code for o in c.outputs)
        page = (html / "lessons" / lesson.name / f"{lesson.name}.html").read_text()
        # every picture of the run is on the page, as a file next to the site
        images = re.findall(r'<img [^>]*src="(\.\./\.\./_images/[^"]+\.png)"', page)
        assert len(images) == pictures, lesson.name
        total_pictures += pictures
        assert page.count('class="cell_output') >= 5
        binder = build.binder_url(config, f"{lesson.name}/{lesson.name}.ipynb")
        assert f'href="{binder}"' in page.replace("&amp;", "&")
        assert 'href="../../running.html"' in page
    assert total_pictures >= 25


@pytest.mark.slow
def test_bloch_widget_is_its_still_picture(site):
    html, _, _, out = site
    for path in html.rglob("*.html"):
        text = path.read_text(errors="replace")
        assert "application/vnd.jupyter.widget" not in text, path
        assert "@jupyter-widgets/html-manager" not in text, path
    nb = _executed(out, LESSONS[1])
    cell = next(c for c in nb.cells if "qmlkit.bloch.widget()" in c.source)
    assert [sorted(o.data) for o in cell.outputs] == [["image/png", "text/plain"]]
    page = (html / "lessons" / "01_qubits" / "01_qubits.html").read_text()
    cells = re.split(r'<div class="cell(?= |")[^"]*">', page)[1:]  # tags add classes
    widget = [c for c in cells if "qmlkit.bloch.widget()" in _visible_text(c)]
    assert len(widget) == 1
    assert widget[0].count("<img ") == 1 and "_images/" in widget[0]


# ------------------------------------------------------------------------------ browser


@pytest.fixture(scope="module")
def served(site):
    """The built site on a loopback HTTP server: its base URL."""
    html = site[0]

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(html))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# MathJax 2 first asks for its TeX web font, which the packaged MathJax does not ship, then
# uses the STIX web font it does ship; that one request may fail.
MATHJAX_FONT_PROBE = "/_static/mathjax/fonts/HTML-CSS/TeX/"


@pytest.mark.slow
@pytest.mark.browser
def test_pages_render_in_chromium(served, artifacts_dir, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    chromium = _chromium()
    failed: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.set_default_timeout(60_000)

        def note(response) -> None:
            if (
                response.url.startswith(served)
                and response.status >= 400
                and MATHJAX_FONT_PROBE not in response.url
            ):
                failed.append(f"{response.status} {response.url}")

        page.on("response", note)
        try:
            # the index: every lesson listed, the Binder and local links
            page.goto(f"{served}/index.html")
            _typeset(page, formulas=0)
            expect(page.locator("article h1")).to_contain_text("QML Course")
            toc = page.locator('article .toctree-wrapper a[href^="lessons/"]')
            expect(toc).to_have_count(len(LESSONS))
            expect(page.get_by_role("link", name="Open the course on Binder")).to_have_attribute(
                "href", re.compile(r"^https://mybinder\.org/v2/gh/.+urlpath=lab/tree/workspace$")
            )
            page.screenshot(path=str(artifacts_dir / "site_index.png"))

            # lesson 01: the Bloch sphere as a still picture, formulas typeset
            page.goto(f"{served}/lessons/01_qubits/01_qubits.html")
            _typeset(page)
            _all_pictures_loaded(page)
            cell = page.locator("div.cell").filter(has_text="qmlkit.bloch.widget()").first
            picture = cell.locator(".cell_output img")
            expect(picture).to_have_count(1)
            assert picture.evaluate("img => img.naturalWidth") > 200
            launch = page.locator(".admonition").filter(has_text="Work through this lesson")
            expect(launch.get_by_role("link", name="Launch it on Binder")).to_have_attribute(
                "href", re.compile(r"urlpath=lab/tree/workspace/01_qubits/01_qubits\.ipynb$")
            )
            cell.scroll_into_view_if_needed()
            page.screenshot(path=str(artifacts_dir / "site_01_qubits_bloch.png"))

            # lesson 02: an exercise as the learner sees it, stub and check
            page.goto(f"{served}/lessons/02_gates/02_gates.html")
            _typeset(page)
            _all_pictures_loaded(page)
            stub = page.locator("div.cell").filter(has_text="def is_unitary(").first
            expect(stub).to_contain_text("raise NotImplementedError()")
            checked = page.locator("div.cell").filter(has_text='check("02.is_unitary"').first
            expect(checked.locator(".cell_output")).to_contain_text("not yet, 0/3 points")
            stub.scroll_into_view_if_needed()
            page.screenshot(path=str(artifacts_dir / "site_02_gates_exercise.png"))
            body = page.locator("body").inner_text()
            assert "BEGIN SOLUTION" not in body
        except Exception:
            page.screenshot(path=str(artifacts_dir / "site_failure.png"))
            raise
        finally:
            browser.close()
    assert not failed, failed
    for name in ("site_index", "site_01_qubits_bloch", "site_02_gates_exercise"):
        assert (artifacts_dir / f"{name}.png").stat().st_size > 20_000


def _typeset(page, formulas: int = 10) -> None:
    """Wait until MathJax (2, served by the site itself) has typeset the page's formulas."""
    page.wait_for_function("() => window.MathJax && MathJax.isReady")
    page.evaluate("() => new Promise(done => MathJax.Hub.Queue(() => done(true)))")
    assert page.evaluate("() => document.querySelectorAll('.MathJax').length") >= formulas
    assert page.evaluate("() => document.querySelectorAll('.MathJax_Error').length") == 0


def _all_pictures_loaded(page) -> None:
    images = page.locator("article img")
    count = images.count()
    assert count > 0
    for k in range(count):
        img = images.nth(k)
        img.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete", arg=img.element_handle())
        assert img.evaluate("img => img.naturalWidth") > 0, img.get_attribute("src")
