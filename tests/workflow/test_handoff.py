"""`cnn-lesson handoff RESULTS LESSON` on the tiny runs of both editions and throw-away git
checkouts of the lesson (each edition's episode 4 from tests/lesson/, CC BY 4.0, with stand-in
PNGs): only the figure files and the episode's alt text change, every other byte kept; each
refusal named, nothing written; handoff.md quotes the claims that do not hold; handoff.html
shows every figure in a real browser."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cnn_lesson import episode, layout
from helpers import browser_dom

pytestmark = pytest.mark.workflow
LESSON = Path(__file__).resolve().parents[1] / "lesson"
EPISODE = "episodes/4-advanced-layer-types.md"
# A PNG of one pixel: the stand-in for each of the lesson's figures
STAND_IN = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                         "1f15c4890000000d4944415478da63f8cfc0f01f0005000201e5a9c63800"
                         "00000049454e44ae426082")


def git(folder, *args) -> str:
    return subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True,
                          text=True).stdout


def checkout(tmp_path, edition: str, change=lambda text: text, name="lesson") -> Path:
    """A git checkout of the lesson holding `edition`'s episode 4 (its text changed by
    `change`, before it is committed) and a stand-in for each figure it shows."""
    folder = tmp_path / name
    (folder / "episodes").mkdir(parents=True)
    text = change((LESSON / edition / "4-advanced-layer-types.md").read_bytes().decode())
    (folder / EPISODE).write_bytes(text.encode())
    for line in episode.figure_lines(text):
        figure = (folder / "episodes" / line.path).resolve()
        if figure.is_relative_to(folder.resolve()):
            figure.parent.mkdir(parents=True, exist_ok=True)
            figure.write_bytes(STAND_IN)
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "-c", "user.name=test", "-c", "user.email=test@example.org", "commit", "-qm",
        "the lesson")
    return folder


def handoff(*args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cnn_lesson.cli", "handoff", *map(str, args)],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def computed(results: Path) -> dict[str, str]:
    """The alt text the run computed for each figure (figures.md)."""
    return {line.name: line.alt for line in
            episode.figure_lines((results / layout.FIGURES_MARKDOWN).read_text())}


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


LOSS_1 = ("(../fig/04_training_history_loss_1.png){alt='Plot of training loss and validation "
          "loss vs epochs for the trained model'}")
SAMPLE = re.compile(r'\(\.\./fig/04_cifar10\.png\)\{alt="[^"]*"\}')


def quirks(text: str) -> str:
    """The episode with two quirks to mend: a malformed `{alt: "..."}` (as the episode's own
    line of 04_training_history_loss_2 has it), and single quotes around an alt text that the
    run's words (with their 'frog') would end early."""
    assert LOSS_1 in text and SAMPLE.search(text)
    text = text.replace(LOSS_1, LOSS_1.replace("{alt='", '{alt: "').replace("'}", '"}'))
    return SAMPLE.sub("(../fig/04_cifar10.png){alt='A grid of sample images'}", text)


