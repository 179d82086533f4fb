"""The registry of the lesson's networks as plain data, readable without importing Keras."""

from __future__ import annotations

from dataclasses import dataclass

CONV_FILTERS, KERNEL, POOL = 50, (3, 3), (2, 2)


@dataclass(frozen=True)
class Architecture:
    """A network: its feature layers ('conv' = Conv2D(50, 3x3, relu), 'pool' = MaxPooling2D(2x2))
    then Flatten, an optional hidden Dense(relu) and Dense(10)."""

    layers: tuple[str, ...]
    hidden_units: int | None
    keras_name: str
    lesson_function: str


ARCHITECTURES = {
    "small": Architecture(("conv", "conv"), None, "cifar_model_small", "cifar_model_small"),
    "base": Architecture(("conv", "pool", "conv", "pool"), 50, "cifar_model", "create_nn"),
    "extra_layer": Architecture(("conv", "pool", "conv", "pool", "conv"), 50, "cifar_model",
                                "create_nn_extra_layer"),
}

# The models the episode summarises: (name in the lesson's tables, registry model, dropout rate).
EPISODE_MODELS = [("small", "small", 0.0), ("base", "base", 0.0),
                  ("extra_layer", "extra_layer", 0.0), ("dropout", "extra_layer", 0.8)]
