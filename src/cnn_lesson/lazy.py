"""Keras, imported when first used: the editions write their models with `keras` and `layers`
as the episode does, and the workflow reads the editions when it plans, before any job, where
starting TensorFlow would cost seconds for nothing."""

from __future__ import annotations

import importlib


class LazyModule:
    """A module imported at its first attribute access, then used as the module itself."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        return getattr(importlib.import_module(self._name), attribute)


keras = LazyModule("keras")
layers = LazyModule("keras.layers")
