"""Upgrade negotiation seen by Python's websockets (10.4): subprotocol, extra header, rejection, 404."""
import asyncio
import sys

import websockets


async def main(port):
    base = f"ws://127.0.0.1:{port}"
    async with websockets.connect(f"{base}/a?token=good", subprotocols=["v1", "v2"],
                                  origin="https://example.com") as ws:
        assert ws.subprotocol == "v2", ws.subprotocol
        assert ws.response_headers["X-Session"] == "42", dict(ws.response_headers)
        await ws.send("hi")
        assert await ws.recv() == "hi"
    for path, status, header in [("/a?token=bad", 401, ("WWW-Authenticate", "Bearer")),
                                 ("/nowhere", 404, None)]:
        try:
            async with websockets.connect(base + path):
                raise AssertionError(f"{path} was accepted")
        except websockets.exceptions.InvalidStatusCode as error:
            assert error.status_code == status, (path, error.status_code)
            if header:
                assert error.headers[header[0]] == header[1], dict(error.headers)
    try:
        async with websockets.connect(f"{base}/a?token=good", origin="https://evil.example"):
            raise AssertionError("foreign origin was accepted")
    except websockets.exceptions.InvalidStatusCode as error:
        assert error.status_code == 403, error.status_code
    print("OK")


asyncio.run(main(int(sys.argv[1])))
