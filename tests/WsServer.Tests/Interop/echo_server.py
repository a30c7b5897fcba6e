"""An echo server written with the Python `websockets` library (Debian package python3-websockets),
for the tests of the project's C# client.

Usage: python3 echo_server.py deflate|none
Listens on a free loopback port and prints "PORT n"; echoes every message; a text message
"close CODE REASON" is answered with a close of that code and reason instead. Stops when stdin closes.
"""
import asyncio
import sys

import websockets


async def echo(ws, *_):
    async for message in ws:
        if isinstance(message, str) and message.startswith("close "):
            _, code, reason = message.split(" ", 2)
            await ws.close(int(code), reason)
            return
        await ws.send(message)


async def main(compression: str) -> None:
    async with websockets.serve(echo, "127.0.0.1", 0, max_size=None,
                                compression="deflate" if compression == "deflate" else None) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"PORT {port}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


asyncio.run(main(sys.argv[1]))
