"""qmlkit.plots.training: the live loss curve records, draws and never blocks."""

import io

import pytest

from qmlkit.errors import InputError
from qmlkit.plots import LiveLossPlot


def test_silent_outside_jupyter_records_losses(capsys):
    live = LiveLossPlot(every=1)
    assert live.mode == "silent"  # pytest is not a Jupyter kernel
    for it in range(5):
        live(it, 1.0 / (it + 1))
    assert live.losses == pytest.approx([1, 1 / 2, 1 / 3, 1 / 4, 1 / 5])
    assert capsys.readouterr().out == ""


def test_print_mode_writes_every_n_iterations():
    out = io.StringIO()
    live = LiveLossPlot(every=3, mode="print", stream=out)
    for it in range(7):
        live(it, 10 - it)
    live.close()
    live.close()  # closing twice adds nothing
    assert out.getvalue().splitlines() == [
        "iteration 3: loss 8",
        "iteration 6: loss 5",
        "iteration 7: loss 4 (done)",
    ]


def test_display_mode_updates_one_handle_in_place(monkeypatch):
    import IPython.display

    shown, updates = [], []

    class Handle:
        def update(self, obj):
            updates.append(obj)

    def fake_display(obj, display_id=None):
        shown.append(obj)
        assert display_id is True
        return Handle()

    monkeypatch.setattr(IPython.display, "display", fake_display)
    live = LiveLossPlot(every=2, mode="display", reference=0.1)
    for it in range(6):
        live(it, 1.0 - 0.1 * it)
    fig = live.close()
    assert len(shown) == 1 and len(updates) == 3  # shown at 2, updated at 4, 6 and on close
    assert shown[0].data[:8] == b"\x89PNG\r\n\x1a\n"
    x, y = fig.axes[0].get_lines()[0].get_data()
    assert list(x) == list(range(6)) and list(y) == pytest.approx(live.losses)
    assert "iteration 6: loss 0.5 (done)" in fig.axes[0].get_title()


def test_as_model_callback_shape():
    # qmlkit models call callback(iteration, loss); numpy scalars are accepted
    import numpy as np

    live = LiveLossPlot()
    live(np.int64(0), np.float64(0.5))
    assert live.losses == [0.5] and isinstance(live.losses[0], float)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(InputError, match="every"):
        LiveLossPlot(every=0)
    with pytest.raises(InputError, match="mode"):
        LiveLossPlot(mode="loud")
    with pytest.raises(InputError, match="loss must be a number"):
        LiveLossPlot()(0, "high")
