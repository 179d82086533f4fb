"""Training and evaluation on a handful of generated images: seeded, logged, saved, loadable."""

import json
import logging
import shutil

import keras
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_lesson import backend, data, evaluation, training
from cnn_lesson.archive import TarArchive
from cnn_lesson.errors import InputError
from cnn_lesson.settings import Training
from cnn_lesson.layout import training_folder

CIFAR10 = TarArchive("cifar-10-python.tar.gz")


def fit(model, dropout, dataset, threads=1, checkpoint=None, steps_per_execution=None,
        **settings):
    """A training at the lesson's batch size on one thread, unless `settings` say otherwise."""
    folder = training_folder(model, dropout, settings.get("seed", 0))
    chosen = Training(model, dropout, **{"batch_size": 32, "folder": folder, **settings})
    options = {"steps_per_execution": steps_per_execution} if steps_per_execution else {}
    return training.fit(chosen, dataset, threads=threads, checkpoint=checkpoint, **options)


def evaluate(model_path, dataset):
    return evaluation.by_running(model_path, dataset, threads=1, batch_size=32)


@pytest.fixture(scope="module")
def small_data(tiny_archive):
    return data.prepare(CIFAR10, tiny_archive.path, None, 64)


def test_fit_gives_one_history_row_per_epoch_and_logs_each(small_data, caplog):
    caplog.set_level(logging.INFO, logger="cnn_lesson")
    history = fit("base", 0.0, small_data, epochs=2, seed=1).history
    assert list(history.index) == [1, 2] and history.index.name == "epoch"
    assert set(history.columns) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    epoch_lines = [r.message for r in caplog.records if r.name == "cnn_lesson.progress"]
    assert len(epoch_lines) == 2
    assert epoch_lines[1].startswith("train base/dropout-0.00/seed-1  epoch 2/2  loss ")
    assert " val_loss " in epoch_lines[0] and epoch_lines[0].endswith(" s")


def test_same_seed_same_numbers_other_seed_other_numbers(small_data):
    def history(seed):
        return fit("extra_layer", 0.5, small_data, epochs=1, seed=seed).history

    first = history(3)
    assert first.equals(history(3))
    assert not first.equals(history(4))


def test_saved_model_loads_and_evaluates_as_in_training(small_data, tmp_path):
    trained = fit("small", 0.0, small_data, epochs=1, seed=1)
    history, path = trained.history, tmp_path / "model.keras"
    trained.model.save(path)
    assert "Total params: 415,960" in trained.summary
    assert isinstance(keras.models.load_model(path), keras.Model)
    metrics = evaluate(path, small_data)
    assert metrics["test_loss"] == pytest.approx(history["val_loss"].iloc[-1], rel=1e-5)
    assert metrics["test_accuracy"] == pytest.approx(history["val_accuracy"].iloc[-1])
    assert metrics["steps"] == 4 and metrics["parameters"] == 415_960
    json.dumps(metrics)


def test_metrics_from_the_history_are_those_of_evaluate(small_data, tmp_path):
    trained = fit("extra_layer", 0.5, small_data, epochs=2, seed=4)
    model, history, npz = tmp_path / "model.keras", tmp_path / "history.tsv", tmp_path / "d.npz"
    trained.model.save(model)
    trained.history.to_csv(history, sep="\t")
    data.save(small_data, npz)
    from_history = evaluation.from_history(history, model, npz, batch_size=32)
    assert from_history == evaluate(model, small_data)
    assert from_history["parameters"] == trained.model.count_params()


def test_the_history_holds_test_metrics_only_with_the_lessons_validation():
    assert evaluation.history_holds_test_metrics(0, None, 32) and evaluation.history_holds_test_metrics(0, 32, 32)
    assert not evaluation.history_holds_test_metrics(0.1, None, 32)
    assert not evaluation.history_holds_test_metrics(0, 1000, 32)


@pytest.mark.parametrize("content", [b"not a zip", b""])
def test_an_unreadable_model_is_named_when_metrics_come_from_the_history(tmp_path, content):
    path = tmp_path / "model.keras"
    path.write_bytes(content)
    with pytest.raises(InputError, match=f"{path}: cannot be loaded as a Keras model"):
        evaluation.parameter_count(path)


