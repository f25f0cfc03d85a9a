"""Checkers, one module per lesson (``lessonNN.py``). Each module registers its exercises
with :func:`autograder.engine.exercise` when imported; the engine imports all of them."""