@pytest.mark.parametrize("endings", ["LF", "CRLF"])
def test_only_the_figures_and_their_alt_text_change(dollar_street, tmp_path, endings):
    lesson = checkout(tmp_path, "cifar10", lambda text: crlf(quirks(text))
                      if endings == "CRLF" else quirks(text))
    before = (lesson / EPISODE).read_bytes()
    done = handoff(dollar_street, lesson, "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    changed = set(git(lesson, "diff", "--name-only").split())
    alts = computed(dollar_street / "results")
    made = {name for name in alts if name not in ("04_conv_matrix", "04_conv_image")}
    assert changed == {EPISODE, *(f"fig/{name}.png" for name in made)}
    for name in made:
        assert (lesson / f"fig/{name}.png").read_bytes() == \
            (dollar_street / "results/lesson/fig" / f"{name}.png").read_bytes()
    after = (lesson / EPISODE).read_bytes()
    old_lines, new_lines = episode.lines(before.decode()), episode.lines(after.decode())
    assert len(old_lines) == len(new_lines)
    shown = {line.number: line for line in episode.figure_lines(after.decode())}
    for number, (old, new) in enumerate(zip(old_lines, new_lines), start=1):
        if old != new:  # a figure line of a figure the run made: its alt text alone
            line = shown[number]
            assert line.name in made and line.alt == alts[line.name], line
            assert old.endswith("\r\n") == new.endswith("\r\n") == (endings == "CRLF")
    assert "repaired to `{alt=...}`" in done.stdout  # the malformed attribute


def test_the_dollar_street_episode_gets_its_own_figures(dollar_street, tmp_path):
    lesson = checkout(tmp_path, "dollar_street_10")
    done = handoff(dollar_street, lesson, "--out", tmp_path / "out", "--with-drawings",
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    changed = set(git(lesson, "diff", "--name-only").split())
    assert "episodes/fig/04_dollar_street_10.png" in changed
    assert "episodes/fig/04_vary_dropout_rate.png" in changed
    assert "episodes/fig/04_conv_matrix.png" in changed  # --with-drawings
    assert not any("neural_network_sketch" in path for path in changed)
    assert changed <= {EPISODE} | {f"episodes/fig/{path.name}" for path in
                                   (dollar_street / "results/dollar-street-10/lesson/fig")
                                   .glob("*.png")}
    report = (tmp_path / "out" / "handoff.md").read_text()
    assert "Dollar Street 10 edition (deep-learning-intro at ebbde111)" in report
    assert "config/dollar_street_10_claims.yaml" in report  # one seed: how to train three


def test_handoff_md_quotes_the_claims_that_do_not_hold(dollar_street, tmp_path):
    lesson = checkout(tmp_path, "cifar10")
    handoff(dollar_street, lesson, "--out", tmp_path / "out", cwd=tmp_path)
    report = (tmp_path / "out" / "handoff.md").read_text()
    claims = (dollar_street / "results/lesson/claims.tsv").read_text().splitlines()
    failing = [line.split("\t") for line in claims[1:] if "\tdoes not hold\t" in line]
    assert failing
    for claim in failing:
        assert f'- **does not hold** ({claim[1]}): "{claim[2]}" — measured: {claim[3]}' in report
    assert "seeds 1" in report and "config/lesson_claims.yaml" in report
    assert "- old alt text: Plot of training accuracy and validation accuracy vs epochs" in report


def test_handoff_html_shows_every_figure_in_a_real_browser(dollar_street, tmp_path):
    lesson = checkout(tmp_path, "cifar10")
    handoff(dollar_street, lesson, "--out", tmp_path / "out", cwd=tmp_path)
    page = tmp_path / "out" / "handoff.html"
    dom = browser_dom(page.as_uri(), tmp_path / "profile").stdout
    images = re.findall(r"<img [^>]*>", dom)
    assert len(images) == len(re.findall(r"<img ", page.read_text())) > 0
    assert all('data-loaded="yes"' in image for image in images), images
    assert 'data-loaded="no"' not in dom


def refused(tmp_path, *args, cwd=None) -> str:
    done = handoff(*args, cwd=cwd or tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    return done.stderr


def state(lesson: Path) -> tuple[str, dict]:
    return git(lesson, "status", "--porcelain"), {
        path: path.read_bytes() for path in lesson.rglob("*") if path.is_file()
        and ".git" not in path.parts}


def test_uncommitted_changes_to_a_file_it_would_write_are_refused(dollar_street, tmp_path):
    lesson = checkout(tmp_path, "cifar10")
    (lesson / "fig/04_cifar10.png").write_bytes(b"my new drawing")
    before = state(lesson)
    said = refused(tmp_path, dollar_street, lesson, "--out", tmp_path / "out")
    assert "has uncommitted changes to fig/04_cifar10.png" in said
    assert state(lesson) == before and not (tmp_path / "out").exists()


@pytest.mark.parametrize("case", ["no checkout", "no episode", "episode not UTF-8",
                                  "other edition", "out in lesson", "out in results"])
def test_what_is_not_a_handoff_is_refused_before_anything_is_written(finished, tmp_path, case):
    lesson = checkout(tmp_path, "dollar_street_10" if case == "other edition" else "cifar10")
    out = tmp_path / "out"
    before_latin = (lesson / EPISODE).stat().st_size  # where a Latin-1 byte would be added
    if case == "no checkout":
        shutil.rmtree(lesson / ".git")
    elif case == "no episode":
        git(lesson, "mv", EPISODE, "episodes/5-transfer-learning.md")
        git(lesson, "-c", "user.name=t", "-c", "user.email=t@e.org", "commit", "-qm", "moved")
    elif case == "episode not UTF-8":
        with open(lesson / EPISODE, "ab") as text:
            text.write("été\n".encode("latin-1"))
        git(lesson, "-c", "user.name=t", "-c", "user.email=t@e.org", "commit", "-qam", "latin-1")
    elif case == "out in lesson":
        out = lesson / "review"
    elif case == "out in results":
        out = finished / "results" / "handoff"
    before = state(lesson) if (lesson / ".git").exists() else None
    said = refused(tmp_path, finished, lesson, "--out", out)
    expected = {"no checkout": "is not the top of a git checkout",
                "no episode": "holds no episode 4",
                "episode not UTF-8": f"{EPISODE} is not UTF-8 text (invalid continuation byte "
                                     f"at byte {before_latin}): the lesson keeps its episodes "
                                     f"in UTF-8: save it as UTF-8, commit that",
                "other edition": "holds a run of the CIFAR-10 edition, and the episode teaches "
                                 "the Dollar Street 10 edition",
                "out in lesson": "is inside LESSON", "out in results": "is inside RESULTS"}
    assert expected[case] in said
    assert not out.exists()
    if before is not None:
        assert state(lesson) == before


@pytest.mark.parametrize("path", ["../../04_cifar10.png", "absolute", "symlink"])
def test_a_figure_line_leading_outside_the_checkout_is_refused(finished, tmp_path, path):
    """An episode is text from elsewhere: a figure line may name any path. Past the checkout's
    top, absolute, or through a symbolic link that points out: refused, nothing written."""
    outside = tmp_path / "outside"
    outside.mkdir()
    named = {"absolute": str(outside / "04_cifar10.png"), "symlink": "../fig/04_cifar10.png"}

    def change(text):
        return text.replace("../fig/04_cifar10.png", named.get(path, path))

    lesson = checkout(tmp_path, "cifar10", change)
    if path == "symlink":
        shutil.rmtree(lesson / "fig")
        (lesson / "fig").symlink_to(outside)
        git(lesson, "add", "-A")
        git(lesson, "-c", "user.name=t", "-c", "user.email=t@e.org", "commit", "-qm", "link")
    said = refused(tmp_path, finished, lesson, "--out", tmp_path / "out")
    assert f"{lesson / EPISODE}, line 59: the figure " in said and "nothing was written" in said
    assert list(outside.iterdir()) == [] and not (tmp_path / "out").exists()


def test_what_is_left_alone_is_said(dollar_street, tmp_path):
    """A figure the run lacks stays, named; a figure the run made that the episode no longer
    shows is named, not copied; an older checkout's R Markdown episode is found."""
    def change(text):
        return "\n".join(line for line in text.split("\n")
                         if "04_training_history_loss_3.png" not in line)

    lesson = checkout(tmp_path, "cifar10", change)
    git(lesson, "mv", EPISODE, EPISODE.replace(".md", ".Rmd"))
    git(lesson, "-c", "user.name=t", "-c", "user.email=t@e.org", "commit", "-qm", "Rmd")
    done = handoff(dollar_street, lesson, "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = (tmp_path / "out" / "handoff.md").read_text()
    for said in ("the run lacks 04_training_history_2: the lesson's figure and its alt text stay",
                 "the run made 04_training_history_loss_3, which the episode no longer shows: "
                 "not copied"):
        assert said in report and said in done.stdout
    assert not (lesson / "fig/04_training_history_loss_3.png").exists()
    assert "episodes/4-advanced-layer-types.Rmd" in git(lesson, "diff", "--name-only")
    assert (lesson / "fig/04_training_history_2.png").read_bytes() == STAND_IN


def test_the_readmes_command_from_the_runs_own_folder(dollar_street, tmp_path):
    """README, Updating the lesson: `cnn-lesson handoff . ../deep-learning-intro --out
    ../handoff`, from the run's folder; without --out, the default folder would be inside the
    run, and is refused saying so."""
    lesson = checkout(tmp_path, "cifar10")
    said = refused(tmp_path, ".", lesson, cwd=dollar_street)
    assert "is inside RESULTS" in said and "Give --out a folder of its own" in said
    assert not (dollar_street / "results" / "handoff").exists()
    done = handoff(".", lesson, "--out", tmp_path / "handoff", cwd=dollar_street)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "handoff" / "handoff.md").is_file()
