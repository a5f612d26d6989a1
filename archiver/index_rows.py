"""The rows a bundle adds to its store's match index (archiver/signal_table.py says what a row is).

Every row of a bundle names where its value comes from: ``bundle_id``, ``artifact`` (the file's
path in the bundle), ``media_kind``, ``account`` (platform, handle, display name), ``platform``,
``captured_at`` (the capture's start, UTC) and ``verify``, the bundle's state when it was
indexed by the checks ``archiver ls`` runs (sizes, signature, custody, timestamp; not every
hash). Per artifact: ``md5``, ``sha256``, ``sha512`` rows and a ``pdq`` row (with ``quality``
and the crop ``windows``) for an image, a ``vpdq`` row for a video. Per bundle: a ``text`` row
for the post's text (``minhash``: its signature) and an ``account`` row (``signal``:
``platform:handle``, or None when the page names no account) with what the page says of the
account: display name, bio and its signature, links, avatar and its PDQ.
"""

from __future__ import annotations

import json
from typing import Any

from archiver.bundle_signals import DIGESTS, ArtifactSignals, BundleSignals
from archiver.signal_table import Row

ACCOUNT = "account"


def bundle_rows(signals: BundleSignals, verify: str) -> list[Row]:
    account = signals.account.to_json() if signals.account else None
    common = {"bundle_id": signals.bundle_id, "account": account,
              "platform": signals.platform, "captured_at": signals.captured_at, "verify": verify}
    rows = [account_row(signals, common)]
    for item in signals.artifacts:
        rows += artifact_rows(item, {**common, "artifact": item.path, "media_kind": item.kind})
    if signals.text and signals.text_signature is not None:
        rows.append({"signal_type": "text", "signal": " ".join(signals.text.split()), "quality": None,
                     "minhash": signals.text_signature.hex(), **common, "artifact": None})
    return rows


def artifact_rows(item: ArtifactSignals, where: dict[str, Any]) -> list[Row]:
    rows: list[Row] = [{"signal_type": name, "signal": item.digests[name], "quality": None, **where}
                       for name in DIGESTS if name in item.digests]
    if item.frames is not None:
        rows.append({"signal_type": "vpdq", "signal": json.dumps([str(frame) for frame in item.frames]),
                     "quality": None, **where})
    elif item.pdq is not None:
        rows.append({"signal_type": "pdq", "signal": item.pdq, "quality": item.quality, **where,
                     "windows": [{"cut": list(window.cut), "pdq": window.pdq.hex,
                                  "quality": window.pdq.quality} for window in item.windows]})
    return rows


def account_row(signals: BundleSignals, common: dict[str, Any]) -> Row:
    from archiver.text_signature import text_signature

    account, profile = signals.account, signals.profile
    avatar = next((item for item in signals.artifacts if item.path == profile.get("avatar")), None)
    bio = profile.get("bio")
    return {"signal_type": ACCOUNT, "quality": None, **common, "artifact": None,
            "signal": f"{signals.platform}:{account.handle}" if account and account.handle else None,
            "url": signals.url, "profile_url": profile.get("url"), "bio": bio,
            "bio_minhash": text_signature(bio).hex() if bio else None, "links": profile.get("links") or [],
            "avatar": avatar.path if avatar else None, "avatar_pdq": avatar.pdq if avatar else None,
            "avatar_quality": avatar.quality if avatar else None}


def unreadable_bundle_row(bundle_id: str, verify: str) -> Row:
    """A bundle whose manifest cannot be read: indexed with no signals, so that it is not read
    again at every refresh and a rebuild can still say it is there."""
    return {"signal_type": ACCOUNT, "signal": None, "quality": None, "bundle_id": bundle_id, "account": None,
            "platform": None, "captured_at": None, "verify": verify, "artifact": None}
