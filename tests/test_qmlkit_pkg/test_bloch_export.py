"""The Bloch widget in an HTML export: the still picture shows, with or without widget state.

nbconvert's HTML exporter renders a widget view as an empty ``<div>`` that only the widget
JavaScript (from a CDN) fills, whenever the run saved widget state (nbclient does by
default). qmlkit therefore publishes a still picture next to the widget; these tests run a
notebook headless, export it with nbconvert's ``HTMLExporter`` and look for the picture.
"""

from __future__ import annotations

import base64
import re

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from qmlkit import bloch
from qmlkit._bloch_widget import FALLBACK_CLASS, fallback_bundle

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def executed():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import numpy as np\nimport qmlkit"),
        nbformat.v4.new_code_cell("qmlkit.bloch.widget(theta=np.pi)"),
    ]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return nb


def _widget_cell_html(html: str) -> str:
    """The HTML of the output area of the widget cell (the second code cell)."""
    cells = re.split(r'<div class="jp-Cell jp-CodeCell', html)[1:]
    assert len(cells) == 2
    return cells[1]


def _pictures(cell_html: str) -> list[bytes]:
    found = re.findall(r'<img[^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"', cell_html)
    return [base64.b64decode(b) for b in found]


def test_html_export_with_widget_state_shows_the_still_picture(executed):
    assert "widgets" in executed.metadata  # nbclient saved the widget state
    html, _ = HTMLExporter().from_notebook_node(executed)
    cell = _widget_cell_html(html)
    pictures = _pictures(cell)
    assert len(pictures) == 1 and pictures[0].startswith(PNG)
    assert "|ψ⟩ = |1⟩" in cell
    # the widget's own output is the view for the widget JavaScript
    assert 'type="application/vnd.jupyter.widget-view+json"' in cell
    # and the picture hides itself where that JavaScript renders the live widget
    assert f".jp-OutputArea:has(.qmlkit-bloch) .{FALLBACK_CLASS}" in cell


def test_html_export_without_widget_state_shows_one_picture(executed):
    nb = nbformat.from_dict(executed)
    del nb.metadata["widgets"]  # as a notebook saved without widget state
    html, _ = HTMLExporter().from_notebook_node(nb)
    cell = _widget_cell_html(html)
    assert "application/vnd.jupyter.widget-view+json" not in cell
    pictures = _pictures(cell)  # the still picture only: the widget's output has none
    assert len(pictures) == 1 and pictures[0].startswith(PNG)
    assert "Bloch sphere widget: |ψ⟩ = |1⟩" in cell  # the widget's text form


def test_fallback_is_the_current_picture_and_escapes_the_ket():
    w = bloch.widget(theta=np.pi / 2)
    w.apply("z")
    data, metadata = fallback_bundle(w.snapshot)
    assert metadata == {"qmlkit": {"widget_fallback": True}}
    assert sorted(data) == ["image/png", "text/html", "text/plain"]
    (picture,) = _pictures(data["text/html"])
    assert picture == w.snapshot.png == base64.b64decode(data["image/png"])
    assert "|ψ⟩ = 0.707|0⟩ - 0.707|1⟩" in data["text/html"]
    assert "<script" not in data["text/html"]