def test_the_lean_pipeline_gives_the_numbers_of_keras_own(small_data):
    """Batches feeds the same batches in the same order as fit(x, y, batch_size)."""
    def weights_after(feed):
        backend.configure(1, seed=6)
        model = training.build_model("base", 0.0, input_shape=small_data.x_train.shape[1:])
        training.compile_model(model)
        order = np.random.default_rng(0).permutation(len(small_data.x_train))
        validation = backend.Batches(small_data.x_test, small_data.y_test, 32).validation()
        history = model.fit(**feed(order), epochs=2, shuffle=False, verbose=0, **validation)
        return history.history, model.get_weights()

    lean = backend.Batches(small_data.x_train, small_data.y_train, 16)
    assert lean.tensors is not None  # the tests run on TensorFlow
    mine, keras_own = weights_after(lean.arguments), weights_after(lambda order: {
        "x": small_data.x_train[order], "y": small_data.y_train[order], "batch_size": 16})
    assert mine[0] == keras_own[0]
    assert all(np.array_equal(a, b) for a, b in zip(mine[1], keras_own[1], strict=True))


def test_evaluate_line_has_the_lesson_format():
    line = evaluation.evaluate_line({"steps": 313, "test_loss": 1.46834, "test_accuracy": 0.53071})
    assert line == "313/313 - loss: 1.4683 - accuracy: 0.5307"


def test_an_unreadable_model_is_named_when_the_model_is_run(tmp_path, small_data):
    path = tmp_path / "model.keras"
    path.write_bytes(b"not a zip")
    with pytest.raises(InputError, match=f"{path}: cannot be loaded as a Keras model"):
        evaluate(path, small_data)


def test_validation_split_holds_out_the_last_training_images(small_data):
    x_train, y_train, x_val, y_val = training.validation_data(small_data, 0.25)
    assert len(x_train) == 48 and len(x_val) == 16
    np.testing.assert_array_equal(x_val, small_data.x_train[48:])
    lesson_way = training.validation_data(small_data, 0)
    assert lesson_way[2] is small_data.x_test


def test_a_split_that_leaves_nothing_names_the_key(small_data):
    with pytest.raises(InputError, match="training.validation_split: 0.999"):
        training.validation_data(small_data, 0.999)


def test_a_larger_validation_batch_gives_the_same_numbers_up_to_rounding(small_data):
    default = fit("base", 0.0, small_data, epochs=1, seed=2).history
    larger = fit("base", 0.0, small_data, epochs=1, seed=2,
                          validation_batch_size=100).history
    assert larger["loss"].equals(default["loss"])
    assert larger["val_loss"].iloc[0] == pytest.approx(default["val_loss"].iloc[0], rel=1e-5)


def test_steps_per_execution_changes_no_number(small_data):
    one = fit("extra_layer", 0.3, small_data, epochs=1, seed=5,
                       steps_per_execution=1)
    many = fit("extra_layer", 0.3, small_data, epochs=1, seed=5,
                        steps_per_execution=8)
    assert one.history.equals(many.history)
    assert all(np.array_equal(a, b) for a, b in
               zip(one.model.get_weights(), many.model.get_weights(), strict=True))


@pytest.fixture(scope="module")
def first_epoch(small_data, tmp_path_factory):
    """The checkpoint a training of one epoch leaves, and the history of a fresh training of
    two; each test that changes the checkpoint changes a copy."""
    folder = tmp_path_factory.mktemp("first_epoch")
    fit("base", 0.0, small_data, epochs=1, seed=1, checkpoint=folder)
    return folder, fit("base", 0.0, small_data, epochs=2, seed=1).history


def copy_of(first_epoch, tmp_path):
    copy = tmp_path / "checkpoint"
    shutil.copytree(first_epoch[0], copy)
    return copy


def test_a_checkpoint_of_other_settings_is_not_resumed(small_data, first_epoch, tmp_path,
                                                       caplog):
    caplog.set_level(logging.INFO, logger="cnn_lesson")
    fit("base", 0.0, small_data, epochs=2, seed=1, checkpoint=copy_of(first_epoch, tmp_path),
        validation_batch_size=50)
    assert "is of another training; starting over" in caplog.text
    assert "resuming" not in caplog.text


