"""A WebSocket client that writes several frames and the close in one go, as a page that unloads does.

Library clients send each frame as it is produced; this one writes every
message and the close frame in one ``sendall``, so they reach the server in
one read, the case where a server may meet the close before the messages.
"""

from __future__ import annotations

import base64
import os
import socket
import struct

TEXT, CLOSE = 0x1, 0x8


def client_frame(opcode: int, payload: bytes) -> bytes:
    """One final, masked frame (clients must mask what they send)."""
    mask = os.urandom(4)
    size = len(payload)
    if size < 126:
        head = bytes([0x80 | opcode, 0x80 | size])
    elif size < 2**16:
        head = bytes([0x80 | opcode, 0x80 | 126]) + struct.pack("!H", size)
    else:
        head = bytes([0x80 | opcode, 0x80 | 127]) + struct.pack("!Q", size)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def send_then_close(host: str, port: int, path: str, messages: list[str], timeout: float = 10.0) -> None:
    """Open a WebSocket, write ``messages`` and a normal close in one write, wait for the server to hang up."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            assert chunk, "the server closed the connection during the handshake"
            head += chunk
        assert head.startswith(b"HTTP/1.1 101"), head[:80]
        burst = b"".join(client_frame(TEXT, m.encode("utf-8")) for m in messages)
        sock.sendall(burst + client_frame(CLOSE, struct.pack("!H", 1000)))
        try:
            while sock.recv(4096):  # the server's frames and its close, until it hangs up
                pass
        except OSError:
            pass
