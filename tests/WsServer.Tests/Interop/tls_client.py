"""wss:// interop check with the Python `websockets` library (Debian package python3-websockets).

Usage: python3 tls_client.py PORT CERT.pem
Trusts only CERT.pem (the test's self-signed certificate), connects to wss://localhost:PORT/,
checks a text and a 64 KiB binary echo, closes with 1000 and prints OK and the TLS version.
"""
import asyncio
import os
import ssl
import sys

import websockets


async def main(port: int, cafile: str) -> None:
    context = ssl.create_default_context(cafile=cafile)
    async with websockets.connect(f"wss://localhost:{port}/", ssl=context, max_size=None) as ws:
        await ws.send("over tls")
        assert await ws.recv() == "over tls", "text not echoed"
        data = os.urandom(64 * 1024)
        await ws.send(data)
        assert await ws.recv() == data, "binary not echoed"
        version = ws.transport.get_extra_info("ssl_object").version()
        await ws.close(code=1000)
    print(f"OK {version}")


asyncio.run(asyncio.wait_for(main(int(sys.argv[1]), sys.argv[2]), 60))
