"""evidence-archiver: capture web posts as verifiable evidence bundles."""

import pluggy

from archiver.models import Classification, PlatformMatch, Post, Status
from archiver.plugin_manager import get_plugin_manager

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("archiver")

__all__ = [
    "Classification",
    "PlatformMatch",
    "Post",
    "Status",
    "__version__",
    "get_plugin_manager",
    "hookimpl",
]
