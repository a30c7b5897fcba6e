using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using WsServer.Client;
using WsServer.Connections;
using WsServer.Protocol.Handshake;
using WsServer.Protocol.Session;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Client;

/// <summary>The client's pings on a fake clock, against a peer that answers when the test says so: the
/// round-trip time and the pong timeout, on both sides of the deadline.</summary>
public sealed class WebSocketClientPingTests
{
    private static readonly TimeSpan PongTimeout = TimeSpan.FromSeconds(10);
    private readonly FakeClock _time = new();

    [Fact]
    public async Task PingAsyncFailsAtThePongTimeoutAndNotBefore()
    {
        using var peer = new Peer();
        await using WebSocketClient client = await peer.ConnectAsync(new WebSocketClientOptions
        {
            TimeProvider = _time,
            PongTimeout = PongTimeout,
        });
        Task<WebSocketMessage> receiving = client.ReceiveAsync(Timeouts.Token()).AsTask();

        // A pong just before the timeout still answers: had the wait failed early, it would have failed
        // inside the step, before the pong was sent.
        Task<TimeSpan> answered = client.PingAsync();
        byte[] ping = await peer.ReadPingAsync();
        Assert.True(await _time.ArmedAsync(PongTimeout, 1));
        _time.Advance(PongTimeout - TimeSpan.FromMilliseconds(1));
        await peer.SendPongAsync(ping);
        Assert.Equal(PongTimeout - TimeSpan.FromMilliseconds(1), await answered.Bounded());

        // A ping left unanswered fails when its timeout is up; the connection stays open.
        Task<TimeSpan> unanswered = client.PingAsync();
        await peer.ReadPingAsync();
        Assert.True(await _time.ArmedAsync(PongTimeout, 2));
        _time.Advance(PongTimeout);
        await Assert.ThrowsAsync<TimeoutException>(() => unanswered.Bounded());
        Assert.Equal(SessionState.Open, client.State);
        Assert.False(receiving.IsCompleted);
    }

    [Fact]
    public async Task APongAnswersTheEarlierPingsTooEachWithItsOwnRoundTripTime()
    {
        using var peer = new Peer();
        await using WebSocketClient client = await peer.ConnectAsync(new WebSocketClientOptions { TimeProvider = _time });
        _ = client.ReceiveAsync(Timeouts.Token()).AsTask();

        Task<TimeSpan> first = client.PingAsync();
        await peer.ReadPingAsync();
        _time.Advance(TimeSpan.FromSeconds(2));
        Task<TimeSpan> second = client.PingAsync();
        byte[] latest = await peer.ReadPingAsync();
        _time.Advance(TimeSpan.FromSeconds(1));
        // RFC 6455 §5.5.3: a pong may answer only the most recent ping.
        await peer.SendPongAsync(latest);

        Assert.Equal(TimeSpan.FromSeconds(3), await first.Bounded());
        Assert.Equal(TimeSpan.FromSeconds(1), await second.Bounded());
    }

    /// <summary>A server written by hand: it accepts one client, answers its handshake, reads its pings
    /// and sends pongs only when told.</summary>
    private sealed class Peer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private TcpClient? _accepted;
        private NetworkStream? _stream;

        public Peer() => _listener.Start();

        public async Task<WebSocketClient> ConnectAsync(WebSocketClientOptions options)
        {
            int port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            Task<WebSocketClient> connecting = WebSocketClient.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/"), options, Timeouts.Token());
            _accepted = await _listener.AcceptTcpClientAsync(Timeouts.Token());
            _stream = _accepted.GetStream();
            var head = new StringBuilder();
            var buffer = new byte[4096];
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                head.Append(Encoding.ASCII.GetString(buffer, 0, await _stream.ReadAsync(buffer, Timeouts.Token())));
            string key = Regex.Match(head.ToString(), "Sec-WebSocket-Key: (\\S+)").Groups[1].Value;
            await _stream.WriteAsync(Encoding.ASCII.GetBytes(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Accept: {AcceptKey.Compute(key)}\r\n\r\n"), Timeouts.Token());
            return await connecting.Bounded();
        }

        /// <summary>Reads the client's next frame, which must be a ping, and returns its unmasked data.</summary>
        public async Task<byte[]> ReadPingAsync()
        {
            byte[] header = await ReadExactlyAsync(2);
            Assert.Equal(0x89, header[0]);
            int length = header[1] & 0x7f; // a ping's data is at most 125 bytes: no extended length
            byte[] mask = await ReadExactlyAsync(4);
            byte[] data = await ReadExactlyAsync(length);
            for (int i = 0; i < data.Length; i++) data[i] ^= mask[i % 4];
            return data;
        }

        public async Task SendPongAsync(byte[] data) =>
            await _stream!.WriteAsync((byte[])[0x8a, (byte)data.Length, .. data], Timeouts.Token());

        public void Dispose()
        {
            _accepted?.Dispose();
            _listener.Dispose();
        }

        private async Task<byte[]> ReadExactlyAsync(int count)
        {
            byte[] bytes = new byte[count];
            await _stream!.ReadExactlyAsync(bytes, Timeouts.Token());
            return bytes;
        }
    }
}
