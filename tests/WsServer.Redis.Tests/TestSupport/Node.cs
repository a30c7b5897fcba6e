using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Logging;
using WsServer.Connections;
using WsServer.Hosting;
using WsServer.PubSub;

namespace WsServer.Redis.Tests.TestSupport;

/// <summary>One node: a server on a loopback port whose clients subscribe to <see cref="Topic"/> (or the
/// topic their URL's <c>topic</c> query names) when they connect, and are told their connection id
/// ("ready ID") once the subscription holds on every node; and its backplane.</summary>
public sealed class Node : IAsyncDisposable
{
    public const string Topic = "room";

    /// <summary>The topic query that subscribes to nothing: the test subscribes the connection itself.</summary>
    public const string NoTopic = "-";

    /// <summary>A channel prefix of the test's own, so tests sharing nothing see nothing of each other.</summary>
    public static string Prefix() => "test-" + Guid.NewGuid().ToString("N");

    private Node(WebSocketServer server, RedisBackplane backplane)
    {
        Server = server;
        Backplane = backplane;
    }

    public WebSocketServer Server { get; }

    public RedisBackplane Backplane { get; }

    public static Task<Node> StartAsync(string configuration, string nodeId, string prefix, IMeterFactory? meters = null,
        ILoggerFactory? logs = null) =>
        StartAsync(new RedisBackplaneOptions { Configuration = configuration, NodeId = nodeId, ChannelPrefix = prefix }, meters, logs);

    public static async Task<Node> StartAsync(RedisBackplaneOptions options, IMeterFactory? meters = null, ILoggerFactory? logs = null,
        Action<ServerOptions>? configure = null)
    {
        ServerOptions serverOptions = new ServerOptions { Port = 0 }.UseHandler(new RoomHandler());
        configure?.Invoke(serverOptions);
        var server = new WebSocketServer(serverOptions, meterFactory: meters);
        await server.StartAsync();
        var backplane = new RedisBackplane(server, options, logs, meters);
        await backplane.StartAsync();
        return new Node(server, backplane);
    }

    /// <summary>Publishes a text message to <paramref name="topic"/> from this node, as a handler would.</summary>
    public int Publish(string text, string topic = Topic) => Server.Publish(topic, PreparedMessage.Text(text));

    /// <summary>A client of this node, subscribed to nothing, and its connection on the server's side.</summary>
    public async Task<(ClientWebSocket Client, WebSocketConnection Connection)> ConnectBareAsync()
    {
        (ClientWebSocket client, ConnectionAddress address) = await ConnectAsync(NoTopic);
        Assert.True(Server.TryGetConnection(address.ConnectionId, out WebSocketConnection? connection));
        return (client, connection);
    }

    /// <summary>A client of this node, subscribed to <paramref name="topic"/>, and its address across the nodes.</summary>
    public async Task<(ClientWebSocket Client, ConnectionAddress Address)> ConnectAsync(string topic = Topic)
    {
        var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{Server.LocalEndPoints[0].Port}/?topic={Uri.EscapeDataString(topic)}"), Timeouts.Token());
        string ready = await ReceiveTextAsync(client);
        return (client, new ConnectionAddress(Backplane.NodeId, long.Parse(ready["ready ".Length..], System.Globalization.CultureInfo.InvariantCulture)));
    }

    public static async Task<string> ReceiveTextAsync(ClientWebSocket client, CancellationToken cancellationToken = default)
    {
        using CancellationTokenSource bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(Timeouts.Default);
        var buffer = new byte[64 * 1024];
        int length = 0;
        while (true)
        {
            WebSocketReceiveResult result = await client.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), bound.Token);
            length += result.Count;
            if (result.EndOfMessage) return Encoding.UTF8.GetString(buffer, 0, length);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Backplane.DisposeAsync();
        await Server.StopAsync();
        await Server.DisposeAsync();
    }

    private sealed class RoomHandler : IWebSocketHandler<int>
    {
        public async ValueTask<int> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
        {
            string topic = connection.Info.QueryValue("topic") ?? Topic;
            if (topic != NoTopic) await connection.SubscribeAsync(topic, cancellationToken);
            await connection.SendAsync($"ready {connection.Id}", cancellationToken);
            return 0;
        }

        public ValueTask<HandleResult<int>> HandleAsync(WebSocketMessage message, int state, CancellationToken cancellationToken) =>
            new(HandleResult.NoReply(state));

        // A presence change the connection watches, told to its client: "join ADDRESS INFO" or "leave ADDRESS INFO".
        public ValueTask<HandleResult<int>> HandleInfoAsync(object? item, int state, CancellationToken cancellationToken) =>
            new(item is PubSub.PresenceChange change
                ? HandleResult.Reply(state, $"{(change.Joined ? "join" : "leave")} {change.Member.Address} {change.Member.Info}")
                : HandleResult.NoReply(state));
    }
}
