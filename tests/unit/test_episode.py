"""An episode's figure lines, read and their alt text replaced (cnn_lesson.episode): whatever the
new text holds, the attribute still parses to it, the rest of the line and every other line
stay byte for byte, line endings included."""

import string

from hypothesis import given
from hypothesis import strategies as st

from cnn_lesson import episode

TEXTS = st.text(string.ascii_letters + string.digits + " .,;:()-'\"\\é", min_size=1,
                max_size=40)
LINES = st.sampled_from([
    "![](../fig/a.png){alt='old text'}",
    '![caption](fig/a.png){alt="old text" style=\'width:90%\'}',
    "![](../fig/a.png){alt: \"old text\"}",
    "![caption, with 'quotes'](fig/a.png)",
    "before ![](fig/a.png){style='width:100%' alt='old'} after",
])


@given(line=LINES, alt=TEXTS, ending=st.sampled_from(["\n", "\r\n", ""]))
def test_a_new_alt_text_parses_back_and_nothing_else_of_the_line_changes(line, alt, ending):
    path = episode.FIGURE.search(line).group("path")
    new, repair = episode.with_alt(line + ending, path, alt)
    assert new.endswith(ending) and (ending or not new.endswith("\n"))
    [found] = episode.figure_lines(new)
    assert found.alt == alt and found.path == path
    old = episode.FIGURE.search(line)
    assert new.startswith(line[:old.start("path")])  # the caption and path as they were
    assert ("style='width" in new) == ("style='width" in line)
    assert (repair is not None) == ("{alt:" in line)


@given(before=st.lists(st.sampled_from(["text\n", "\r\n", "```python\r\n", "x = 1\n", "\n"]),
                       max_size=5), alt=TEXTS)
def test_every_other_line_of_an_episode_stays_byte_for_byte(before, alt):
    text = "".join(before) + "![](fig/a.png){alt='old'}\r\n" + "".join(reversed(before))
    number = len(before) + 1
    new, _ = episode.rewrite(text, {(number, "fig/a.png"): alt})
    old_lines, new_lines = episode.lines(text), episode.lines(new)
    assert "".join(old_lines) == text
    assert [line for i, line in enumerate(new_lines, 1) if i != number] == \
        [line for i, line in enumerate(old_lines, 1) if i != number]
    assert new_lines[number - 1].endswith("\r\n")


def test_the_figure_lines_of_both_editions_episodes_are_found():
    from pathlib import Path

    lesson = Path(__file__).resolve().parents[1] / "lesson"
    cifar = episode.figure_lines((lesson / "cifar10/4-advanced-layer-types.md").read_text())
    assert [line.name for line in cifar][:3] == ["04_cifar10", "04_conv_matrix", "04_conv_image"]
    assert all(line.path.startswith("../fig/") for line in cifar)
    [malformed] = [line for line in cifar if line.name == "04_training_history_loss_2"]
    assert malformed.alt.startswith("Plot of training loss")  # read though written `alt:`
    street = episode.figure_lines(
        (lesson / "dollar_street_10/4-advanced-layer-types.md").read_text())
    assert all(line.path.startswith("fig/") for line in street) and len(street) == 10
