"""The manifest's facts as labelled rows for the court report (plain strings; the template escapes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archiver.manifest import Manifest
from archiver.manifest_parts import Network


def text(value: Any) -> str:
    """One value as report text: lists joined, dicts as k=v, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={text(v)}" for k, v in value.items() if v not in (None, "", [], {}))
    return str(value)


def rows(*pairs: tuple[str, Any]) -> list[tuple[str, str]]:
    """Labelled rows, leaving out the empty ones (a field the page did not show is not a fact)."""
    return [(label, text(value)) for label, value in pairs if text(value)]


def hex_of(labelled: str | None) -> str:
    return (labelled or "").removeprefix("sha256:")


def summary(m: Manifest) -> list[tuple[str, str]]:
    status = m.status + (f" ({m.reason})" if m.reason else "")
    return rows(("Case", m.case_id), ("Operator", m.operator), ("Bundle", m.bundle_id),
                ("Capture status", status), ("Requested URL", m.requested_url),
                ("Final URL", m.final_url), ("Canonical URL", m.canonical_url),
                ("Platform", m.platform))


def post(p: dict[str, Any]) -> list[tuple[str, str]]:
    author = p.get("author") or {}
    extraction = p.get("extraction") or {}
    extractor = f"{extraction.get('plugin')} {extraction.get('version')}" if extraction else None
    return rows(("Title", p.get("title")), ("Author", author.get("display_name")),
                ("Handle", f"@{author['handle']}" if author.get("handle") else None),
                ("Author id", author.get("id")), ("Author URL", author.get("url")),
                ("Bio", author.get("bio")), ("Avatar", author.get("avatar_url")),
                ("Account links", author.get("links")), ("Verified", author.get("verified")),
                ("Published", p.get("published_at")), ("Kind", p.get("kind")), ("Post id", p.get("post_id")),
                ("Language", p.get("language")), ("Counts", p.get("counts")), ("Reply to", p.get("reply_to")),
                ("Quoted", p.get("quoted")), ("Forwarded from", origin(p.get("forwarded_from"))),
                ("Signature", p.get("signature")), ("Poll", poll(p.get("poll"))),
                ("Posts listed", len(p.get("feed") or []) or None),
                ("Links", p.get("links")), ("Hashtags", p.get("hashtags")), ("Mentions", p.get("mentions")),
                ("Media items", len(p.get("media") or []) or None), *media_rows(p),
                ("Extracted by", extractor),
                ("Field sources", extraction.get("sources")), ("Extraction notes", extraction.get("notes")))


def origin(value: Any) -> str | None:
    """Forwarded from: a name and a link today; older bundles stored one string."""
    if not isinstance(value, dict):
        return value or None
    return " ".join(part for part in (value.get("name"), value.get("url")) if part) or None


def poll(value: dict[str, Any] | None) -> str | None:
    if not value:
        return None
    results = value.get("results") or []
    options = [f"{option} ({results[i]})" if i < len(results) else option
               for i, option in enumerate(value.get("options") or [])]
    return f"{value.get('question')}: " + "; ".join(options)


def media_rows(p: dict[str, Any]) -> list[tuple[str, str]]:
    """One row per media item of the post: captured (its file) or not (and why)."""
    out = []
    for number, item in enumerate(p.get("media") or [], 1):
        kind, url, path = text(item.get("kind")), text(item.get("url")), item.get("path")
        # Manifests older than the ``captured`` field: a file means captured.
        if item.get("captured") or (item.get("captured") is None and path):
            line = f"{kind}: captured as {text(path)} from {url}"
        else:
            why = item.get("failure") or item.get("note") or "no file in the bundle"
            line = f"{kind}: NOT captured: {url} ({text(why)})"
        out.append((f"Media {number}", line))
    return out


def tool(m: Manifest) -> list[tuple[str, str]]:
    info, browser = m.tool, m.browser
    plugins = [f"{p.get('name')} {p.get('version')}" for p in m.plugins]
    return rows(("Tool", f"{info.get('name')} {info.get('version')}"), ("Python", info.get("python")),
                ("Operating system", info.get("os")), ("Components", info.get("components")),
                ("Plugins", plugins), ("Browser", f"{browser.name} {browser.version}"),
                ("Browser executable", browser.executable), ("User agent", browser.user_agent))


