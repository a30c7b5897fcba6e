#!/usr/bin/python3
"""A Redis that stops answering, under two wsserver nodes: does local delivery wait for it?

Starts a redis-server (or a cluster) and two `wsserver --handler broadcast --redis` nodes A and B (core 0), and three
clients (core 1): a sender and a receiver on A, a receiver on B. The sender sends a message every
--interval seconds for --seconds; --pause-at seconds in, Redis is stopped (SIGSTOP) for --pause seconds,
then continued. Prints, for A's receiver (local delivery) during the pause and overall, the latency p50,
p99 and max and the count; for B's receiver, how many arrived, how many during the pause, and the time
from Redis continuing to B having all of them; and node A's RSS before and after.
With --cluster, Redis is a three-primary cluster and all three are stopped.
Usage: bench/ScaleOut/stall.py [--pause 10] [--seconds 20] [--interval 0.1] [--cluster] (WSSERVER as for run.sh)."""
import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from processes import free_port, wait_listening, wsserver_command  # noqa: E402
from load import connect  # noqa: E402  (the same sans-I/O client as the load generator)


def signal_all(processes, sig):
    for process in processes:
        os.kill(process.pid, sig)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


async def measure(a, ports, redis, node_a):
    sent = {}  # seq -> send time (monotonic ns)
    local, remote = {}, {}  # seq -> arrival time

    def receiver(arrived):
        def on_text(_client, data, now):
            seq = int(data.split()[1])
            arrived.setdefault(seq, now)
        return on_text

    sender = await connect(f"ws://127.0.0.1:{ports[0]}/")
    await connect(f"ws://127.0.0.1:{ports[0]}/", receiver(local))
    await connect(f"ws://127.0.0.1:{ports[1]}/", receiver(remote))
    # Until B's receiver hears A's sender, B is not yet listening to the room.
    for probe in range(200):
        sender.send(f"w {-1 - probe}")
        await asyncio.sleep(0.05)
        if remote:
            break
    else:
        sys.exit("stall.py: node B never heard node A")
    remote.clear()
    local.clear()

    rss_before = rss_kib(node_a.pid)
    start = time.monotonic_ns()
    pause_start = pause_end = None
    count = int(a.seconds / a.interval)
    for seq in range(count):
        now = time.monotonic_ns()
        if pause_start is None and now - start >= a.pause_at * 1e9:
            signal_all(redis, signal.SIGSTOP)
            pause_start = time.monotonic_ns()
        if pause_start and pause_end is None and now - pause_start >= a.pause * 1e9:
            signal_all(redis, signal.SIGCONT)
            pause_end = time.monotonic_ns()
        sent[seq] = time.monotonic_ns()
        sender.send(f"m {seq}")
        await asyncio.sleep(max(0, start + (seq + 1) * a.interval * 1e9 - time.monotonic_ns()) / 1e9)
    if pause_end is None:
        signal_all(redis, signal.SIGCONT)
        pause_end = time.monotonic_ns()
    for _ in range(100):  # up to 10 s for the rest to arrive
        if len(remote) == count and len(local) == count:
            break
        await asyncio.sleep(0.1)
    rss_after = rss_kib(node_a.pid)

    def latencies(arrived, during):
        return [(arrived[s] - sent[s]) / 1e6 for s in arrived
                if not during or pause_start <= sent[s] < pause_end]

    paused_sent = sum(1 for t in sent.values() if pause_start <= t < pause_end)
    lines = [f"{'A three-primary Redis Cluster' if a.cluster else 'Redis'} stopped for {(pause_end - pause_start) / 1e9:.1f} s of {a.seconds} s; one message every {a.interval * 1000:.0f} ms "
             f"({count} sent, {paused_sent} while Redis was stopped)", "",
             "| receiver | received | p50 ms | p99 ms | max ms |", "|---|---|---|---|---|"]
    for name, arrived, during in (("on A, while Redis was stopped", local, True), ("on A, all", local, False),
                                  ("on B, all", remote, False)):
        values = latencies(arrived, during)
        got = sum(1 for s in arrived if not during or pause_start <= sent[s] < pause_end)
        lines.append(f"| {name} | {got} | {pct(values, .5):.1f} | {pct(values, .99):.1f} | {max(values, default=float('nan')):.1f} |")
    during_on_b = [s for s in remote if pause_start <= remote[s] < pause_end]
    last_on_b = max((remote[s] for s in remote if sent[s] < pause_end), default=pause_end)
    lines += ["", f"On B while Redis was stopped: {len(during_on_b)} arrived; everything sent before it continued was on B "
              f"{(last_on_b - pause_end) / 1e6:.0f} ms after it continued.",
              f"Node A's RSS: {rss_before} KiB before, {rss_after} KiB after."]
    print("\n".join(lines))


