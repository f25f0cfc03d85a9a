"""Small shared pieces of the help views: the output marker and text to HTML."""

from __future__ import annotations

import html
import re
from typing import Any

#: the key of the machine-readable record in a help cell's saved output metadata (output
#: metadata is saved with the notebook and ignored by renderers); the classroom report
#: reads it from the submitted notebooks (``autograder.help.report``)
MARKER_KEY = "qmlcourse_help"


def to_html(text: str) -> str:
    """Escape ``text`` and show `backticks` as code and blank lines as paragraphs.

    >>> to_html("use `np.kron` & <b>")
    '<p>use <code>np.kron</code> &amp; &lt;b&gt;</p>'
    """
    escaped = html.escape(text, quote=False)
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    paragraphs = [p.strip() for p in escaped.split("\n\n") if p.strip()]
    return "".join(f"<p>{p}</p>" for p in paragraphs)


class View:
    """A help output: plain text, HTML and the marker; Jupyter shows the HTML."""

    def __init__(self, text: str, html_text: str, marker: dict[str, Any] | None) -> None:
        self.text = text
        self.html = html_text
        self.marker = marker

    def __repr__(self) -> str:
        return self.text

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The output's data (text and HTML) and its metadata (the record)."""
        bundle: dict[str, Any] = {"text/plain": self.text, "text/html": self.html}
        metadata = {MARKER_KEY: self.marker} if self.marker is not None else {}
        return bundle, metadata
