"""permessage-deflate interop check with the Python `websockets` library (Debian's python3-websockets).

Usage: python3 deflate_client.py PORT takeover|no-takeover
Negotiates permessage-deflate (with or without context takeover on both sides), sends text and
binary messages of 0 B to 1 MiB, checks each echo, counts the server's compressed frames (RSV1),
closes with 1000 and prints OK. Any mismatch raises (non-zero exit).
"""
import asyncio
import os
import sys

import websockets
from websockets.extensions import permessage_deflate


class CountingFactory(permessage_deflate.ClientPerMessageDeflateFactory):
    """Counts the frames the server sent compressed (RSV1 set), as the extension decodes them."""

    compressed_frames = 0

    def process_response_params(self, params, accepted_extensions):
        extension = super().process_response_params(params, accepted_extensions)
        decode = extension.decode

        def counting_decode(frame, *, max_size=None):
            if frame.rsv1:
                CountingFactory.compressed_frames += 1
            return decode(frame, max_size=max_size)

        extension.decode = counting_decode
        return extension


async def main(port: int, mode: str) -> None:
    no_takeover = mode == "no-takeover"
    factory = CountingFactory(
        client_no_context_takeover=no_takeover,
        server_no_context_takeover=no_takeover,
        client_max_window_bits=True,
    )
    uri = f"ws://127.0.0.1:{port}/"
    async with websockets.connect(uri, max_size=None, extensions=[factory], compression=None) as ws:
        answer = ws.response_headers.get("Sec-WebSocket-Extensions", "")
        assert answer.startswith("permessage-deflate"), f"not negotiated: {answer!r}"
        assert ("server_no_context_takeover" in answer) == no_takeover, answer
        expected_compressed = 0
        for size in (0, 1, 63, 64, 125, 126, 1000, 65535, 65536, 1024 * 1024 - 1000):
            text = ("compressible é " * (size // 16 + 1))[:size]
            for message in (text, os.urandom(size), text):
                await ws.send(message)
                echoed = await ws.recv()
                assert echoed == message, f"{type(message).__name__} of {size} not echoed"
                length = len(message.encode()) if isinstance(message, str) else len(message)
                if length >= 64:
                    expected_compressed += 1
        assert CountingFactory.compressed_frames == expected_compressed, (
            f"{CountingFactory.compressed_frames} compressed frames, expected {expected_compressed}")
        await ws.close(code=1000, reason="bye")
        assert ws.close_code == 1000, f"close code {ws.close_code}"
    print(f"OK {answer} compressed={CountingFactory.compressed_frames}")


asyncio.run(asyncio.wait_for(main(int(sys.argv[1]), sys.argv[2]), 120))
