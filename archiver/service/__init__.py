"""``archiver serve``: the evidence service (HTTP API and web pages) on the same core as the CLI."""
