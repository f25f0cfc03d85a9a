"""The course's PEP 517 build backend: setuptools, plus nbgrader when a wheel is built.

A wheel carries the learners' versions of the lessons, which ``setup.py`` makes with
nbgrader's own preprocessors (as ``qml-course start`` does in a checkout), so building a
wheel needs nbgrader. An sdist or an editable install does not, so ``make start`` and
``pip install -e .`` do not pull nbgrader into their build environment. This is the
setuptools documentation's pattern for dynamic build requirements.
"""

from __future__ import annotations

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403 - the rest of the backend as it is

WHEEL_BUILD_REQUIRES = ["nbgrader>=0.9.3,<0.10"]


def get_requires_for_build_wheel(config_settings=None):
    return _setuptools.get_requires_for_build_wheel(config_settings) + WHEEL_BUILD_REQUIRES
