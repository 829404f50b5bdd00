"""The page's languages: the same strings in each, the visitor's language picked from their browser, answers in it."""

from __future__ import annotations

import string

import pytest
from PIL import Image, ImageDraw

from demo.i18n import ENGLISH, TABLES, best_language, say, visitor_language

ZH = "zh-CN"


def fields(text: str) -> set[str]:
    """The str.format fields a string fills in."""
    return {field.split(".")[0].split("[")[0].split("!")[0] for _, field, _, _ in string.Formatter().parse(text) if field}


def test_every_language_has_every_string_with_the_same_fields():
    english = TABLES[ENGLISH]
    for language, table in TABLES.items():
        assert set(table) == set(english), (language, set(table) ^ set(english))
        for key, text in table.items():
            assert fields(text) <= fields(english[key]), (language, key)  # never a value English does not give


# Strings the same in both languages: names, code, and shapes with nothing but fields in them.
THE_SAME = {"language", "source.mnist", "source_short.mnist", "optimizer.adamw", "arch.mlp", "gallery.grid",
            "warning", "model.title", "data.separator"}


def test_chinese_strings_are_chinese():
    """Every zh-CN string differs from its English one, but for names and code (THE_SAME)."""
    untranslated = [key for key, text in TABLES[ZH].items() if text == TABLES[ENGLISH][key] and key not in THE_SAME]
    assert not untranslated, untranslated


@pytest.mark.parametrize("header, language", [
    ("zh-CN,zh;q=0.9,en;q=0.8", ZH),
    ("en-US,en;q=0.9,zh-CN;q=0.8", ENGLISH),
    ("fr-FR,fr;q=0.9,zh;q=0.5", ZH),  # the first of ours, by quality
    ("zh-TW,zh-Hant;q=0.9", ENGLISH),  # Traditional Chinese readers: English, the switch offers 中文
    ("de-DE", ENGLISH),
    ("", ENGLISH),
    (None, ENGLISH),
    ("zh;q=abc, en;q=0.1", ZH),
])
def test_best_language_reads_accept_language(header, language):
    assert best_language(header) == language


def test_the_switch_wins_over_the_browser():
    class Request:
        headers = {"accept-language": "zh-CN"}

    assert visitor_language(None, Request()) == ZH
    assert visitor_language(ENGLISH, Request()) == ENGLISH
    assert visitor_language("klingon", Request()) == ZH  # an unknown choice counts as none


def test_special_forms():
    assert say(ENGLISH, "a_digit", variant=8, digit=8) == "an 8"
    assert say(ENGLISH, "a_digit", variant=7, digit=7) == "a 7"
    assert say(ZH, "wait.minutes", variant=3, minutes=3) == "大约 3 分钟"


def stroke_one() -> Image.Image:
    """A 512 px canvas with one upright stroke: a 1."""
    canvas = Image.new("RGBA", (512, 512))
    ImageDraw.Draw(canvas).line([(256, 60), (250, 460)], fill=(0, 0, 0, 255), width=32)
    return canvas


def test_the_answer_is_written_in_the_visitors_language():
    from demo.draw import classify_sketch
    from demo.models import DEFAULT_MODEL

    canvas = stroke_one()
    sketch = {"background": None, "layers": [canvas], "composite": canvas}
    _, english, _, _ = classify_sketch(sketch, DEFAULT_MODEL, ENGLISH)
    top, chinese, seen, _ = classify_sketch(sketch, DEFAULT_MODEL, ZH)
    assert english.startswith("### It's a **1** (") and "sure)" in english
    assert chinese.startswith("### 这是 **1**（") and "网络看到的是" in chinese and "gradient" not in chinese
    assert max(top, key=top.get) == "1" and 'alt="网络读取的' in seen


def test_the_gallery_status_is_written_in_the_visitors_language(mnist_dir):
    from demo.gallery import gallery_batch

    _, table, status, _ = gallery_batch(split="test", batch_size=8, language=ZH)
    assert status.startswith("MNIST，测试集，全部数字") and 'title="标签 ' in table


def reasons_raised() -> dict[str, set[str]]:
    """{reason: the values given with it} for every error raised with `reason=` in mnist_core/ and demo/."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    found: dict[str, set[str]] = {}
    for path in [*root.glob("mnist_core/**/*.py"), *root.glob("demo/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                keywords = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg}
                if isinstance(keywords.get("reason"), ast.Constant):
                    found.setdefault(keywords.pop("reason").value, set()).update(keywords)
    return found


def test_every_reason_the_core_raises_has_a_sentence_in_every_language():
    """Each `reason=` of an error has an "error.<reason>" string that fills in only the values it is given."""
    reasons = reasons_raised()
    assert {"not_an_image", "image_too_large", "mnist_unavailable", "collection_full"} <= set(reasons), reasons
    for reason, values in reasons.items():
        for language, table in TABLES.items():
            assert f"error.{reason}" in table, (language, reason)
            assert fields(table[f"error.{reason}"]) <= values, (language, reason, values)


def test_a_core_error_reaches_a_chinese_visitor_in_chinese(tmp_path):
    """A file that is not an image, and a model that does not exist: the visitor's sentence, no English in it."""
    from demo.draw import classify_upload
    from demo.models import load_classifier, public_message
    from mnist_core.errors import MnistCoreError

    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("not a picture")
    _, text, _, _ = classify_upload(str(not_an_image), "world", ZH)
    assert text == say(ZH, "warning", text=say(ZH, "error.not_an_image")), text
    with pytest.raises(MnistCoreError) as raised:
        load_classifier("no-such-model")
    chinese = public_message(raised.value, ZH)
    assert chinese.startswith("没有名为") and "checkpoint" not in chinese and "choose" not in chinese, chinese
    assert public_message(raised.value, ENGLISH).startswith("There is no model called")


def test_the_switch_turns_a_training_run_to_the_new_language():
    """A run in progress writes its next lines in the switch's language; with no run the status is left alone."""
    import gradio as gr

    from demo.training.run import Run
    from demo.training.session import TrainSession
    from demo.training.settings import SETTINGS, make_config
    from demo.training.tab import training_in_language

    session = TrainSession()
    assert isinstance(training_in_language(session, ZH), type(gr.skip()))
    session.run = Run(make_config(SETTINGS), ENGLISH)
    training_in_language(session, ZH)
    assert session.run.language == ZH
