"""A report's result is its most severe problem's verdict; --json shows each problem as before."""

from __future__ import annotations

from itertools import permutations

from archiver.problem import INCOMPLETE, OK, TAMPERED, UNPROTECTED, Problem
from archiver.verify import BundleReport


def test_the_most_severe_verdict_wins_in_any_order() -> None:
    for order in permutations((UNPROTECTED, INCOMPLETE, TAMPERED)):
        report = BundleReport("b", "here")
        for verdict in order:
            report.add(Problem("k", "p", verdict.lower(), verdict))
        assert report.result == TAMPERED, order
    unprotected_last = BundleReport("b", "here")
    unprotected_last.add(Problem("custody", "custody", "no custody events", INCOMPLETE),
                         Problem("object-lock", "dom.html", "no legal hold (expected ON)", UNPROTECTED))
    assert unprotected_last.result == INCOMPLETE
    assert BundleReport("b", "here").result == OK


def test_json_shows_kind_path_and_detail() -> None:
    report = BundleReport("b", "here")
    report.problem("sha256", "dom.html", "sha256 sha256:aa != manifest sha256:bb")
    assert report.to_dict()["problems"] == [
        {"kind": "sha256", "path": "dom.html", "detail": "sha256 sha256:aa != manifest sha256:bb"}]
    assert report.line() == "TAMPERED  b  dom.html: sha256 sha256:aa != manifest sha256:bb"
