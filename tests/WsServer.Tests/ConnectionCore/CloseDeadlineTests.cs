using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using WsServer.Connections;
using WsServer.Tests.TestSupport;
using WsServer.Transport;

namespace WsServer.Tests.ConnectionCore;

/// <summary>The close deadline on its own, over a real socket pair and a fake clock: its timer runs inside
/// <c>Advance</c>, so the transport's state right after a step is the deadline's whole verdict.</summary>
public sealed class CloseDeadlineTests : IAsyncDisposable
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    private readonly FakeTimeProvider _time = new();
    private Socket? _client;
    private ConnectionTransport? _transport;

    [Fact]
    public async Task TheTransportIsCutOneCloseTimeoutAfterTheArmAndNotBefore()
    {
        ConnectionTransport transport = await OpenAsync();
        var deadline = new CloseDeadline();

        deadline.Arm(_time, CloseTimeout, transport);
        _time.Advance(CloseTimeout - Tick);
        Assert.False(transport.IsAborted, "cut before the close timeout");
        _time.Advance(Tick);

        Assert.True(transport.IsAborted, "not cut at the close timeout");
        Assert.Equal(0, await _client!.ReceiveAsync(new byte[16].AsMemory()).AsTask().Bounded()); // the peer sees the end
        deadline.Dispose();
    }

    [Fact]
    public async Task TheFirstArmStartsTheDeadlineAndALaterOneDoesNotPutItOff()
    {
        ConnectionTransport transport = await OpenAsync();
        var deadline = new CloseDeadline();

        deadline.Arm(_time, CloseTimeout, transport);
        _time.Advance(TimeSpan.FromSeconds(3));
        deadline.Arm(_time, CloseTimeout, transport);
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.True(transport.IsAborted);
        deadline.Dispose();
    }

    [Fact]
    public async Task NothingIsCutBeforeTheArmOrAfterTheDispose()
    {
        ConnectionTransport transport = await OpenAsync();
        var deadline = new CloseDeadline();

        _time.Advance(TimeSpan.FromDays(1));
        Assert.False(transport.IsAborted, "cut though never armed");
        deadline.Arm(_time, CloseTimeout, transport);
        deadline.Dispose();
        _time.Advance(TimeSpan.FromDays(1));

        Assert.False(transport.IsAborted, "cut though disposed");
    }

    public async ValueTask DisposeAsync()
    {
        if (_transport is not null) await _transport.DisposeAsync();
        _client?.Dispose();
    }

    private async Task<ConnectionTransport> OpenAsync()
    {
        (Socket client, Socket server) = await SocketPair.ConnectAsync();
        _client = client;
        _transport = new SocketTransport(server, (IPEndPoint)server.RemoteEndPoint!, (IPEndPoint)server.LocalEndPoint!,
            _time.GetUtcNow());
        return _transport;
    }
}
