"""Small pages the capture tests serve."""

from __future__ import annotations

import io
import time
from http.server import BaseHTTPRequestHandler

from PIL import Image, ImageDraw

from support.webserver import TestServer


def png(width: int = 320, height: int = 200, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, width - 20, height // 2), fill=color)
    draw.ellipse((width // 3, height // 3, width // 2, height - 10), fill=(20, 20, 160))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


ARTICLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Demo article</title>
<meta property="og:title" content="A demo post">
<meta property="og:description" content="Text of the demo post.">
<meta property="og:image" content="https://cdn.example.org/picture.png">
<meta property="article:published_time" content="2026-11-01T10:00:00Z">
<meta name="author" content="Demo Author">
</head><body>
<article id="post"><h1>A demo post</h1><p>Text of the demo post.</p>
<img src="https://cdn.example.org/picture.png" width="320" height="200"></article>
<script>fetch('/api/data.json').then(r => r.json()).then(d => {
  document.getElementById('post').insertAdjacentHTML('beforeend', '<p id="xhr">' + d.message + '</p>');
});</script>
</body></html>"""


def hang(handler: BaseHTTPRequestHandler) -> None:
    time.sleep(30)


def drop_connection(handler: BaseHTTPRequestHandler) -> None:
    """Close the connection without an answer: the request fails (the proxy sees no response)."""
    handler.close_connection = True


def redirect_to(location: str):  # type: ignore[no-untyped-def]
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


def echo_cookie(handler: BaseHTTPRequestHandler) -> None:
    cookie = handler.headers.get("Cookie", "")
    body = f"<html><body><p id='who'>logged in</p><p id='len'>{len(cookie)}</p></body></html>".encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Set-Cookie", "server_session=SERVERSIDE-SECRET-777; Secure; HttpOnly")
    handler.end_headers()
    handler.wfile.write(body)


def chunked(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    for part in (b"<html><body>", b"<p>chunked body</p>", b"</body></html>"):
        handler.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
    handler.wfile.write(b"0\r\n\r\n")


def install(https: TestServer, http: TestServer) -> None:
    site = https.site("example.org")
    site.add("/article", ARTICLE)
    site.add("/api/data.json", '{"message": "loaded by fetch"}', "application/json")
    site.add("/tall", "<html><body style='margin:0'><div style='height:30000px;background:linear-gradient(red,blue)'>tall</div></body></html>")
    site.add("/doc.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
    site.add("/image.png", png(), "image/png")
    site.add("/big", "<html><body>" + ("x" * 200_000) + "</body></html>")
    site.add("/challenge", "<html><head><title>Just a moment...</title></head><body><div id='challenge-form'>Checking your browser</div></body></html>")
    site.add("/login", "<html><head><title>Log in</title></head><body><form><input type=password></form></body></html>")
    site.routes["/hang"] = hang
    site.routes["/moved"] = redirect_to("https://example.org/article")
    site.routes["/to-metadata"] = redirect_to("http://169.254.169.254/latest/meta-data/")
    site.routes["/private-redirect"] = redirect_to("/login")
    site.routes["/whoami"] = echo_cookie
    site.routes["/chunked"] = chunked
    site.add("/ssrf", f"""<html><body><p>page</p>
<img src="http://127.0.0.1:{http.port}/secret.png">
<script>fetch('http://127.0.0.1:{http.port}/secret').catch(() => {{}});</script>
</body></html>""")
    https.site("cdn.example.org").add("/picture.png", png(), "image/png")
    http.site("*").add("/secret", "INTERNAL-SECRET", "text/plain")
    http.site("*").add("/secret.png", png(64, 64), "image/png")
    https.site("plugin-example.test").add("/p/1", "<html><body><div id='post'>Example plugin post</div></body></html>")
