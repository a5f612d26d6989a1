"""What a check finds wrong, for every check: bundle, custody log, ledger, store, WACZ package.

A report's result is the most severe verdict among its problems, so each check says at the
source how much a finding weighs, and no caller has to re-grade it.
"""

from __future__ import annotations

from dataclasses import dataclass

OK = "OK"
# Every byte is the evidence, but the store does not protect it as asked (Object Lock, checksums).
UNPROTECTED = "UNPROTECTED"
# A step is missing (an interrupted capture or write, a ledger not at hand); nothing shows a change.
INCOMPLETE = "INCOMPLETE"
# Only a change to the stored evidence explains it.
TAMPERED = "TAMPERED"
SEVERITY = (OK, UNPROTECTED, INCOMPLETE, TAMPERED)  # least severe first


@dataclass(frozen=True)
class Problem:
    kind: str  # the check that found it: "sha256", "custody", "ledger"... (verify.CHECKS groups them)
    path: str  # what it is about: a file of the bundle, a bundle id, the ledger, a store location
    detail: str  # what is wrong, one line for a person
    verdict: str = TAMPERED

    def to_dict(self) -> dict[str, str]:
        """As ``--json`` shows it; the verdict shows as the report's result."""
        return {"kind": self.kind, "path": self.path, "detail": self.detail}

    def line(self) -> str:
        return f"{self.path}: {self.detail}"


def worse(result: str, verdict: str) -> str:
    """The more severe of a report's result so far and a new problem's verdict."""
    return max(result, verdict, key=SEVERITY.index)


class Findings:
    """What a report of checks keeps: its problems, and the most severe verdict among them."""

    problems: list[Problem]
    result: str

    def problem(self, kind: str, path: str, detail: str, verdict: str = TAMPERED) -> None:
        self.add(Problem(kind, path, detail, verdict))

    def add(self, *problems: Problem) -> None:
        for problem in problems:
            self.problems.append(problem)
            self.result = worse(self.result, problem.verdict)
