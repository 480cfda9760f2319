"""The RFB (VNC) protocol pieces the scan-control relay needs; no Django.

The relay speaks RFB 3.8 on both sides. Towards the console's VNC server it authenticates with the
stored secret (VNC authentication: DES of the server's challenge), so the secret never reaches a
browser; towards noVNC it offers "None" authentication, since the WebSocket is already authenticated
per grant. After the handshake, bytes from the server pass unchanged; bytes from the browser are parsed
message by message: in view-only mode pointer, key, clipboard and desktop-size messages are dropped, and
an unknown message closes the connection.
"""

from __future__ import annotations

import struct

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

VERSION = b"RFB 003.008\n"
SEC_NONE, SEC_VNC = 1, 2

# client -> server message types
SET_PIXEL_FORMAT, SET_ENCODINGS, FB_UPDATE_REQUEST, KEY_EVENT, POINTER_EVENT, CLIENT_CUT_TEXT = 0, 2, 3, 4, 5, 6
ENABLE_CONTINUOUS_UPDATES, QEMU, XVP, SET_DESKTOP_SIZE, FENCE = 150, 248, 250, 251, 252
INPUT = {KEY_EVENT, POINTER_EVENT, CLIENT_CUT_TEXT, QEMU, SET_DESKTOP_SIZE}
NEVER = {XVP}  # power operations on the console machine: never relayed


class ProtocolError(Exception):
    pass


def vnc_auth_response(secret: str, challenge: bytes) -> bytes:
    """VNC authentication: DES-encrypt the 16-byte challenge with the password (8 bytes, zero-padded,
    each byte's bits reversed, as VNC does)."""
    if len(challenge) != 16:
        raise ProtocolError("the VNC challenge must be 16 bytes")
    key = bytes(int(f"{b:08b}"[::-1], 2) for b in secret.encode("latin-1", "replace")[:8].ljust(8, b"\0"))
    encryptor = Cipher(TripleDES(key * 3), modes.ECB()).encryptor()  # K1=K2=K3: single DES
    return encryptor.update(challenge) + encryptor.finalize()


def message_length(buffer: bytes) -> int | None:
    """Length of the client message at the start of `buffer`, or None if more bytes are needed."""
    if not buffer:
        return None
    kind = buffer[0]
    fixed = {SET_PIXEL_FORMAT: 20, FB_UPDATE_REQUEST: 10, KEY_EVENT: 8, POINTER_EVENT: 6, ENABLE_CONTINUOUS_UPDATES: 10,
             XVP: 4}
    if kind in fixed:
        return fixed[kind]
    if kind == SET_ENCODINGS:
        return None if len(buffer) < 4 else 4 + 4 * struct.unpack(">H", buffer[2:4])[0]
    if kind == CLIENT_CUT_TEXT:
        return None if len(buffer) < 8 else 8 + abs(struct.unpack(">i", buffer[4:8])[0])
    if kind == SET_DESKTOP_SIZE:
        return None if len(buffer) < 8 else 8 + 16 * buffer[6]
    if kind == FENCE:
        return None if len(buffer) < 9 else 9 + buffer[8]
    if kind == QEMU:
        if len(buffer) < 2:
            return None
        if buffer[1] == 0:  # extended key event
            return 12
        raise ProtocolError(f"unsupported QEMU client message {buffer[1]}")
    raise ProtocolError(f"unknown client message type {kind}")


class ClientFilter:
    """Cuts the browser's byte stream into RFB messages and keeps the ones the grant allows."""

    def __init__(self, *, control: bool):
        self.control = control
        self.buffer = b""
        self.dropped = 0

    def feed(self, data: bytes) -> bytes:
        self.buffer += data
        out = []
        while (length := message_length(self.buffer)) is not None and len(self.buffer) >= length:
            message, self.buffer = self.buffer[:length], self.buffer[length:]
            kind = message[0]
            if kind in NEVER or (kind in INPUT and not self.control):
                self.dropped += 1
                continue
            out.append(message)
        return b"".join(out)


async def _reason(reader) -> str:
    (length,) = struct.unpack(">I", await reader.readexactly(4))
    return (await reader.readexactly(min(length, 4096))).decode("utf-8", "replace")


async def server_handshake(reader, writer, secret: str) -> None:
    """Open an RFB session with the console's VNC server up to (not including) ClientInit."""
    version = await reader.readexactly(12)
    if not version.startswith(b"RFB 003.") or not version[8:11].isdigit():
        raise ProtocolError(f"not a VNC server (said {version!r})")
    minor = int(version[8:11])
    if minor < 7:
        raise ProtocolError("the console's VNC server speaks only RFB 3.3")
    writer.write(VERSION)
    await writer.drain()
    count = (await reader.readexactly(1))[0]
    if count == 0:
        raise ProtocolError(f"the console refused the connection: {await _reason(reader)}")
    offered = await reader.readexactly(count)
    if SEC_VNC in offered and secret:
        choice = SEC_VNC
    elif SEC_NONE in offered:
        choice = SEC_NONE
    else:
        raise ProtocolError(f"no common security type (offered {list(offered)}; a password is {'set' if secret else 'not set'})")
    writer.write(bytes([choice]))
    if choice == SEC_VNC:
        writer.write(vnc_auth_response(secret, await reader.readexactly(16)))
    await writer.drain()
    (result,) = struct.unpack(">I", await reader.readexactly(4))
    if result != 0:
        reason = await _reason(reader) if minor >= 8 else ""
        raise ProtocolError(f"the console refused the stored VNC password {reason}".strip())
