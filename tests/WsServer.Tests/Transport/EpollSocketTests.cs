using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using WsServer.Tests.TestSupport;
using WsServer.Transport;
using WsServer.Transport.Epoll;

namespace WsServer.Tests.Transport;

/// <summary>The epoll transport below the server: what an edge-triggered loop can lose (a FIN that came with
/// the last bytes, an edge between a receive and its wait), sends larger than the socket's buffer, gathered
/// sends, and the ways a wait ends (abort, cancellation).</summary>
public sealed class EpollSocketTests
{
    [Fact]
    public void TheTransportRunsOnThisMachine() =>
        Assert.True(EpollInterop.IsSupported, "the epoll transport should run on Linux x86-64 with glibc");

    [Fact]
    public async Task AFinThatCameWithTheLastBytesEndsTheNextRead()
    {
        (Socket client, Socket server) = await SocketPair.ConnectAsync();
        using var epoll = new EpollSocket(server.SafeHandle, inline: false);
        await client.SendAsync("last"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);
        // On loopback both are in the socket when Shutdown returns; the pause lets the loop see their edges.
        Assert.True(await Timeouts.Eventually(() => server.Available == 4));
        await Task.Delay(100);

        var reader = new SocketReader(epoll);
        ReadResult read = await reader.ReadAsync().AsTask().Bounded();
        Assert.Equal("last"u8.ToArray(), read.Buffer.ToArray());
        reader.AdvanceTo(read.Buffer.End);
        // Both came before the first receive, so no edge will follow it: the FIN must not be waited for.
        Assert.True((await reader.ReadAsync().AsTask().Bounded()).IsCompleted);
        reader.Complete();
        client.Dispose();
        server.Dispose();
    }

    [Fact]
    public async Task BytesSentWhileTheReaderIsBusyAreNotWaitedForAgain()
    {
        (Socket client, Socket server) = await SocketPair.ConnectAsync();
        using var epoll = new EpollSocket(server.SafeHandle, inline: false);
        byte[] room = new byte[16];
        Assert.Equal(-1, epoll.Receive(room)); // nothing yet: armed
        await client.SendAsync("late"u8.ToArray());
        Assert.True(await Timeouts.Eventually(() => epoll.MayHaveInput)); // the edge came before any wait
        await epoll.WaitReadableAsync(CancellationToken.None).AsTask().Bounded();
        Assert.Equal(4, epoll.Receive(room));
        client.Dispose();
        server.Dispose();
    }

    [Fact]
    public async Task ASendLargerThanTheSocketBufferCompletesOnceThePeerReads()
    {
        (Socket client, Socket server) = await SocketPair.ConnectAsync();
        using var epoll = new EpollSocket(server.SafeHandle, inline: false);
        byte[] sent = [.. Enumerable.Range(0, 8 * 1024 * 1024).Select(i => (byte)(i * 7))];
        ValueTask sending = epoll.SendAsync(sent);
        Assert.False(sending.IsCompleted); // 8 MiB is more than loopback buffers hold

        byte[] received = await ReceiveAsync(client, sent.Length);
        await sending.AsTask().Bounded();
        Assert.Equal(sent, received);
        client.Dispose();
        server.Dispose();
    }

    [Fact]
    public async Task AGatheredSendKeepsTheOrderAndTheOffsetsOfEverySegment()
    {
        (Socket client, Socket server) = await SocketPair.ConnectAsync();
        using var epoll = new EpollSocket(server.SafeHandle, inline: false);
        byte[] big = [.. Enumerable.Range(0, 3 * 1024 * 1024).Select(i => (byte)i)];
        List<ArraySegment<byte>> batch = [new("xabcx"u8.ToArray(), 1, 3), new(big, 5, big.Length - 10), new("de"u8.ToArray())];
        byte[] expected = [.. batch.SelectMany(s => s)];
        ValueTask sending = epoll.SendAsync(batch, expected.Length);

        byte[] received = await ReceiveAsync(client, expected.Length);
        await sending.AsTask().Bounded();
        Assert.Equal(expected, received);
        client.Dispose();
        server.Dispose();
    }

    [Fact]
    public async Task AbortEndsAPendingReadAndAPendingSend()
    {
        (Socket client, Socket server) = await SocketPair.ConnectAsync();
        using var epoll = new EpollSocket(server.SafeHandle, inline: false);
        Assert.Equal(-1, epoll.Receive(new byte[16]));
        Task reading = epoll.WaitReadableAsync(CancellationToken.None).AsTask();
        Task sending = epoll.SendAsync(new byte[8 * 1024 * 1024]).AsTask();
        Assert.False(reading.IsCompleted);
        Assert.False(sending.IsCompleted);

        // Only a wait still pending can end in ObjectDisposedException: one that had ended by itself (a
        // read without bytes, a send larger than the buffers without a reader) would have succeeded.
        epoll.Abort();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => reading.Bounded());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => sending.Bounded());
        client.Dispose();
        server.Dispose();
    }

    [Fact]
    public async Task CancellationEndsAPendingRead()
    {
        (Socket client, Socket server) = await SocketPair.ConnectAsync();
        using var epoll = new EpollSocket(server.SafeHandle, inline: false);
        using var cancellation = new CancellationTokenSource();
        Assert.Equal(-1, epoll.Receive(new byte[16]));
        Task reading = epoll.WaitReadableAsync(cancellation.Token).AsTask();
        Assert.False(reading.IsCompleted);

        // Only a wait still pending can end cancelled: one that had ended without bytes would have succeeded.
        cancellation.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading.Bounded());
        client.Dispose();
        server.Dispose();
    }

    [Fact]
    public async Task ACancellationAfterTheWaitEndedLeavesLaterWaitsAlone()
    {
        (Socket client, Socket server) = await SocketPair.ConnectAsync();
        using var epoll = new EpollSocket(server.SafeHandle, inline: false);
        using var cancellation = new CancellationTokenSource();
        Assert.Equal(-1, epoll.Receive(new byte[16]));
        Task reading = epoll.WaitReadableAsync(cancellation.Token).AsTask();
        await client.SendAsync("a"u8.ToArray());
        await reading.Bounded();
        cancellation.Cancel(); // as a handshake timeout that fires just after the request came

        Assert.Equal(1, epoll.Receive(new byte[16]));
        Assert.Equal(-1, epoll.Receive(new byte[16]));
        Task next = epoll.WaitReadableAsync(CancellationToken.None).AsTask();
        await client.SendAsync("b"u8.ToArray());
        await next.Bounded();
        Assert.Equal(1, epoll.Receive(new byte[16]));
        client.Dispose();
        server.Dispose();
    }

    [Fact]
    public async Task AReceiveOnADisposedSocketThrowsInsteadOfUsingItsDescriptor()
    {
        (Socket client, Socket server) = await SocketPair.ConnectAsync();
        var epoll = new EpollSocket(server.SafeHandle, inline: false);
        server.Dispose();
        Assert.Throws<ObjectDisposedException>(() => epoll.Receive(new byte[16]));
        epoll.Dispose();
        client.Dispose();
    }

    private static async Task<byte[]> ReceiveAsync(Socket socket, int length)
    {
        byte[] into = new byte[length];
        int at = 0;
        while (at < length)
        {
            int n = await socket.ReceiveAsync(into.AsMemory(at)).AsTask().Bounded();
            Assert.NotEqual(0, n);
            at += n;
        }
        return into;
    }
}
