"""One module per CLI command; ``cli.py`` only assembles them."""

__all__ = ["capture_cmd", "custody_cmd", "keys_cmd", "plugins_cmd", "show_cmd", "verify_cmd"]