@pytest.mark.parametrize("state", ["[1, 2, 3]", '"text"', "{}", '{"epoch": 1}', "not json", ""])
def test_an_unreadable_checkpoint_starts_over_naming_its_folder(small_data, tmp_path, caplog,
                                                                state):
    caplog.set_level(logging.INFO, logger="cnn_lesson")
    (tmp_path / "state.json").write_text(state)
    history = fit("base", 0.0, small_data, epochs=1, seed=1,
                           checkpoint=tmp_path).history
    assert len(history) == 1
    assert f"checkpoint in {tmp_path} is unreadable" in caplog.text
    assert "starting over" in caplog.text


@pytest.mark.parametrize("change", ["one array short", "an earlier version's .keras",
                                    "a pickled object"])
def test_a_checkpoint_that_does_not_fit_the_model_starts_over_from_scratch(small_data, first_epoch,
                                                                           tmp_path, caplog,
                                                                           change):
    """Arrays that do not all fit the model and its optimizer set none of them: the training
    starts over and gives a fresh training's numbers."""
    caplog.set_level(logging.INFO, logger="cnn_lesson")
    checkpoint = copy_of(first_epoch, tmp_path)
    saved = checkpoint / "epoch-1.npz"
    if change == "one array short":
        with np.load(saved) as stored:
            arrays = [stored[name] for name in stored.files]
        np.savez(saved, *arrays[:-1])
    elif change == "a pickled object":  # never unpickled: np.load refuses it
        np.savez(saved, np.array([print], dtype=object))
    else:
        saved.rename(checkpoint / "epoch-1.keras")
    again = fit("base", 0.0, small_data, epochs=2, seed=1, checkpoint=checkpoint).history
    assert f"checkpoint in {checkpoint} is unreadable" in caplog.text
    assert "resuming" not in caplog.text
    pd.testing.assert_frame_equal(again, first_epoch[1])


# ------------------------------------------------------------------ early stopping (the sweep)

def keras_stops(losses: list[float], patience: int) -> int:
    """After how many epochs Keras' own EarlyStopping(monitor='val_loss', patience) stops a
    training whose validation losses are `losses` (all of them where it never stops)."""
    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience)
    stopper.set_model(keras.Sequential())
    stopper.on_train_begin()
    for epoch, loss in enumerate(losses):
        stopper.model.stop_training = False
        stopper.on_epoch_end(epoch, {"val_loss": loss})
        if stopper.model.stop_training:
            return epoch + 1
    return len(losses)


def our_stop(losses: list[float], patience: int) -> int:
    for end in range(1, len(losses) + 1):
        if training.stops_early(pd.DataFrame({"val_loss": losses[:end]}), patience):
            return end
    return len(losses)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([2.0, 2.1, 2.2, 2.3, 2.05]), min_size=1, max_size=30),
       st.integers(1, 6))
def test_early_stopping_stops_where_keras_own_callback_does(losses, patience):
    """Ties, plateaus and rises alike: the epoch after which a sweep's training stops is the
    one Keras' EarlyStopping stops at, read from the history alone."""
    assert our_stop(losses, patience) == keras_stops(losses, patience)


def test_a_sweep_training_stops_early_and_a_resumed_one_stops_at_the_same_epoch(
        small_data, tmp_path):
    """patience 1 on losses that rise after their lowest: the training stops before its
    epochs; killed after its first epoch and resumed, it ends at the same epoch with the same
    numbers, its early-stopping state restored from the checkpoint's history."""
    whole = fit("extra_layer", 0.5, small_data, epochs=12, seed=2, patience=1).history
    assert len(whole) < 12
    assert training.stops_early(whole, 1) and not training.stops_early(whole.iloc[:-1], 1)
    checkpoint = tmp_path / "checkpoint"
    fit("extra_layer", 0.5, small_data, epochs=1, seed=2, patience=1, checkpoint=checkpoint)
    resumed = fit("extra_layer", 0.5, small_data, epochs=12, seed=2, patience=1,
                  checkpoint=checkpoint).history
    pd.testing.assert_frame_equal(resumed, whole)
