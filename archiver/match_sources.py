"""What a query is matched against: the store's index and the latest version of each of its
banks, read once and asked as often as needed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archiver.bank import Bank, all_banks, banks_folder
from archiver.bank_table import bank_table
from archiver.match_index import MatchIndex, index_folder
from archiver.matcher import Match, Query, Rules, find_matches
from archiver.signal_table import SignalTable
from archiver.storage.base import Store
from archiver.storage.local import LocalStore


@dataclass(frozen=True)
class Sources:
    index: MatchIndex | None
    banks: tuple[tuple[Bank, SignalTable], ...]

    @classmethod
    def of_store(cls, store: Store) -> Sources:
        # Banks are kept in local stores only (archiver/bank.py).
        has_banks = isinstance(store, LocalStore) and banks_folder(store).is_dir()
        banks = tuple((bank, bank_table(bank)) for bank in all_banks(store)) if has_banks else ()
        return cls(MatchIndex.open(index_folder(store)), banks)

    @property
    def empty(self) -> bool:
        return self.index is None and not self.banks

    def find(self, query: Query, rules: Rules) -> list[Match]:
        """Bank matches first (bank by bank), then the index's."""
        found = [match for _, table in self.banks for match in find_matches(query, table, rules)]
        if self.index is not None:
            found += find_matches(query, self.index.table, rules)
        return found

    def record(self) -> dict[str, Any]:
        """What was asked: each bank's exact version, and the index as last written."""
        state = self.index.state if self.index else None
        return {"banks": [bank.ref for bank, _ in self.banks],
                "index": {"bundles": state["bundles"], "updated": state["updated"]} if state else None}
