"""The Dollar Street 10 episode's code as a learner runs it, top to bottom in one Python process,
timed: every training it does, the sweep with its EarlyStopping and the keras_tuner grid search.

Only the data loading differs: the four .npy files are read from the zip given on the command
line (the episode loads them from a folder the learner unpacked). Everything else is the
episode's: float64 arrays from `/ 255.0`, its model functions, `compile_model`, default `fit`
(verbose progress bars, sent to the log file), `evaluate`, and `keras_tuner.GridSearch` (a
bench-only install: `pip install keras-tuner tensorboard`, never the workflow's; on the
TensorFlow backend keras_tuner imports tensorboard in every trial, and without it each trial
fails in no time while the search reports it complete).

    python bench/lesson_code_dollar_street.py ZIP [--epoch-scale 0.25]   # a JSON line per training
"""

import argparse
import io
import json
import math
import sys
import tempfile
import time
import zipfile

import numpy as np
from tensorflow import keras


def load(archive, name):
    with zipfile.ZipFile(archive) as opened:
        return np.load(io.BytesIO(opened.read(name)), allow_pickle=False)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("archive")
    parser.add_argument("--epoch-scale", type=float, default=1.0)
    args = parser.parse_args()

    def epochs(n):
        return max(1, math.ceil(n * args.epoch_scale))

    train_images = load(args.archive, "train_images.npy")
    val_images = load(args.archive, "test_images.npy")
    train_labels = load(args.archive, "train_labels.npy")
    val_labels = load(args.archive, "test_labels.npy")
    train_images = train_images / 255.0
    val_images = val_images / 255.0

    def create_nn():
        inputs = keras.Input(shape=train_images.shape[1:])
        x = keras.layers.Conv2D(50, (3, 3), activation='relu')(inputs)
        x = keras.layers.MaxPooling2D((2, 2))(x)
        x = keras.layers.Conv2D(50, (3, 3), activation='relu')(x)
        x = keras.layers.MaxPooling2D((2, 2))(x)
        x = keras.layers.Flatten()(x)
        x = keras.layers.Dense(50, activation='relu')(x)
        outputs = keras.layers.Dense(10)(x)
        return keras.Model(inputs=inputs, outputs=outputs, name="dollar_street_model")

    def create_dense_model():
        inputs = keras.Input(shape=train_images.shape[1:])
        x = keras.layers.Flatten()(inputs)
        x = keras.layers.Dense(50, activation='relu')(x)
        x = keras.layers.Dense(50, activation='relu')(x)
        outputs = keras.layers.Dense(10)(x)
        return keras.models.Model(inputs=inputs, outputs=outputs, name='dense_model')

    def create_nn_extra_layer():
        inputs = keras.Input(shape=train_images.shape[1:])
        x = keras.layers.Conv2D(50, (3, 3), activation='relu')(inputs)
        x = keras.layers.MaxPooling2D((2, 2))(x)
        x = keras.layers.Conv2D(50, (3, 3), activation='relu')(x)
        x = keras.layers.MaxPooling2D((2, 2))(x)
        x = keras.layers.Conv2D(50, (3, 3), activation='relu')(x)
        x = keras.layers.MaxPooling2D((2, 2))(x)
        x = keras.layers.Flatten()(x)
        x = keras.layers.Dense(50, activation='relu')(x)
        outputs = keras.layers.Dense(10)(x)
        return keras.Model(inputs=inputs, outputs=outputs, name="dollar_street_model")

    def create_nn_with_dropout():
        inputs = keras.Input(shape=train_images.shape[1:])
        x = keras.layers.Conv2D(50, (3, 3), activation='relu')(inputs)
        x = keras.layers.MaxPooling2D((2, 2))(x)
        x = keras.layers.Dropout(0.8)(x)
        x = keras.layers.Conv2D(50, (3, 3), activation='relu')(x)
        x = keras.layers.MaxPooling2D((2, 2))(x)
        x = keras.layers.Dropout(0.8)(x)
        x = keras.layers.Conv2D(50, (3, 3), activation='relu')(x)
        x = keras.layers.MaxPooling2D((2, 2))(x)
        x = keras.layers.Dropout(0.8)(x)
        x = keras.layers.Flatten()(x)
        x = keras.layers.Dense(50, activation='relu')(x)
        outputs = keras.layers.Dense(10)(x)
        return keras.Model(inputs=inputs, outputs=outputs, name="dropout_model")

    def create_nn_with_dropout_rate(dropout_rate):
        inputs = keras.Input(shape=train_images.shape[1:])
        x = keras.layers.Conv2D(50, (3, 3), activation='relu')(inputs)
        x = keras.layers.MaxPooling2D((2, 2))(x)
        x = keras.layers.Dropout(dropout_rate)(x)
        x = keras.layers.Conv2D(50, (3, 3), activation='relu')(x)
        x = keras.layers.MaxPooling2D((2, 2))(x)
        x = keras.layers.Dropout(dropout_rate)(x)
        x = keras.layers.Conv2D(50, (3, 3), activation='relu')(x)
        x = keras.layers.Dropout(dropout_rate)(x)
        x = keras.layers.Flatten()(x)
        x = keras.layers.Dense(50, activation='relu')(x)
        outputs = keras.layers.Dense(10)(x)
        return keras.Model(inputs=inputs, outputs=outputs, name="dropout_model")

    def create_nn_with_hp(dropout_rate, n_layers):
        inputs = keras.Input(shape=train_images.shape[1:])
        x = inputs
        for layer in range(n_layers):
            x = keras.layers.Conv2D(50, (3, 3), activation='relu')(x)
            x = keras.layers.MaxPooling2D((2, 2))(x)
        x = keras.layers.Dropout(dropout_rate)(x)
        x = keras.layers.Flatten()(x)
        x = keras.layers.Dense(50, activation='relu')(x)
        outputs = keras.layers.Dense(10)(x)
        return keras.Model(inputs=inputs, outputs=outputs, name="cifar_model")

    def compile_model(model):
        model.compile(optimizer='adam',
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=['accuracy'])

    def report(name, start, history=None):
        done = len(history.history["loss"]) if history else None
        print(json.dumps({"training": name, "epochs": done,
                          "seconds": time.perf_counter() - start}), file=sys.stderr, flush=True)

    def timed(name, build, n_epochs, **options):
        start = time.perf_counter()
        model = build()
        compile_model(model)
        history = model.fit(train_images, train_labels, epochs=n_epochs,
                            validation_data=(val_images, val_labels), **options)
        report(name, start, history)
        return model

    keras.utils.set_random_seed(2)
    timed("base", create_nn, epochs(10))
    timed("dense", create_dense_model, epochs(20))
    timed("extra_layer", create_nn_extra_layer, epochs(10))
    timed("dropout 0.8", create_nn_with_dropout, epochs(20))

    early_stopper = keras.callbacks.EarlyStopping(monitor='val_loss', patience=5)
    val_losses = []
    for dropout_rate in [0.2, 0.4, 0.6, 0.8, 0.9, 0.95]:
        model_dropout = timed(f"sweep {dropout_rate}",
                              lambda: create_nn_with_dropout_rate(dropout_rate), epochs(30),
                              callbacks=[early_stopper])
        val_loss, val_acc = model_dropout.evaluate(val_images, val_labels)
        val_losses.append(val_loss)

    import keras_tuner

    def build_model(hp):
        n_layers = hp.Int("n_layers", min_value=1, max_value=2, step=1)
        dropout_rate = hp.Float("dropout_rate", min_value=0.2, max_value=0.8, step=0.3)
        model = create_nn_with_hp(dropout_rate, n_layers)
        compile_model(model)
        return model

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        tuner = keras_tuner.GridSearch(build_model, objective='val_loss', directory=folder)
        tuner.search(train_images, train_labels, epochs=epochs(20),
                     validation_data=(val_images, val_labels))
        tuner.results_summary()
        scores = [trial.score for trial in tuner.oracle.trials.values()]
    assert len(scores) == 6 and None not in scores, f"trials failed: {scores}"
    print(json.dumps({"training": "grid search (6 trials)", "epochs": 6 * epochs(20),
                      "seconds": time.perf_counter() - start}), file=sys.stderr, flush=True)
    assert np.isfinite(train_images).all() and len(val_losses) == 6


if __name__ == "__main__":
    main()
