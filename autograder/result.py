"""Result objects of a check: one :class:`CaseResult` per tested input, one :class:`Result`.

A :class:`Result` prints as plain text and renders as HTML in Jupyter. The records of a
graded notebook (per exercise and per submission) are in :mod:`autograder.records`.

>>> r = Result("00.demo", cases=[CaseResult("demo()", True, 1.0, 1.0)])
>>> r.passed, r.score, r.max_score
(True, 1.0, 1.0)
>>> print(r.feedback.splitlines()[0])
00.demo: passed, 1/1 points
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .messages import HIDDEN_INPUT, NOT_STARTED, NOT_STARTED_MARK


def format_value(value: Any, limit: int = 400) -> str:
    """A short, readable text form of a value for feedback.

    >>> format_value(np.array([1/np.sqrt(2), 0, 0, 1/np.sqrt(2)]))
    '[0.7071, 0, 0, 0.7071]'
    >>> format_value(1j)
    '1j'
    """
    if value is None:
        return "None"
    try:
        from qiskit import QuantumCircuit

        if isinstance(value, QuantumCircuit):
            text = str(value.draw(output="text", fold=-1))
            return text if len(text) <= 4 * limit else text[: 4 * limit] + " ..."
    except Exception:  # pragma: no cover - qiskit is always there in practice
        pass
    if isinstance(value, (complex, np.complexfloating)):
        return _fmt_complex(complex(value))
    if (
        isinstance(value, (list, tuple))
        and value
        and all(isinstance(v, (int, float, complex, np.number)) for v in value)
    ):
        value = np.asarray(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufc":
        if value.ndim == 1:
            text = "[" + ", ".join(_fmt_complex(complex(v)) for v in value) + "]"
        elif value.ndim == 2:
            rows = ["[" + ", ".join(_fmt_complex(complex(v)) for v in row) + "]" for row in value]
            text = "[" + ",\n ".join(rows) + "]"
        else:
            text = np.array2string(value, precision=4)
    elif isinstance(value, float):
        text = _fmt_complex(complex(value))
    else:
        text = repr(value)
    return text if len(text) <= limit else text[:limit] + " ..."


def _fmt_real(x: float) -> str:
    if not np.isfinite(x):
        return str(x)  # "nan", "inf" or "-inf"
    r = round(x, 4)
    if r == 0:
        return "0"
    if r == int(r) and abs(r) < 1e6:
        return str(int(r))
    return f"{r:.4g}" if abs(r) >= 1e4 or abs(r) < 1e-3 else f"{r:.4f}".rstrip("0").rstrip(".")


def _fmt_complex(z: complex) -> str:
    re_, im = z.real, z.imag
    if abs(im) < 5e-5:
        return _fmt_real(re_)
    if abs(re_) < 5e-5:
        return (
            f"{_fmt_real(im)}j" if _fmt_real(im) not in ("1", "-1") else f"{_fmt_real(im)[:-1]}1j"
        )
    sign = "+" if im >= 0 else "-"
    return f"({_fmt_real(re_)}{sign}{_fmt_real(abs(im))}j)"


@dataclass
class CaseResult:
    """The outcome of one tested input of an exercise."""

    description: str
    passed: bool
    points: float
    max_points: float
    message: str = ""
    expected: Any = None
    actual: Any = None
    hint: str | None = None
    hidden: bool = False
    figure: bytes | None = None
    kind: str = "answer"  # "answer", "exception", "timeout", "exit", "internal"

    def to_dict(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "passed": self.passed,
            "points": self.points,
            "max_points": self.max_points,
            "message": self.message,
            "expected": None if self.expected is None else format_value(self.expected),
            "actual": None if self.actual is None else format_value(self.actual),
            "hint": self.hint,
            "hidden": self.hidden,
            "kind": self.kind,
        }


@dataclass
class Result:
    """What :func:`autograder.check` returns.

    Attributes:
        exercise_id: the checked exercise.
        passed: True when every case passed.
        score: points earned (partial credit is the sum over passed cases).
        max_score: points available.
        feedback: readable text naming what is wrong and the likely mistake.
        cases: the individual :class:`CaseResult` objects.
        error: set when the grader itself failed (not the learner's fault).
        warnings: warnings the learner's code issued while it was checked.
        interrupted: ``"timeout"`` or ``"crash"`` when a call of the learner's code ran
            out of time or crashed, so that later calls were not made.
    """

    exercise_id: str
    cases: list[CaseResult] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    interrupted: str | None = None

    @property
    def max_score(self) -> float:
        return float(sum(c.max_points for c in self.cases))

    @property
    def score(self) -> float:
        return float(sum(c.points for c in self.cases if c.passed))

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.cases) and all(c.passed for c in self.cases)

    @property
    def mistakes(self) -> list[str]:
        """The recognised likely mistakes (hints) of the failed cases, without repeats."""
        seen: list[str] = []
        for c in self.cases:
            if not c.passed and c.hint and c.hint not in seen:
                seen.append(c.hint)
        return seen

    @property
    def not_started(self) -> bool:
        """True when every case stopped at the stub's ``raise NotImplementedError()``."""
        stub = [NOT_STARTED_MARK in c.message for c in self.cases]
        skipped = [c.message.lower().startswith("not run") for c in self.cases]
        return (
            self.error is None
            and any(stub)
            and all(not c.passed and (s or k) for c, s, k in zip(self.cases, stub, skipped))
        )

    def _headline(self) -> str:
        if self.error:
            return f"{self.exercise_id}: could not be checked (grader problem, not your fault)"
        status = "passed" if self.passed else "not yet"
        return f"{self.exercise_id}: {status}, {format_points(self.score)}/{format_points(self.max_score)} points"

    @property
    def feedback(self) -> str:
        lines = [self._headline()]
        if self.error:
            lines.append(f"  {self.error}")
        if self.not_started:
            lines.append(f"  {NOT_STARTED}")
            return "\n".join(lines)
        for c in self.cases:
            mark = "✓" if c.passed else "✗"
            lines.append(f"  {mark} {c.description}")
            if c.passed:
                continue
            if c.message:
                lines.extend("      " + ln for ln in c.message.splitlines())
            if c.hidden and c.expected is None and c.actual is not None:
                lines.append(f"      expected: {HIDDEN_INPUT}")
                lines.append("      got:      " + _indent(format_value(c.actual), 16))
            elif c.expected is not None or c.actual is not None:
                lines.append("      expected: " + _indent(format_value(c.expected), 16))
                lines.append("      got:      " + _indent(format_value(c.actual), 16))
            if c.hint:
                lines.append(f"      likely mistake: {c.hint}")
        if self.warnings:
            lines.append("  note: your code issued warnings: " + "; ".join(self.warnings[:3]))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.feedback

    def __repr__(self) -> str:
        return (
            f"Result({self.exercise_id!r}, passed={self.passed}, "
            f"score={self.score}, max_score={self.max_score})"
        )

    def __bool__(self) -> bool:
        return self.passed

    def _repr_html_(self) -> str:
        color = "#1a7f37" if self.passed else ("#9a6700" if self.error else "#cf222e")
        parts = [
            f'<div style="border-left:4px solid {color};padding:6px 10px;font-family:sans-serif">',
            f'<b style="color:{color}">{html.escape(self._headline())}</b><ul style="margin:4px 0">',
        ]
        if self.error:
            parts.append(f"<li>{_html_text(self.error)}</li>")
        if self.not_started:
            parts.append(f"<li style='list-style:none'>{_html_text(NOT_STARTED)}</li>")
            parts.append("</ul></div>")
            return "".join(parts)
        for c in self.cases:
            mark = (
                '<span style="color:#1a7f37">✓</span>'
                if c.passed
                else '<span style="color:#cf222e">✗</span>'
            )
            item = f"{mark} <code>{html.escape(c.description)}</code>"
            if not c.passed:
                if c.message:
                    item += f"<br>{_html_text(c.message)}"
                if c.expected is not None or c.actual is not None:
                    shown = (
                        HIDDEN_INPUT
                        if c.hidden and c.expected is None
                        else format_value(c.expected)
                    )
                    item += (
                        "<br><small>expected:</small><pre style='margin:0'>"
                        + html.escape(shown)
                        + "</pre><small>got:</small><pre style='margin:0'>"
                        + html.escape(format_value(c.actual))
                        + "</pre>"
                    )
                if c.hint:
                    item += f"<br><b>Likely mistake:</b> {_html_text(c.hint)}"
                if c.figure:
                    b64 = base64.b64encode(c.figure).decode()
                    item += f'<br><img src="data:image/png;base64,{b64}" style="max-width:320px">'
            parts.append(f"<li style='list-style:none'>{item}</li>")
        parts.append("</ul></div>")
        return "".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise_id": self.exercise_id,
            "passed": self.passed,
            "score": self.score,
            "max_score": self.max_score,
            "error": self.error,
            "mistakes": self.mistakes,
            "cases": [c.to_dict() for c in self.cases],
            "feedback": self.feedback,
        }


_BACKTICKS = re.compile(r"`([^`\n]+)`")


def _html_text(text: str) -> str:
    """Escape text for HTML, then show `backticked` spans as code and keep line breaks."""
    escaped = html.escape(text)
    return _BACKTICKS.sub(r"<code>\1</code>", escaped).replace("\n", "<br>")


def format_points(x: float) -> str:
    """Points as a learner reads them: whole numbers without a decimal point.

    >>> format_points(2.0), format_points(2.5)
    ('2', '2.50')
    """
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}"


def _indent(text: str, n: int) -> str:
    return text.replace("\n", "\n" + " " * n)
