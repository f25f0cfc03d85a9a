"""Shared fixtures. Qubit order is Qiskit's throughout the tests."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def no_ibm_account(tmp_path, monkeypatch):
    """A HOME without a saved IBM Quantum account."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("QISKIT_IBM_TOKEN", raising=False)
    monkeypatch.delenv("QISKIT_IBM_CHANNEL", raising=False)
    return tmp_path


def venv_bin(name: str) -> str:
    """Path of a console script installed next to this Python."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else (shutil.which(name) or name)
