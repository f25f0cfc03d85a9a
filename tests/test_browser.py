"""Drive JupyterLab in a real (headless) Chromium: the Bloch widget of lesson 01 reacts to a
click, and a learner opens a hint and answers a concept check.

Uses Debian's ``chromium`` (``bash .ci/system-deps.sh`` installs it) through Playwright's
Python package; Playwright's own browser download is not used.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import ROOT, venv_bin

CHROMIUM = "/usr/bin/chromium"
LESSON = "01_qubits/01_qubits.ipynb"
WIDGET_CELL = "qmlkit.bloch.widget()"
TIMEOUT_MS = 180_000  # kernel start and first import take a while on a loaded machine

# Without the background-networking flags Chromium keeps calling home and floods a closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        where = "the CI image" if os.environ.get("CI") else "this machine"
        pytest.fail(
            f"Chromium is not installed on {where}, so the browser test cannot run. Install "
            "Debian's package as root with `bash .ci/system-deps.sh` (or `make system-deps`, "
            "or `apt-get install chromium`), then run `pytest -m browser` again."
        )
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab started by `qml-course start` on a fresh workspace: yields its base URL."""
    port, token = _free_port(), "browsertest"
    env = dict(
        os.environ,
        QMLCOURSE_WORKSPACE=str(tmp_path / "ws"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "lab-workspaces"),
    )
    # no news pop-up, no update check (the network is closed anyway)
    settings = tmp_path / "lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}'
    )
    log = open(tmp_path / "jupyterlab.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            venv_bin("qml-course"),
            "start",
            "--no-browser",
            "--port",
            str(port),
            "--",
            f"--ServerApp.token={token}",
            "--ServerApp.ip=127.0.0.1",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(
                        "JupyterLab did not start:\n" + (tmp_path / "jupyterlab.log").read_text()
                    )
                time.sleep(0.5)
        assert (tmp_path / "ws" / LESSON).exists(), "the workspace has no lesson 01"
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
        log.close()


def _run_cell(page, text: str):
    """Select the code cell that shows ``text``, run it with Shift+Enter, return the cell."""
    cell = page.locator(".jp-Notebook .jp-CodeCell").filter(has_text=text).first
    cell.scroll_into_view_if_needed(timeout=TIMEOUT_MS)
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    return cell


@pytest.fixture
def chromium() -> str:
    """Debian's Chromium; a clear failure (not a skip) when it is missing."""
    return _chromium()


@pytest.mark.browser
def test_bloch_widget_reacts_to_a_gate_button(chromium, jupyterlab, tmp_path, artifacts_dir):
    from playwright.sync_api import expect, sync_playwright

    base, token = jupyterlab
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a new, empty --user-data-dir
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        try:
            page.goto(f"{base}/lab/tree/{LESSON}?token={token}", timeout=TIMEOUT_MS)
            page.wait_for_selector(".jp-Notebook .jp-CodeCell")
            # the kernel is connected when the status bar says "Python 3 (ipykernel) | Idle"
            expect(page.locator(".jp-StatusBar-Widget")).to_contain_text("| Idle")

            imports = _run_cell(page, "import qmlkit")
            expect(imports.locator(".jp-InputPrompt")).to_contain_text("[1]", timeout=TIMEOUT_MS)

            cell = _run_cell(page, WIDGET_CELL)
            image = cell.locator("img.qmlkit-bloch-image")
            ket = cell.locator(".qmlkit-bloch-ket")
            expect(image).to_be_visible(timeout=TIMEOUT_MS)
            expect(ket).to_contain_text("|ψ⟩ = |0⟩", timeout=TIMEOUT_MS)
            expect(image).to_have_attribute("src", _nonempty(), timeout=TIMEOUT_MS)
            src_before = image.get_attribute("src")
            ket_before = ket.inner_text()
            page.screenshot(path=str(artifacts_dir / "bloch_widget_before.png"), full_page=False)

            cell.get_by_role("button", name="H", exact=True).click()

            expect(ket).to_contain_text("|ψ⟩ = 0.707|0⟩ + 0.707|1⟩", timeout=TIMEOUT_MS)
            expect(image).not_to_have_attribute("src", src_before, timeout=TIMEOUT_MS)
            assert ket.inner_text() != ket_before
            width = image.evaluate("img => img.complete ? img.naturalWidth : 0")
            assert width > 100, "the new picture did not load"
            cell.scroll_into_view_if_needed()
            shot = artifacts_dir / "bloch_widget_after_H.png"
            page.screenshot(path=str(shot), full_page=False)
            cell.screenshot(path=str(artifacts_dir / "bloch_widget_cell_after_H.png"))
            assert shot.stat().st_size > 0
        except Exception:
            page.screenshot(path=str(artifacts_dir / "bloch_widget_failure.png"))
            print((tmp_path / "jupyterlab.log").read_text()[-3000:])
            raise
        finally:
            context.close()


HINT_CELL = 'hint("01.normalize")'
CONCEPT_CELL = 'concept("01.q1")'


@pytest.mark.browser
def test_a_learner_opens_a_hint_and_answers_a_concept_check(
    chromium, jupyterlab, tmp_path, artifacts_dir
):
    from playwright.sync_api import expect, sync_playwright

    from autograder.help.content import get_concept, hints_for
    from autograder.help.report import hints_opened_in

    base, token = jupyterlab
    question = get_concept("01.q1")
    right = question["answer"]
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        try:
            page.goto(f"{base}/lab/tree/{LESSON}?token={token}", timeout=TIMEOUT_MS)
            page.wait_for_selector(".jp-Notebook .jp-CodeCell")
            expect(page.locator(".jp-StatusBar-Widget")).to_contain_text("| Idle")

            # the hint cell: the first run opens hint 1 only, the second run hint 2
            cell = _run_cell(page, HINT_CELL)
            first_hint = hints_for("01.normalize")[0][:40]
            expect(cell.locator(".qmlcourse-hint")).to_contain_text("Hint 1 of", timeout=TIMEOUT_MS)
            expect(cell.locator(".qmlcourse-hint")).to_contain_text(first_hint)
            expect(cell.locator(".qmlcourse-hint")).not_to_contain_text("Hint 2 of")
            cell.locator(".jp-InputArea-editor").click()
            page.keyboard.press("Control+Enter")  # run it again, staying on the cell
            expect(cell.locator(".qmlcourse-hint")).to_contain_text("Hint 2 of", timeout=TIMEOUT_MS)
            expect(cell.locator("details[open] summary")).to_have_text(
                f"Hint 2 of {len(hints_for('01.normalize'))}"
            )
            cell.scroll_into_view_if_needed()
            cell.screenshot(path=str(artifacts_dir / "help_hint_cell.png"))
            # saved by JupyterLab, the notebook itself records the hints opened
            page.keyboard.press("Control+s")
            saved = tmp_path / "ws" / LESSON
            deadline = time.monotonic() + 60
            while _saved_hints(saved, hints_opened_in) != {"01.normalize": 2}:
                assert time.monotonic() < deadline, "the saved notebook has no hint record"
                time.sleep(0.5)

            # the concept check: choose an answer in the widget, press the button
            cell = _run_cell(page, CONCEPT_CELL)
            expect(cell.locator(".qmlcourse-concept")).to_contain_text(
                "Concept check 01.q1", timeout=TIMEOUT_MS
            )
            radio = cell.locator(".widget-radio-box label").filter(has_text=f"{right})").first
            expect(radio).to_be_visible(timeout=TIMEOUT_MS)
            radio.click()
            cell.get_by_role("button", name="Check answer").click()
            verdict = cell.locator(".qmlcourse-concept-answer")
            expect(verdict).to_contain_text("Correct.", timeout=TIMEOUT_MS)
            expect(verdict).to_contain_text(question["explanation"][:40])
            cell.scroll_into_view_if_needed()
            shot = artifacts_dir / "help_concept_check_answered.png"
            cell.screenshot(path=str(shot))
            page.screenshot(path=str(artifacts_dir / "help_concept_check_page.png"))
            assert shot.stat().st_size > 0
        except Exception:
            page.screenshot(path=str(artifacts_dir / "help_failure.png"))
            print((tmp_path / "jupyterlab.log").read_text()[-3000:])
            raise
        finally:
            context.close()


def _saved_hints(path, hints_opened_in) -> dict:
    try:
        return hints_opened_in(json.loads(path.read_text()))
    except ValueError:  # caught while JupyterLab writes it
        return {}


def _nonempty():
    import re

    return re.compile(r"^(blob:|data:).+")


def test_missing_chromium_is_a_failure_that_says_how_to_install_it(monkeypatch):
    me = sys.modules[__name__]
    monkeypatch.setattr(me, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.fail.Exception, match=r"bash \.ci/system-deps\.sh"):
        me._chromium()
