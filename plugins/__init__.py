"""Platform plugins that ship with evidence-archiver (installed as ``archiver.plugins``)."""

__all__: list[str] = []
