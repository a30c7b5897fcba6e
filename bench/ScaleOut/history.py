#!/usr/bin/python3
"""What history costs, and how fast a comeback recovers.

For one node without Redis and two nodes sharing a Redis, each with the built-in chat keeping no history
and keeping 1,000 messages (--chat-history): 100 members spread over the nodes, one more publishing at
--rate for --seconds (after 5 s of the same, not measured); prints deliveries/s, publish-to-delivery p50/p99 and the nodes' CPU per 1,000
deliveries. Then, with history on: a member that read up to some position drops, 1,000 messages are said,
and it comes back with ?since=POSITION; prints how long from its reconnect to the 1,000th missed message
(median of --rounds). Nodes and Redis run on core 0, this script on core 1.
Usage: bench/ScaleOut/history.py [--rate 500] [--seconds 5] [--rounds 5] (WSSERVER as for run.sh)."""
import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from processes import free_port, wait_listening, wsserver_command  # noqa: E402
from load import connect, cpu_seconds, pct  # noqa: E402  (the same sans-I/O client as the load generator)

MEMBERS = 100
MISSED = 1000
WARMUP = 5  # seconds


class Cluster:
    """Redis (when nodes > 1) and the wsserver nodes, started on core 0 and stopped on exit."""

    def __init__(self, nodes, history, logs):
        wsserver = wsserver_command()
        self.processes, self.ports = [], []
        redis = []
        if nodes > 1:
            port = free_port()
            self.redis = subprocess.Popen(["taskset", "-c", "0", "redis-server", "--port", str(port), "--bind", "127.0.0.1",
                                           "--save", "", "--appendonly", "no", "--dir", logs], stdout=subprocess.DEVNULL)
            self.processes.append(self.redis)
            wait_listening(port, self.redis, "redis-server")
            redis = ["--redis", f"127.0.0.1:{port}"]
        for _ in range(nodes):
            port = free_port()
            log = open(os.path.join(logs, f"ws-{port}.log"), "w")
            node = subprocess.Popen(["taskset", "-c", "0", *wsserver, "--port", str(port), "--address", "127.0.0.1", "--workers", "2000",
                                     "--handler", "chat", "--chat-history", str(history), "--log-level", "Warning", *redis],
                                    stdout=log, stderr=log)
            self.processes.append(node)
            self.ports.append(port)
            wait_listening(port, node, "wsserver")
        self.nodes = [p for p in self.processes if p is not getattr(self, "redis", None)]

    def url(self, i, query=""):
        return f"ws://127.0.0.1:{self.ports[i % len(self.ports)]}/chat?name=m{i}{query}"

    def stop(self):
        for p in self.processes:
            if p.poll() is None:
                p.terminate()
        for p in self.processes:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


async def fan_out(cluster, rate, seconds):
    latencies, received = [], [0]

    def on_text(_client, data, now):
        frame = json.loads(data)
        if frame.get("type") == "message" and frame["text"].startswith("t "):
            latencies.append(now - int(frame["text"].split()[1]))
            received[0] += 1

    members = [await connect(cluster.url(i), on_text) for i in range(MEMBERS)]
    publisher = await connect(cluster.url(MEMBERS))
    # Warm-up at the same rate, not measured: every node listening, its code compiled to its final tier.
    for i in range(int(rate * WARMUP)):
        publisher.send(f"w {i}")
        await asyncio.sleep(1 / rate)
    await asyncio.sleep(1)
    cpu = cpu_seconds(p.pid for p in cluster.nodes)
    start = time.monotonic_ns()
    count = int(rate * seconds)
    for i in range(count):
        publisher.send(f"t {time.monotonic_ns()}")
        await asyncio.sleep(max(0, start + (i + 1) * 1e9 / rate - time.monotonic_ns()) / 1e9)
    for _ in range(100):
        if received[0] >= count * MEMBERS:
            break
        await asyncio.sleep(0.1)
    elapsed = (time.monotonic_ns() - start) / 1e9
    cpu = cpu_seconds(p.pid for p in cluster.nodes) - cpu
    for client in members + [publisher]:
        client.close()
    latencies.sort()
    return dict(deliveries=received[0] / elapsed, p50=pct(latencies, .5), p99=pct(latencies, .99),
                lost=count * MEMBERS - received[0], cpu_per_k=cpu * 1000 / max(1, received[0]) * 1000)


async def recovery(cluster, rounds):
    times = []
    for r in range(rounds):
        last = {}
        seen = asyncio.Event()

        def remember(_client, data, _now):
            frame = json.loads(data)
            if frame.get("type") == "message" and frame["text"] == f"before the cut {r}":
                last["pos"] = frame["pos"]
                seen.set()

        member = await connect(cluster.url(1, f"&round={r}"), remember)
        speaker = await connect(cluster.url(0))
        speaker.send(f"before the cut {r}")
        await asyncio.wait_for(seen.wait(), 10)
        member.close()
        await asyncio.sleep(0.2)
        watcher_done = asyncio.Event()
        count = [0]

        def watch(_client, data, _now):
            frame = json.loads(data)
            if frame.get("type") == "message" and frame["text"].startswith("missed"):
                count[0] += 1
                if count[0] == MISSED:
                    watcher_done.set()

        watcher = await connect(cluster.url(1), watch)  # on the comeback's node: the missed messages are there
        for i in range(MISSED):
            speaker.send(f"missed {i}")
        await asyncio.wait_for(watcher_done.wait(), 30)
        got = [0]
        done = asyncio.Event()

        def recover(_client, data, _now):
            frame = json.loads(data)
            if frame.get("type") == "message" and frame["text"].startswith("missed"):
                got[0] += 1
                if got[0] == MISSED:
                    done.set()

        start = time.monotonic_ns()
        back = await connect(cluster.url(1, "&since=" + last["pos"]), recover)
        await asyncio.wait_for(done.wait(), 30)
        times.append((time.monotonic_ns() - start) / 1e6)
        for client in (back, speaker, watcher):
            client.close()
    times.sort()
    return times[len(times) // 2]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=float, default=500)
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--rounds", type=int, default=5)
    a = p.parse_args()
    os.sched_setaffinity(0, {1})
    logs = tempfile.mkdtemp(prefix="wsserver-history-")
    rows, recoveries = [], []
    for nodes in (1, 2):
        for history in (0, MISSED):
            cluster = Cluster(nodes, history, logs)
            try:
                r = asyncio.run(fan_out(cluster, a.rate, a.seconds))
                rows.append(f"| {'no Redis' if nodes == 1 else 'Redis'} | {nodes} | {history or 'off'} | {r['deliveries']:,.0f} | "
                             f"{r['p50']:.1f} | {r['p99']:.1f} | {r['lost']} | {r['cpu_per_k']:.2f} |")
                if history:
                    recoveries.append(f"| {'no Redis' if nodes == 1 else 'Redis'} | {nodes} | {asyncio.run(recovery(cluster, a.rounds)):.0f} |")
            finally:
                cluster.stop()
    print(f"{MEMBERS} chat members, {a.rate:.0f} messages/s for {a.seconds:.0f} s; nodes and Redis on core 0, this script on core 1\n")
    print("| Redis | nodes | history | deliveries/s | p50 ms | p99 ms | lost | nodes' CPU ms per 1k deliveries |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nRecovering {MISSED} missed messages (median of {a.rounds}): reconnect to the last one\n")
    print("| Redis | nodes | ms |")
    print("|---|---|---|")
    print("\n".join(recoveries))


if __name__ == "__main__":
    main()
