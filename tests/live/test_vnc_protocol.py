"""The RFB pieces of the scan-control relay, without a database or a network: VNC authentication,
message framing across WebSocket frames, and view-only filtering."""

import asyncio
import struct

import pytest
from asgiref.sync import async_to_sync

from cmrnet.live import vnc

POINTER = bytes([vnc.POINTER_EVENT, 1]) + struct.pack(">HH", 100, 200)
KEY = bytes([vnc.KEY_EVENT, 1, 0, 0]) + struct.pack(">I", 0x61)
UPDATE = bytes([vnc.FB_UPDATE_REQUEST, 1]) + struct.pack(">HHHH", 0, 0, 1280, 720)
ENCODINGS = bytes([vnc.SET_ENCODINGS, 0]) + struct.pack(">H", 2) + struct.pack(">ii", 7, -223)
CUT = bytes([vnc.CLIENT_CUT_TEXT, 0, 0, 0]) + struct.pack(">i", 5) + b"hello"
RESIZE = bytes([vnc.SET_DESKTOP_SIZE, 0]) + struct.pack(">HH", 800, 600) + bytes([1, 0]) + bytes(16)
XVP_REBOOT = bytes([vnc.XVP, 0, 1, 3])


def test_vnc_auth_uses_the_first_eight_characters():
    # DES keyed with the password's first 8 bytes, bit-reversed (interoperability with a real server is
    # shown against x11vnc in tests/e2e/test_live_scan_control.py).
    challenge = bytes(range(16))
    assert vnc.vnc_auth_response("password", challenge).hex() == vnc.vnc_auth_response("password" + "ignored-after-8", challenge).hex()
    assert len(vnc.vnc_auth_response("pw", challenge)) == 16
    assert vnc.vnc_auth_response("pw", challenge) != vnc.vnc_auth_response("px", challenge)
    with pytest.raises(vnc.ProtocolError):
        vnc.vnc_auth_response("pw", b"short")


def test_view_only_drops_pointer_keys_clipboard_and_resize_but_keeps_updates():
    f = vnc.ClientFilter(control=False)
    assert f.feed(UPDATE + POINTER + KEY + ENCODINGS + CUT + RESIZE) == UPDATE + ENCODINGS
    assert f.dropped == 4


def test_full_control_passes_input_but_never_power_operations():
    f = vnc.ClientFilter(control=True)
    assert f.feed(POINTER + KEY + XVP_REBOOT + UPDATE) == POINTER + KEY + UPDATE


@pytest.mark.parametrize("cut", [1, 3, 7, 11])
def test_messages_split_across_frames_are_reassembled(cut):
    stream = POINTER + ENCODINGS + UPDATE
    f = vnc.ClientFilter(control=True)
    assert f.feed(stream[:cut]) + f.feed(stream[cut:]) == stream


def test_an_unknown_message_type_is_a_protocol_error():
    with pytest.raises(vnc.ProtocolError):
        vnc.ClientFilter(control=True).feed(bytes([77, 0, 0, 0]))


class FakeConsole:
    """A VNC server speaking RFB 3.8 with VNC authentication, checking the response with the secret."""

    def __init__(self, secret: str, *, offer=(vnc.SEC_VNC,)):
        self.secret, self.offer, self.accepted = secret, offer, None

    async def __call__(self, reader, writer):
        writer.write(b"RFB 003.008\n")
        await reader.readexactly(12)
        writer.write(bytes([len(self.offer), *self.offer]))
        choice = (await reader.readexactly(1))[0]
        ok = True
        if choice == vnc.SEC_VNC:
            challenge = bytes(range(16, 32))
            writer.write(challenge)
            ok = await reader.readexactly(16) == vnc.vnc_auth_response(self.secret, challenge)
        self.accepted = ok
        writer.write(struct.pack(">I", 0 if ok else 1) + (b"" if ok else struct.pack(">I", 6) + b"denied"))
        await writer.drain()
        writer.close()


@pytest.mark.parametrize(("stored", "accepted"), [("scanner-42", True), ("wrong", False)])
def test_server_handshake_with_the_stored_secret(stored, accepted, unused_port):
    async def scenario():
        console = FakeConsole("scanner-42")
        server = await asyncio.start_server(console, "127.0.0.1", unused_port)
        reader, writer = await asyncio.open_connection("127.0.0.1", unused_port)
        try:
            if accepted:
                await vnc.server_handshake(reader, writer, stored)
            else:
                with pytest.raises(vnc.ProtocolError, match="refused the stored VNC password denied"):
                    await vnc.server_handshake(reader, writer, stored)
        finally:
            writer.close()
            server.close()
        return console.accepted

    assert async_to_sync(scenario)() is accepted  # in its own loop, whatever the test runner's thread holds


@pytest.fixture
def unused_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
