"""A WebSocket echo endpoint for the test web server (wsproto, which mitmproxy already needs)."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, BytesMessage, CloseConnection, Request, TextMessage


def echo(handler: BaseHTTPRequestHandler) -> None:
    """Route handler: take over the connection and echo every message (text with 'echo:')."""
    connection = WSConnection(ConnectionType.SERVER)
    head = handler.requestline + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in handler.headers.items())
    connection.receive_data((head + "\r\n").encode("latin-1"))
    handler.close_connection = True
    sock = handler.connection
    while True:
        for event in connection.events():
            if isinstance(event, Request):
                sock.sendall(connection.send(AcceptConnection()))
            elif isinstance(event, TextMessage):
                sock.sendall(connection.send(TextMessage(data="echo:" + event.data)))
            elif isinstance(event, BytesMessage):
                sock.sendall(connection.send(BytesMessage(data=bytes(event.data))))
            elif isinstance(event, CloseConnection):
                sock.sendall(connection.send(event.response()))
                return
        try:
            data = sock.recv(65536)
        except OSError:
            return
        if not data:
            return
        connection.receive_data(data)
