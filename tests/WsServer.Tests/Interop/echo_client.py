"""Echo interop check with the Python `websockets` library (Debian package python3-websockets).

Usage: python3 echo_client.py PORT
Sends text and binary messages of the RFC 6455 length edges, checks each echo, sends a ping,
closes with 1000 and prints OK. Any mismatch raises (non-zero exit).
"""
import asyncio
import os
import sys

import websockets


async def main(port: int) -> None:
    uri = f"ws://127.0.0.1:{port}/"
    async with websockets.connect(uri, max_size=None) as ws:
        for size in (0, 125, 126, 65535, 65536, 1024 * 1024):
            text = ("é" * (size // 2)) + ("a" * (size % 2))
            await ws.send(text)
            echoed = await ws.recv()
            assert echoed == text, f"text of {size} bytes not echoed"
            data = os.urandom(size)
            await ws.send(data)
            echoed = await ws.recv()
            assert echoed == data, f"binary of {size} bytes not echoed"
        pong_waiter = await ws.ping(b"interop")
        await asyncio.wait_for(pong_waiter, 10)
        await ws.close(code=1000, reason="bye")
        assert ws.close_code == 1000, f"close code {ws.close_code}"
    print("OK")


asyncio.run(asyncio.wait_for(main(int(sys.argv[1])), 60))
