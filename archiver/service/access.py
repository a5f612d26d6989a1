"""Bundle and job lookups that answer 404 alike for what does not exist and what the user may not
see: a case's existence is not revealed to someone outside it."""

from __future__ import annotations

from fastapi import HTTPException

from archiver.service.state import ServiceState
from archiver.service.users import Principal
from archiver.storage.base import BundleReader


def visible_bundle(state: ServiceState, who: Principal, bundle_id: str) -> BundleReader:
    if state.index.row(who, bundle_id) is None:
        raise HTTPException(404, "no such bundle")
    return state.config.store.reader(bundle_id)


def verifiable_bundles(state: ServiceState, who: Principal, bundle_ids: list[str] | None,
                       case: str | None) -> tuple[list[str], str | None]:
    """Bundle ids a verify job checks (those named, a case's, or every bundle ``who`` may see),
    and the case they all belong to, if one."""
    if bundle_ids:
        cases = set()
        for bundle_id in bundle_ids:
            visible_bundle(state, who, bundle_id)
            cases.add(state.index.case_of(bundle_id))
        return bundle_ids, cases.pop() if len(cases) == 1 else None
    if case is not None and not who.can_see(case):
        raise HTTPException(404, "no such case")
    found: list[str] = []
    page = 1
    while True:
        listing = state.index.search(who, case=case, page=page, per_page=1000)
        found += [item["bundle_id"] for item in listing["items"]]
        if len(found) >= listing["total"] or not listing["items"]:
            return found, case
        page += 1
