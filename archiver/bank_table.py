"""A bank version as a signal table, so that a query is matched against a bank the same way as
against a store's index. Each row names the bank version (``NAME@vN``) and holds its entry."""

from __future__ import annotations

from archiver.bank import Bank, BankEntry
from archiver.signal_table import Row, SignalTable
from archiver.text_signature import text_signature


def bank_table(bank: Bank) -> SignalTable:
    return SignalTable.build(entry_row(bank, entry) for entry in bank.entries)


def entry_row(bank: Bank, entry: BankEntry) -> Row:
    # A bank's PDQ has no quality (none of the sharing formats carries one): it is matched as given.
    row: Row = {"signal_type": entry.signal_type, "signal": entry.signal, "quality": None,
                "bank": bank.ref, "entry": entry.to_json()}
    if entry.signal_type == "text":
        row["minhash"] = text_signature(entry.signal).hex()
    return row
