"""The episode's code as a learner runs it, top to bottom in one Python process, timed.

Only the data loading differs: `keras.datasets.cifar10.load_data()` downloads, so the same
uint8 arrays are read from the archive given on the command line. Everything else is the
episode's: float64 arrays from `/ 255.0`, its model functions, `compile_model`, default `fit`
(verbose progress bars, sent to the log file) and `evaluate`.

    python bench/lesson_code.py ARCHIVE [--epoch-scale 0.25]   # prints one JSON line per training
"""

import argparse
import json
import math
import sys
import time

import numpy as np
from tensorflow import keras

from cnn_lesson.archive import read_archive


def load_data(archive):
    raw = read_archive(archive, 50000)
    return (raw.x_train, raw.y_train[:, None]), (raw.x_test, raw.y_test[:, None])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("archive")
    parser.add_argument("--epoch-scale", type=float, default=1.0)
    args = parser.parse_args()

    def epochs(n):
        return max(1, math.ceil(n * args.epoch_scale))

    (train_images, train_labels), (test_images, test_labels) = load_data(args.archive)
    n = 5000
    train_images = train_images[:n]
    train_labels = train_labels[:n]
    train_images = train_images / 255.0
    test_images = test_images / 255.0

    def create_nn():
        inputs = keras.Input(shape=train_images.shape[1:])
        x = keras.layers.Conv2D(50, (3, 3), activation='relu')(inputs)
        x = keras.layers.MaxPooling2D((2, 2))(x)
        x = keras.layers.Conv2D(50, (3, 3), activation='relu')(x)
        x = keras.layers.MaxPooling2D((2, 2))(x)
        x = keras.layers.Flatten()(x)
        x = keras.layers.Dense(50, activation='relu')(x)
        outputs = keras.layers.Dense(10)(x)
        return keras.Model(inputs=inputs, outputs=outputs, name="cifar_model")

    def create_nn_extra_layer():
        inputs = keras.Input(shape=train_images.shape[1:])
        x = keras.layers.Conv2D(50, (3, 3), activation='relu')(inputs)
        x = keras.layers.MaxPooling2D((2, 2))(x)
        x = keras.layers.Conv2D(50, (3, 3), activation='relu')(x)
        x = keras.layers.MaxPooling2D((2, 2))(x)
        x = keras.layers.Conv2D(50, (3, 3), activation='relu')(x)
        x = keras.layers.Flatten()(x)
        x = keras.layers.Dense(50, activation='relu')(x)
        outputs = keras.layers.Dense(10)(x)
        return keras.Model(inputs=inputs, outputs=outputs, name="cifar_model")

    def create_nn_with_dropout(dropout_rate=0.8):
        inputs = keras.Input(shape=train_images.shape[1:])
        x = keras.layers.Conv2D(50, (3, 3), activation='relu')(inputs)
        x = keras.layers.MaxPooling2D((2, 2))(x)
        x = keras.layers.Conv2D(50, (3, 3), activation='relu')(x)
        x = keras.layers.MaxPooling2D((2, 2))(x)
        x = keras.layers.Conv2D(50, (3, 3), activation='relu')(x)
        x = keras.layers.Dropout(dropout_rate)(x)
        x = keras.layers.Flatten()(x)
        x = keras.layers.Dense(50, activation='relu')(x)
        outputs = keras.layers.Dense(10)(x)
        return keras.Model(inputs=inputs, outputs=outputs, name="cifar_model")

    def compile_model(model):
        model.compile(optimizer='adam',
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=['accuracy'])

    def timed(name, build, n_epochs, evaluate=False):
        start = time.perf_counter()
        model = build()
        compile_model(model)
        model.fit(train_images, train_labels, epochs=n_epochs,
                  validation_data=(test_images, test_labels))
        if evaluate:
            model.evaluate(test_images, test_labels, verbose=2)
        seconds = time.perf_counter() - start
        print(json.dumps({"training": name, "epochs": n_epochs, "seconds": seconds}),
              file=sys.stderr, flush=True)

    timed("base", create_nn, epochs(10))
    timed("extra_layer", create_nn_extra_layer, epochs(20))
    timed("extra_layer dropout 0.8", create_nn_with_dropout, epochs(20), evaluate=True)
    for dropout_rate in [0.15, 0.3, 0.45, 0.6, 0.75]:
        timed(f"extra_layer dropout {dropout_rate}",
              lambda: create_nn_with_dropout(dropout_rate), epochs(20), evaluate=True)
    assert np.isfinite(train_images).all()


if __name__ == "__main__":
    main()
