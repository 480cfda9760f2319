"""A WebSocket test client for an ASGI application (asgiref's ApplicationCommunicator), like Channels'
WebsocketCommunicator, whose package imports daphne, which cmrnet does not use (uvicorn serves it)."""

from __future__ import annotations

import json
from urllib.parse import unquote, urlparse

from asgiref.testing import ApplicationCommunicator


class WebsocketCommunicator(ApplicationCommunicator):
    def __init__(self, application, path: str, headers=None):
        parsed = urlparse(path)
        super().__init__(application, {"type": "websocket", "path": unquote(parsed.path), "query_string": parsed.query.encode(),
                                       "headers": headers or [], "subprotocols": [], "client": ["127.0.0.1", 50000],
                                       "server": ["127.0.0.1", 8000]})

    async def connect(self, timeout: float = 20):
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        return True, response.get("subprotocol")

    async def send_json_to(self, data) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_json_from(self, timeout: float = 20):
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 20) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)
