"""The four mitmproxy addons the recorder needs, without mitmproxy's whole addon set.

``mitmproxy/addons/__init__.py`` imports every default addon (LDAP proxy auth, the
onboarding web app, flow filters...), which costs about a second at every start of
``archiver``. The four modules used here import nothing from that package's namespace, so
the package is registered without running its ``__init__`` when nobody has imported it yet.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

if "mitmproxy.addons" not in sys.modules:
    _spec = importlib.util.find_spec("mitmproxy.addons")
    if _spec is not None and _spec.loader is not None:
        sys.modules["mitmproxy.addons"] = importlib.util.module_from_spec(_spec)

core = importlib.import_module("mitmproxy.addons.core")
next_layer = importlib.import_module("mitmproxy.addons.next_layer")
proxyserver = importlib.import_module("mitmproxy.addons.proxyserver")
tlsconfig = importlib.import_module("mitmproxy.addons.tlsconfig")
# mitmproxy.master imports mitmproxy.addons.termlog, so it too must come after the registration.
Master = importlib.import_module("mitmproxy.master").Master

__all__ = ["Master", "core", "next_layer", "proxyserver", "tlsconfig"]
