"""Matching through the API: ``/m/lookup`` (a hash, or an uploaded image or video) against the
store's banks and index, and ``/mirrors`` (accounts ranked as mirrors of one). Only bundles of
cases the user may see take part, as candidates and as evidence."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, UploadFile

from archiver.errors import ArchiverError
from archiver.match_target import Target
from archiver.service.api import PREFIX, Reader
from archiver.service.match_lookup import NotMatchable, file_query, hash_query
from archiver.service.state import ServiceState, state_of
from archiver.service.users import Principal

router = APIRouter(prefix=PREFIX)
State = Annotated[ServiceState, Depends(state_of)]


def lookup(state: ServiceState, who: Principal, target: Target) -> dict[str, Any]:
    return state.matching.lookup(target.query, lambda bundle_id: state.index.row(who, bundle_id))


@router.get("/m/lookup", summary="Match one hash against the banks and the store (HMA's lookup)")
def get_lookup(state: State, who: Reader, signal: Annotated[str, Query(max_length=200)],
               signal_type: Annotated[str, Query(max_length=20)] = "pdq") -> dict[str, Any]:
    try:
        target = hash_query(signal_type, signal)
    except NotMatchable as exc:
        raise HTTPException(422, str(exc)) from None
    return lookup(state, who, target)


@router.post("/m/lookup", summary="Match an uploaded image or video against the banks and the store")
def post_lookup(state: State, who: Reader, file: UploadFile) -> dict[str, Any]:
    data = file.file.read()  # the request body is capped by --max-upload already
    try:
        target = file_query(file.filename or "upload", data)
    except NotMatchable as exc:
        raise HTTPException(422, str(exc)) from None
    return lookup(state, who, target)


@router.get("/mirrors", summary="Accounts of the store ranked as mirrors of one (archiver mirrors)")
def get_mirrors(state: State, who: Reader, account: Annotated[str, Query(max_length=2000)],
                top: Annotated[int, Query(ge=1, le=100)] = 10) -> dict[str, Any]:
    from archiver.accounts import account_of_url, known_accounts
    from archiver.bundle_signals import bundle_signals, read_manifest
    from archiver.matcher import Rules
    from archiver.mirror_candidates import ABOVE_THRESHOLD, rank
    from archiver.platforms import Platforms

    store = state.config.store
    signals = (bundle_signals(reader, read_manifest(reader))
               for reader in map(store.reader, state.index.visible_ids(who)))
    accounts = known_accounts(signals)
    try:
        found = account_of_url(accounts, account, Platforms.from_plugins(state.config.pm))
    except ArchiverError as exc:
        raise HTTPException(404, exc.format_message()) from None
    sources = state.matching.sources()
    rules = Rules()
    candidates = rank(found, accounts, [table for _, table in sources.banks], rules)[:top]
    return {"account": {"platform": found.platform, "handle": found.handle,
                        "bundles": [bundle.bundle_id for bundle in found.bundles]},
            "rules": rules.record(), "above_threshold": ABOVE_THRESHOLD,
            "banks": [bank.ref for bank, _ in sources.banks], "accounts_compared": len(accounts) - 1,
            "candidates": [candidate.record() for candidate in candidates]}
