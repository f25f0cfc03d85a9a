"""``concept("03.q1")``: a concept check, answered with ``concept("03.q1", "b")`` or its widget.

Introduced in lesson 00. Each lesson ends with three to five questions on ideas its
exercises do not test. Asked without an answer, :func:`concept` shows the question (and,
in Jupyter with ipywidgets, choices and a "Check answer" button); with an answer it says
whether it is right and explains why, in the browser and headless alike.

>>> concept("00.q1", "z").text.startswith("'z' is not one of")
True
>>> q = concept("00.q1")
>>> "00.q1" in q.text
True
"""

from __future__ import annotations

import math
from typing import Any

from . import state
from ._render import View, to_html
from .content import get_concept


def _letters(q: dict[str, Any]) -> list[str]:
    return list(q.get("choices", {}))


def question_view(q: dict[str, Any]) -> View:
    """The question of a concept check, with how to answer it."""
    qid = q["id"]
    if q.get("choices"):
        how = f'Answer with `concept("{qid}", "{_letters(q)[0]}")` (the letter of your choice)'
        choices = [f"  {k}) {v}" for k, v in q["choices"].items()]
        html_choices = "".join(
            f"<li><b>{k})</b> {to_html(v)[3:-4]}</li>" for k, v in q["choices"].items()
        )
    else:
        how = f'Answer with `concept("{qid}", <a number>)`'
        choices, html_choices = [], ""
    text = "\n".join([f"{qid}: {q['question']}", *choices, how + "."])
    body = (
        f"<div class='qmlcourse-concept'><b>Concept check {qid}</b>{to_html(q['question'])}"
        + (f"<ul style='list-style:none'>{html_choices}</ul>" if html_choices else "")
        + f"{to_html(how + ', or with the widget below.')}</div>"
    )
    return View(text, body, {"concept": qid, "asked": True})


def answer_view(q: dict[str, Any], answer: Any) -> View:
    """Whether ``answer`` is right, with the explanation (also used by the widget)."""
    qid = q["id"]
    if q.get("choices"):
        given = str(answer).strip().strip("()").rstrip(")").lower()
        letters = _letters(q)
        if given not in letters:
            text = f"{answer!r} is not one of {', '.join(letters)}: answer with the letter of a choice."
            return View(text, to_html(text), None)
        correct = given == q["answer"]
        shown = f"{given}) {q['choices'][given]}"
    else:
        try:
            value = float(answer)
        except (TypeError, ValueError):
            text = f"{answer!r} is not a number: answer {qid} with a number, e.g. 0.5."
            return View(text, to_html(text), None)
        correct = math.isfinite(value) and abs(value - q["answer"]) <= q.get("tolerance", 1e-6)
        shown = f"{value:g}"
    state.record_concept(qid, str(answer), correct)
    verdict = "Correct." if correct else "Not quite."
    text = f"{qid}: {shown}. {verdict}\n{q['explanation']}"
    colour = "#1a7f37" if correct else "#b35900"
    html_text = (
        f"<div class='qmlcourse-concept-answer'><b style='color:{colour}'>{qid}: {verdict}</b>"
        f"{to_html(q['explanation'])}</div>"
    )
    return View(text, html_text, {"concept": qid, "answer": str(answer), "correct": correct})


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def concept_widget(q: dict[str, Any]) -> Any:
    """The answering widget of a concept check (ipywidgets): choices or a number box, a
    "Check answer" button and the verdict with its explanation below."""
    import ipywidgets as widgets

    if q.get("choices"):
        field = widgets.RadioButtons(
            options=[(f"{k}) {v}", k) for k, v in q["choices"].items()],
            value=None,
            layout=widgets.Layout(width="auto"),
        )
    else:
        field = widgets.FloatText(value=0.0, description="Answer:")
    button = widgets.Button(description="Check answer", button_style="primary")
    verdict = widgets.HTML()

    def on_click(_button: Any) -> None:
        if field.value is None:
            verdict.value = "<i>Choose an answer first.</i>"
            return
        verdict.value = answer_view(q, field.value).html

    button.on_click(on_click)
    box = widgets.VBox([field, button, verdict])
    box.add_class("qmlcourse-concept-widget")
    return box


def concept(question_id: str, answer: Any = None) -> View | None:
    """Show a concept question, or check an answer to it and explain.

    Args:
        question_id: e.g. ``"03.q1"`` (lesson 03, question 1).
        answer: the letter of a choice (``"b"``) or a number; ``None`` shows the question.

    Returns:
        A view with the verdict and the explanation; when asking in Jupyter, the question
        and its widget are displayed and nothing is returned.
    """
    q = get_concept(question_id)
    if answer is not None:
        return answer_view(q, answer)
    view = question_view(q)
    if not _in_kernel():
        return view
    from IPython.display import display

    display(view)
    try:
        display(concept_widget(q))
    except ImportError:  # no ipywidgets: the call with an answer still works
        pass
    return None