def start_redis(cluster, logs):
    """One redis-server, or three cluster primaries joined into a cluster: the processes and the configuration."""
    count = 3 if cluster else 1
    ports = [free_port() for _ in range(count)]
    processes = []
    for port in ports:
        extra = ["--cluster-enabled", "yes", "--cluster-port", str(free_port()), "--cluster-config-file",
                 os.path.join(logs, f"nodes-{port}.conf")] if cluster else []
        process = subprocess.Popen(["taskset", "-c", "0", "redis-server", "--port", str(port), "--bind", "127.0.0.1",
                                    "--save", "", "--appendonly", "no", "--dir", logs, *extra], stdout=subprocess.DEVNULL)
        processes.append(process)
        wait_listening(port, process, "redis-server")
    if cluster:
        subprocess.run(["redis-cli", "--cluster", "create", *(f"127.0.0.1:{p}" for p in ports), "--cluster-replicas", "0",
                        "--cluster-yes"], check=True, stdout=subprocess.DEVNULL, timeout=60)
        for _ in range(300):
            if all("cluster_state:ok" in subprocess.run(["redis-cli", "-p", str(p), "cluster", "info"], capture_output=True,
                                                        text=True).stdout for p in ports):
                break
            time.sleep(0.1)
        else:
            sys.exit("stall.py: the cluster never reached cluster_state:ok")
    return processes, ",".join(f"127.0.0.1:{p}" for p in ports)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pause", type=float, default=10)
    p.add_argument("--pause-at", type=float, default=3)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--interval", type=float, default=0.1)
    p.add_argument("--cluster", action="store_true", help="a three-primary Redis Cluster, all three stopped")
    a = p.parse_args()
    wsserver = wsserver_command()
    logs = tempfile.mkdtemp(prefix="wsserver-stall-")
    processes = []
    try:
        redis, configuration = start_redis(a.cluster, logs)
        processes.extend(redis)
        ports = [free_port(), free_port()]
        nodes = []
        for port in ports:
            log = open(os.path.join(logs, f"ws-{port}.log"), "w")
            node = subprocess.Popen(["taskset", "-c", "0", *wsserver, "--port", str(port), "--address", "127.0.0.1",
                                     "--handler", "broadcast", "--redis", configuration], stdout=log, stderr=log)
            processes.append(node)
            nodes.append(node)
        for port, node in zip(ports, nodes):
            wait_listening(port, node, f"wsserver on {port}")
        os.sched_setaffinity(0, {1})
        asyncio.run(asyncio.wait_for(measure(a, ports, redis, nodes[0]), a.seconds + 60))
        with open(os.path.join(logs, f"ws-{ports[0]}.log")) as f:
            backplane = [line.rstrip() for line in f if "WsServer.Redis[" in line]
        print("\nNode A's backplane log:\n" + "\n".join(f"    {line}" for line in backplane))
    finally:
        for process in processes:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGCONT)  # a stopped Redis cannot act on SIGTERM
                process.terminate()
        for process in processes:
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
