using System.Net;

namespace WsServer.LoadTest.Client;

/// <summary>Opens and closes many client connections with bounded concurrency.</summary>
internal static class ClientGroup
{
    /// <summary>Opens up to <paramref name="count"/> connections, <paramref name="concurrency"/> at a
    /// time, each with the handshake <paramref name="offer"/> asks for; stops early (returning what is open) when
    /// the machine refuses more, e.g. at the fd limit. With <paramref name="blocking"/> they come from
    /// <see cref="WsClient.Connect"/>, for <see cref="EpollClientLoop"/>, one at a time on the calling thread
    /// (handshakes over loopback are quick).</summary>
    public static async Task<List<WsClient>> OpenAsync(IPEndPoint server, int count, int bufferSize, int concurrency = 32,
        ClientOffer? offer = null, bool blocking = false)
    {
        var clients = new List<WsClient>(count);
        int next = 0;
        Exception? failure = null;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        async Task WorkerAsync()
        {
            while (failure is null && Interlocked.Increment(ref next) <= count)
            {
                try
                {
                    WsClient client = blocking ? WsClient.Connect(server, bufferSize, offer)
                        : await WsClient.ConnectAsync(server, bufferSize, cts.Token, offer);
                    lock (clients) clients.Add(client);
                }
                catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or OperationCanceledException)
                {
                    failure ??= ex;
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, count)).Select(_ => WorkerAsync()));
        if (failure is not null)
            Console.Error.WriteLine($"  opened {clients.Count} of {count} connections: {failure.Message}");
        if (clients.Count == 0) throw new IOException($"No connection to {server} could be opened.", failure);
        return clients;
    }

    /// <summary>Runs the closing handshake on every client, then disposes them.</summary>
    public static async Task CloseAsync(IEnumerable<WsClient> clients)
    {
        await Task.WhenAll(clients.Select(c => c.CloseAsync(TimeSpan.FromSeconds(3))));
        foreach (WsClient client in clients) client.Dispose();
    }
}
