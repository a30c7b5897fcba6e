#!/usr/bin/python3
"""Load generator for run.sh: subscribers spread over wsserver URLs in one broadcast room,
one publisher on the first URL. Prints a markdown table row and "note: ..." lines on stdout, progress on stderr."""
import argparse
import asyncio
import os
import sys
import time

from websockets.client import ClientConnection
from websockets.connection import State
from websockets.frames import Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

TICK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"load.py: {msg}", file=sys.stderr, flush=True)


def cpu_seconds(pids):
    """utime + stime of processes (all their threads), from /proc/PID/stat."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()  # the command name may hold spaces
        total += int(fields[11]) + int(fields[12])
    return total / TICK


async def redis_net_bytes(addrs):
    """total_net_input_bytes + total_net_output_bytes summed over Redis nodes (inline INFO command)."""
    total = 0
    for addr in addrs:
        host, port = addr.rsplit(":", 1)
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), 5)
        writer.write(b"INFO stats\r\n")
        length = int((await asyncio.wait_for(reader.readline(), 5))[1:])  # bulk reply: $LEN\r\n
        body = (await asyncio.wait_for(reader.readexactly(length + 2), 5)).decode()
        writer.close()
        stats = dict(line.split(":", 1) for line in body.splitlines() if ":" in line)
        total += int(stats["total_net_input_bytes"]) + int(stats["total_net_output_bytes"])
    return total


def cpu_stat(core):
    """From /proc/stat: one CPU's (busy, total) ticks, and the seconds all CPUs spent in processes
    (user + nice + system: irq and softirq time, our own loopback traffic's too, is not charged to processes)."""
    one, tasks = None, 0
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu") and line[3].isdigit():
                name, *ticks = line.split()
                ticks = [int(t) for t in ticks[:8]]  # user nice system idle iowait irq softirq steal
                tasks += sum(ticks[:3])
                if name == f"cpu{core}":
                    one = (sum(ticks) - ticks[3] - ticks[4], sum(ticks))
    return one, tasks / TICK


async def sample(a):
    """The counters read at both edges of the measured window."""
    core, tasks = cpu_stat(a.server_core)
    return dict(t=time.monotonic_ns(), redis=cpu_seconds(a.redis_pids), servers=cpu_seconds(a.server_pids),
                self=sum(os.times()[:2]), redis_bytes=await redis_net_bytes(a.redis_addrs), core=core, tasks=tasks)


class Client(asyncio.Protocol):
    """A WebSocket connection on websockets' sans-I/O protocol, fed straight from data_received: a delivery
    costs a frame parse, not a task wake-up, so 1,000 subscribers fit in one process on one core."""

    def __init__(self, url, on_text):
        self.ws = ClientConnection(parse_uri(url))  # no extensions offered: no permessage-deflate
        self.on_text = on_text
        self.opened = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()
        self.warm = False  # has received a warm-up message

    def connection_made(self, transport):
        self.transport = transport
        self.ws.send_request(self.ws.connect())
        self.flush()

    def data_received(self, data):
        now = time.monotonic_ns()  # one clock read per read(): the frames in it arrived together
        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if isinstance(event, Response):
                if self.ws.handshake_exc:
                    self.opened.set_exception(self.ws.handshake_exc)
                else:
                    self.opened.set_result(None)
            elif event.opcode is Opcode.TEXT:
                self.on_text(self, event.data, now)
        self.flush()  # pongs, the close reply

    def eof_received(self):
        self.ws.receive_eof()
        self.flush()

    def connection_lost(self, exc):
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("connection closed during the handshake"))
        self.closed.set_result(None)

    def flush(self):
        for chunk in self.ws.data_to_send():
            if chunk:
                self.transport.write(chunk)
            else:  # SEND_EOF
                self.transport.close()

    def send(self, text):
        self.ws.send_text(text.encode())
        self.flush()

    def close(self):
        if self.ws.state is State.OPEN:
            self.ws.send_close(1000)
            self.flush()


async def connect(url, on_text=lambda *_: None):
    uri = parse_uri(url)
    loop = asyncio.get_running_loop()
    _, client = await asyncio.wait_for(loop.create_connection(lambda: Client(url, on_text), uri.host, uri.port), 15)
    await asyncio.wait_for(client.opened, 15)
    return client


class Tally:
    def __init__(self):
        self.warm = 0          # subscribers that have received a warm-up message
        self.latencies = []    # ns, one per delivery of a measured message
        self.last = 0          # monotonic_ns of the latest measured delivery

    def on_text(self, client, data, now):  # b"m SEQ SENT_NS" (measured) or b"w SEQ SENT_NS" (warm-up)
        if data[0] == 0x6D:  # "m"
            self.latencies.append(now - int(data.rsplit(b" ", 1)[1]))
            self.last = now
        elif not client.warm:
            client.warm = True
            self.warm += 1


async def send_at_rate(pub, tag, count, rate, start_seq=0):
    """Send count messages on a fixed schedule; a late send goes at once (no skipping)."""
    t0 = time.monotonic()
    for i in range(count):
        delay = t0 + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        pub.send(f"{tag} {start_seq + i} {time.monotonic_ns()}")


