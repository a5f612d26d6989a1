"""Storage backends for evidence bundles (installed as ``archiver.storage``)."""

from archiver.storage.base import BundleReader, Store, StoreError, StoreUsageError

__all__ = ["BundleReader", "Store", "StoreError", "StoreUsageError"]
