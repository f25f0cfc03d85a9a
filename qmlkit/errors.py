"""Exceptions that qmlkit raises for bad input or bad settings.

Every error carries a message that names the problem and says what to do about it.
Inside Jupyter, :func:`qmlkit.enable_friendly_errors` (called in every lesson's first cell)
shows these errors as a short message instead of a long traceback through library code.
"""

from __future__ import annotations


class QMLKitError(Exception):
    """Base class of every error that qmlkit raises on purpose."""


class BackendError(QMLKitError, ValueError):
    """A backend setting that cannot be used (unknown name, no IBM account, ...)."""


class InputError(QMLKitError, ValueError):
    """Input data of the wrong type, shape or value."""