def pct(sorted_ns, q):
    return sorted_ns[min(len(sorted_ns) - 1, int(q * len(sorted_ns)))] / 1e6 if sorted_ns else float("nan")


async def main(a):
    tally = Tally()
    gate = asyncio.Semaphore(50)  # bounded concurrent handshakes

    async def subscribe(url):
        async with gate:
            return await connect(url, tally.on_text)

    t = time.monotonic()
    subs = await asyncio.gather(*(subscribe(a.urls[i % len(a.urls)]) for i in range(a.subscribers)))
    pub = await connect(a.urls[0])
    log(f"{a.subscribers} subscribers + 1 publisher connected over {len(a.urls)} server(s) in {time.monotonic() - t:.1f} s")

    # Warm-up: at least --warmup seconds, and until every subscriber gets a message (the room is subscribed
    # on every node); bounded.
    seq, t = 0, time.monotonic()
    while time.monotonic() - t < a.warmup or tally.warm < a.subscribers:
        if time.monotonic() - t > a.warmup + 30:
            sys.exit(f"load.py: only {tally.warm}/{a.subscribers} subscribers got a warm-up message in {a.warmup + 30} s")
        await send_at_rate(pub, "w", max(1, a.rate // 10), a.rate, seq)
        seq += max(1, a.rate // 10)
    await asyncio.sleep(0.5)  # let warm-up deliveries finish before the window opens

    count = int(a.rate * a.duration)
    expected = count * a.subscribers
    s0 = await sample(a)
    await send_at_rate(pub, "m", count, a.rate)
    sent_s = (time.monotonic_ns() - s0["t"]) / 1e9
    # Drain: until every delivery is in, or --drain seconds after the last send.
    deadline = time.monotonic() + a.drain
    while len(tally.latencies) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    s1 = await sample(a)

    d = {k: s1[k] - s0[k] for k in ("redis", "servers", "self", "redis_bytes", "tasks")}
    wall = (s1["t"] - s0["t"]) / 1e9
    got = len(tally.latencies)
    # Window: first send to last delivery (= --duration when the system keeps up; longer when it lags).
    window_s = max(sent_s, (tally.last - s0["t"]) / 1e9) if got else sent_s
    lat = sorted(tally.latencies)
    per_k = 1000 / got if got else float("nan")
    self_cpu = d["self"] / wall
    server_core = (s1["core"][0] - s0["core"][0]) / (s1["core"][1] - s0["core"][1])
    others = (d["tasks"] - d["redis"] - d["servers"] - d["self"]) / wall  # processes' CPU time not ours
    log(f"sent {count} in {sent_s:.2f} s, {got}/{expected} deliveries, window {window_s:.2f} s")

    def note(text):
        print(f"note: {a.setup}, {len(a.urls)} node(s): {text}", flush=True)

    if self_cpu > 0.9:
        note(f"load generator saturated ({self_cpu:.0%} of its core): latency includes its own queueing")
    if sent_s > a.duration * 1.1:
        note(f"publisher fell behind its schedule ({sent_s:.2f} s for {a.duration} s): its core was busy")
    if others > 0.1:
        note(f"other processes used {others:.0%} of a core during the window: numbers are noisy")
    if dropped := sum(c.closed.done() for c in subs):
        note(f"{dropped} subscriber connections closed early")
    print(f"| {a.setup} | {len(a.urls)} | {got / window_s:,.0f} | {pct(lat, 0.5):.1f} | {pct(lat, 0.99):.1f} "
          f"| {expected - got} | {d['redis'] * 1000 * per_k:.2f} | {d['servers'] * 1000 * per_k:.2f} "
          f"| {d['redis_bytes'] / got if got else float('nan'):.1f} | {self_cpu:.0%} | {server_core:.0%} |", flush=True)

    # Closing handshake for all; whatever has not closed in 5 s is cut.
    clients = subs + [pub]
    for c in clients:
        c.close()
    await asyncio.wait([c.closed for c in clients], timeout=5)
    for c in clients:
        c.transport.abort()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--urls", required=True, type=lambda s: s.split(","), help="ws:// URLs, one per server, comma-separated")
    p.add_argument("--subscribers", type=int, default=1000)
    p.add_argument("--rate", type=int, default=200, help="publishes per second")
    p.add_argument("--duration", type=float, default=5, help="seconds of measured publishing")
    p.add_argument("--warmup", type=float, default=2, help="seconds of warm-up publishing")
    p.add_argument("--drain", type=float, default=5, help="seconds to wait for late deliveries")
    p.add_argument("--setup", default="single", help="label for the table's setup column")
    p.add_argument("--server-pids", type=lambda s: s.split(","), default=[])
    p.add_argument("--redis-pids", type=lambda s: [x for x in s.split(",") if x], default=[])
    p.add_argument("--redis-addrs", type=lambda s: [x for x in s.split(",") if x], default=[])
    p.add_argument("--server-core", type=int, default=0, help="the CPU the servers and Redis are pinned to")
    asyncio.run(main(p.parse_args()))
