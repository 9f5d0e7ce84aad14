"""The ingestion benchmark's arithmetic on repeated passes (`bench.runs`): how several passes
over the same pages become one table row, and a pass's ratio to the bare extraction timed
beside it. No timing is measured here."""

import pytest

from bench.pages import BenchPage
from bench.runs import Run, mean_of, paired_ratio


def _page(path: str, kind: str = "compact") -> BenchPage:
    return BenchPage(path=path, body=b"", content_type="text/html", language="bg", kind=kind)


def _run(seconds: dict[str, float], *, stage: float = 0.0, register: float = 0.0) -> Run:
    run = Run()
    for path, value in seconds.items():
        run.add(_page(path, "full" if path.startswith("/f") else "compact"), value, "stored")
    run.stages.seconds["decode"] = stage
    run.register_seconds = register
    return run


def test_mean_of_repeated_passes_averages_each_page_stage_and_registration() -> None:
    first = _run({"/c1": 0.010, "/f1": 0.040}, stage=0.004, register=0.002)
    second = _run({"/c1": 0.020, "/f1": 0.060}, stage=0.008, register=0.004)

    merged = mean_of([first, second])

    assert merged.seconds == pytest.approx({"/c1": 0.015, "/f1": 0.050})
    assert merged.kinds == {"/c1": "compact", "/f1": "full"}
    assert merged.total("full") == pytest.approx(0.050)
    # Per article, as one pass would report them: not the two passes' sum.
    assert merged.stage_ms("decode") == pytest.approx(1000 * 0.006 / 2)
    assert merged.register_ms() == pytest.approx(1000 * 0.003 / 2)
    assert dict(merged.outcomes) == {"stored": 2}


def test_mean_of_skips_a_page_missing_from_a_pass() -> None:
    # A page a later pass did not time (its link already registered) keeps the others' mean.
    merged = mean_of([_run({"/c1": 0.010, "/c2": 0.030}), _run({"/c1": 0.020})])

    assert merged.seconds == pytest.approx({"/c1": 0.015, "/c2": 0.030})


def test_paired_ratio_divides_a_pass_by_its_own_bare_extraction() -> None:
    pipeline = _run({"/c1": 0.030, "/f1": 0.060})
    beside = _run({"/c1": 0.010, "/f1": 0.050})

    assert paired_ratio(pipeline, beside) == pytest.approx(0.090 / 0.060)
    assert paired_ratio(pipeline, Run()) > 1e6  # nothing timed beside it: no division by zero
