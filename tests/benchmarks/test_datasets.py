"""The dataset loaders on tiny files in each dataset's format."""

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.datasets import article_id, banking77, clinc150, read_conll, xsid
from benchmarks.quality import (
    Outcome,
    best_threshold_in_hindsight,
    best_validation_threshold,
    helpcenter_rows,
    offered_choices,
    operating_point,
    top1,
)
from knowledge_base.decision import Thresholds
from knowledge_base.kb import KnowledgeBase

pytestmark = pytest.mark.unit


@pytest.fixture
def data(tmp_path: Path) -> Path:
    (tmp_path / "banking77").mkdir()
    (tmp_path / "banking77" / "train.csv").write_text(
        "text,category\nwhere is my card?,card_arrival\ncard not here,card_arrival\nrate?,exchange_rate\n"
    )
    (tmp_path / "banking77" / "test.csv").write_text("text,category\nmy card has not come,card_arrival\n")
    (tmp_path / "clinc150").mkdir()
    raw = {
        "train": [["translate hi", "translate"], ["weather today", "weather"]],
        "val": [["say hi in french", "translate"]],
        "test": [["rain tomorrow?", "weather"]],
        "oos_train": [["x", "oos"]],
        "oos_val": [["buy a boat", "oos"]],
        "oos_test": [["fly a kite", "oos"]],
    }
    (tmp_path / "clinc150" / "data_full.json").write_text(json.dumps(raw))
    (tmp_path / "xsid").mkdir()
    block = "# id = {n}\n# text-en = {en}\n# text = {tr}\n# intent = {intent}\n1\tx\t{intent}\tO\n\n"
    (tmp_path / "xsid" / "tr.valid.conll").write_text(
        block.format(n=1, en="show alarms", tr="alarmları göster", intent="alarm/show_alarms")
        + block.format(n=2, en="is it cold", tr="hava soğuk mu", intent="weather/find")
    )
    (tmp_path / "xsid" / "tr.test.conll").write_text(
        block.format(n=1, en="list alarms", tr="alarmları listele", intent="alarm/show_alarms")
    )
    return tmp_path


def test_article_ids_are_valid_slugs() -> None:
    assert article_id("alarm/show_alarms") == "alarm-show-alarms"
    assert article_id("card_arrival") == "card-arrival"


def test_banking77_one_article_per_category(data: Path) -> None:
    bench = banking77(data)
    assert [a.id for a in bench.articles] == ["card-arrival", "exchange-rate"]
    assert bench.articles[0].questions == ("where is my card?", "card not here")
    assert bench.test == [("my card has not come", "card-arrival")]


def test_clinc150_marks_out_of_scope_with_none(data: Path) -> None:
    bench = clinc150(data)
    assert bench.test == [("rain tomorrow?", "weather"), ("fly a kite", None)]
    assert bench.validation == [("say hi in french", "translate"), ("buy a boat", None)]


def test_xsid_reads_the_turkish_text(data: Path) -> None:
    assert read_conll(data / "xsid" / "tr.test.conll") == [("alarmları listele", "alarm/show_alarms")]
    bench = xsid("tr", data)
    assert bench.articles[0].language == "tr" and bench.articles[0].questions == ("alarmları göster",)


def out(expect: str | None, top: str, score: float, decision: str, options: tuple[str, ...] = ()) -> Outcome:
    return Outcome(expect, top, score, decision, list(options), decision != "handoff" and not options)


def test_measures() -> None:
    outcomes = [
        out("a", "a", 0.9, "answer"),
        out("b", "a", 0.6, "answer"),
        out(None, "a", 0.5, "handoff"),
        out(None, "b", 0.8, "answer"),
    ]
    assert top1(outcomes) == 0.5  # out-of-scope questions do not count
    assert operating_point(outcomes, lambda o: o.decision != "handoff") == (0.5, 0.5)
    assert best_validation_threshold(outcomes) == 0.9


def test_best_threshold_in_hindsight_keeps_within_both_limits() -> None:
    right = [out(f"a{i}", f"a{i}", 0.5 + i / 100, "handoff") for i in range(40)]
    wrong = [out("b", "c", 0.7, "handoff")]  # one wrong answer in 50 questions is 2%
    uncovered = [out(None, "a", 0.3 + i / 100, "handoff") for i in range(9)]
    # the uncovered questions all score below 0.4, so the cut goes down to the lowest right answer
    assert best_threshold_in_hindsight(right + wrong + uncovered, max_wrong=0.02) == (0.5, 40 / 41)
    # with no room for a wrong answer, the cut rises above the wrong one at 0.7
    assert best_threshold_in_hindsight(right + wrong + uncovered, max_wrong=0.0) == (0.71, 19 / 41)
    # when even the highest cut answers too many uncovered questions, there is none
    assert best_threshold_in_hindsight([out("a", "a", 0.9, "answer"), out(None, "a", 0.95, "answer")]) is None


def test_choices_offered_below_the_answer_threshold_are_counted_apart() -> None:
    outcomes = [
        out("a", "a", 0.9, "answer"),
        out("b", "b", 0.55, "clarify", ("b", "c")),  # below the answer threshold, right among the choices
        out("d", "c", 0.52, "clarify", ("c", "e")),  # the right one is not offered
        out(None, "a", 0.53, "clarify", ("a", "b")),
        out(None, "a", 0.2, "handoff"),
    ]
    row = offered_choices(outcomes, "set", Thresholds(answer=0.6, margin=0.02, suggest=0.5))
    assert row["value"] == "2 of 3, 1 right / 1 of 2"
    # neither counts as accepted at the operating point
    assert operating_point(outcomes, lambda o: o.confident) == (1 / 3, 1.0)


def test_an_unknown_dataset_name_is_an_error_not_an_empty_table(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from benchmarks.quality import main

    monkeypatch.setattr("sys.argv", ["quality", "--only", "xsid"])
    with pytest.raises(SystemExit) as raised:
        main()
    assert raised.value.code == 2
    assert "invalid choice: 'xsid'" in capsys.readouterr().err


def test_help_center_rows_count_the_answerable_questions_handed_off(kb: KnowledgeBase) -> None:
    kb.fix_thresholds({None: Thresholds(answer=2.0, margin=0.01)})  # nothing reaches 2.0: every question is handed off
    questions: list[dict[str, Any]] = [
        {"q": "Kargo ücreti ne kadar?", "expect": "kargo-ucreti", "lang": "tr"},
        {"q": "İade süresi ne kadar?", "expect": "iade-suresi", "lang": "tr"},
        {"q": "Bugün hava nasıl?", "expect": None, "lang": "tr"},
        {"q": "I forgot my password", "expect": "password-reset", "lang": "en"},
        {"q": "What is the weather like?", "expect": None, "lang": "en"},
    ]
    rows = {str(row["dataset"]): str(row["value"]) for row in helpcenter_rows(kb, questions, "test")}
    handed_off = {name: value for name, value in rows.items() if name.endswith("answerable questions handed off")}
    # The example questions themselves: their article is first; the uncovered question is not counted.
    assert sorted(handed_off.values()) == ["1 / 1 / 1", "2 / 2 / 2"]
