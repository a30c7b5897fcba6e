"""What the ScaleOut scripts share to start their servers: free loopback ports, the wsserver command, and
waiting for a started process to listen."""
import os
import shlex
import socket
import sys
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wsserver_command():
    """The wsserver to run: $WSSERVER, else the repository's Release build."""
    return shlex.split(os.environ.get("WSSERVER", f"dotnet {REPO}/src/WsServer.Host/bin/Release/net10.0/WsServer.Host.dll"))


def wait_listening(port, process, what, seconds=60):
    """Until PORT takes connections; exits the script, naming WHAT, if the process ends or never listens."""
    script = os.path.basename(sys.argv[0])
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{script}: {what} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{script}: {what} did not listen on {port} within {seconds} s")
