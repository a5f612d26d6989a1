from __future__ import annotations

import uuid

from archiver.ids import bundle_id_time_ms, is_bundle_id, new_bundle_id


def test_uuid7_shape_and_order() -> None:
    first = new_bundle_id(now_ms=1_700_000_000_000)
    second = new_bundle_id(now_ms=1_700_000_000_001)
    assert uuid.UUID(first).version == 7 and is_bundle_id(first)
    assert first < second
    assert bundle_id_time_ms(first) == 1_700_000_000_000
    assert not is_bundle_id("../etc") and not is_bundle_id(str(uuid.uuid4()))
