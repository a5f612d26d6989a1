"""evidence-archiver: capture web posts as verifiable evidence bundles."""

import pluggy

from archiver.models import Author, Classification, Counts, Media, PlatformMatch, Post, Status
from archiver.page_context import PageContext
from archiver.platforms import Platform
from archiver.plugin_manager import get_plugin_manager

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("archiver")

__all__ = [
    "Author",
    "Classification",
    "Counts",
    "Media",
    "PageContext",
    "Platform",
    "PlatformMatch",
    "Post",
    "Status",
    "__version__",
    "get_plugin_manager",
    "hookimpl",
]