def setting_label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def settings(m: Manifest) -> list[tuple[str, str]]:
    def unit(key: str, value: Any) -> Any:
        return f"{value} s" if key.endswith("timeout") and isinstance(value, int | float) else value

    # In the manifest's own (alphabetical) order.
    return rows(*((setting_label(key), unit(key, value))
                  for key, value in sorted(m.settings.to_dict().items())))


@dataclass(frozen=True)
class SettingWarning:
    """A recorded capture setting that weakens what the bundle shows (opposing counsel will ask)."""

    setting: str  # the manifest's key under settings
    option: str  # the capture option that sets it
    values: tuple[str, ...]  # none for a flag
    meaning: str

    def brief(self, most: int = 3) -> str:
        """The values, the first ``most`` of them named."""
        more = len(self.values) - most
        return ", ".join(self.values[:most]) + (f" and {more} more" if more > 0 else "")

    def line(self, most: int = 3) -> str:
        given = f" {self.brief(most)}" if self.values else ""
        return f"{self.option}{given}: {self.meaning}"


# In the order a reader should weigh them: the first leaves the server's identity unchecked.
WEAKENING_SETTINGS = (
    ("insecure", "--insecure", "server certificates were not checked: an invalid or forged certificate was "
     "accepted, so nothing shows the pages came from the site the URL names."),
    ("ca_bundle", "--ca-bundle", "server certificates were checked against the CA certificates in this file "
     "instead of the system's: a certificate that CA issued was accepted as the site's."),
    ("resolve", "--resolve", "these host names were connected to the addresses given instead of those DNS "
     "gives: the pages came from those addresses."),
    ("allow_private_networks", "--allow-private-networks", "the guard against loopback, private and "
     "link-local addresses was off: the page or its resources may have come from the capturing network."),
)


def setting_warnings(m: Manifest) -> list[SettingWarning]:
    recorded = m.settings.to_dict()

    def values(value: Any) -> tuple[str, ...]:
        if value is True:
            return ()
        return tuple(text(v) for v in value) if isinstance(value, list) else (text(value),)

    return [SettingWarning(key, option, values(recorded[key]), meaning)
            for key, option, meaning in WEAKENING_SETTINGS if recorded.get(key)]


def network(m: Manifest) -> list[tuple[str, str]]:
    net = m.network
    main = {k: v for k, v in (net.main_document or {}).items() if k != "tls"}
    blocked = [f"{b.get('url')} ({b.get('reason')})" if isinstance(b, dict) else b for b in net.blocked]
    failed = net.failed
    return rows(("Exchanges recorded", net.exchanges), ("Bytes recorded", net.bytes_recorded),
                ("Server IP", m.server_ip), ("Main document", main), ("Blocked requests", blocked),
                ("Failed requests", f"{len(failed)}: {text(failed)}" if failed else None),
                ("Navigations stopped", navigations(net)), ("Unfinished", net.unfinished),
                ("Redactions", net.redactions), ("Normalisations", net.normalisations))


def navigations(net: Network) -> list[str]:
    """Navigations the page started away from its document, which the capture stopped."""
    return [f"{n.get('url')} at {n.get('time')}" + (f" ({n['guard']})" if n.get("guard") else "")
            for n in net.navigations]


def tls(m: Manifest) -> list[tuple[str, str]]:
    t = m.tls or {}
    return rows(("Subject", t.get("subject")), ("Issuer", t.get("issuer")),
                ("Serial", t.get("serial_number")),
                ("Valid from", t.get("not_before")), ("Valid until", t.get("not_after")),
                ("Fingerprint", t.get("sha256_fingerprint")), ("TLS version", t.get("tls_version")),
                ("Names (SAN)", t.get("subject_alt_names")), ("Chain fingerprints", t.get("chain_sha256")))


def artifacts(m: Manifest) -> list[dict[str, str]]:
    out = []
    for entry in m.artifacts:
        perceptual = entry.perceptual_hashes or {}
        pdq = perceptual.get("pdq") or {}
        out.append({
            "path": text(entry.path), "media_type": text(entry.media_type),
            "size": f"{entry.size:,} bytes",
            "dimensions": f"{entry.width}x{entry.height} px" if entry.width else "",
            "sha256": hex_of(entry.sha256),
            "pdq": text(pdq.get("hash")), "pdq_quality": text(pdq.get("quality")),
            "phash": text((perceptual.get("phash") or {}).get("hash")),
            "dhash": text((perceptual.get("dhash") or {}).get("hash")),
            "source_url": text(entry.source_url),
        })
    return out
