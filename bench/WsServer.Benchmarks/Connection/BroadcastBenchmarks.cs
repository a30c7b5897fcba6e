using BenchmarkDotNet.Attributes;
using WsServer.Benchmarks.Support;
using WsServer.Connections;
using WsServer.PubSub;

namespace WsServer.Benchmarks.Connection;

/// <summary>Fan-out end to end: <see cref="Receivers"/> clients connected to a real server on loopback,
/// all subscribed to one topic; an operation is one publish and every receiver reading its copy.
/// Mean and Allocated are per delivery (OperationsPerInvoke = Receivers, which BenchmarkDotNet needs
/// as a constant, so the receiver count is not a [Params]). The bar is 0 bytes per delivery.</summary>
/// <remarks>The <c>Prebuilt</c> cases publish one <see cref="PreparedMessage"/> again and again: the
/// delivery cost alone. The <c>BuiltPerPublish</c> cases encode the message in the operation, as an
/// application publishing fresh data does; that allocation is per publish by design (encode once), and
/// shows here divided by the receivers.</remarks>
[MemoryDiagnoser]
public class BroadcastBenchmarks
{
    public const int Receivers = 100;
    private const string Topic = "bench";

    private LoopbackServer _server = null!;
    private RawClient[] _receivers = null!;
    private byte[] _payload = null!;
    private PreparedMessage _prepared = null!;
    private byte[] _copy = null!;

    [Params(16, 1024)]
    public int PayloadSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var handler = new SubscriberHandler(Topic);
        _server = new LoopbackServer(handler);
        _payload = WireFrames.BinaryPayload(PayloadSize);
        _prepared = PreparedMessage.Binary(_payload);
        _copy = new byte[_prepared.Frame.Length];
        _receivers = new RawClient[Receivers];
        for (int i = 0; i < Receivers; i++)
            _receivers[i] = RawClient.ConnectAndUpgrade(_server.EndPoint, new byte[1024]);
        LoopbackServer.WaitUntil(() => handler.Subscribed == Receivers, "every receiver to subscribe");

        // Check the bytes once, so the measured operations only have to read them.
        PublishPrebuilt();
        if (!_copy.AsSpan().SequenceEqual(_prepared.Frame.Span))
            throw new InvalidOperationException("A receiver got other bytes than the frame published.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (RawClient receiver in _receivers) receiver.Dispose();
        _server.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Receivers)]
    public void BroadcastPrebuilt() => ReadEveryCopy(_server.Server.Broadcast(_prepared));

    [Benchmark(OperationsPerInvoke = Receivers)]
    public void PublishPrebuilt() => ReadEveryCopy(_server.Server.Publish(Topic, _prepared));

    [Benchmark(OperationsPerInvoke = Receivers)]
    public void BroadcastBuiltPerPublish() => ReadEveryCopy(_server.Server.Broadcast(PreparedMessage.Binary(_payload)));

    [Benchmark(OperationsPerInvoke = Receivers)]
    public void PublishBuiltPerPublish() => ReadEveryCopy(_server.Server.Publish(Topic, PreparedMessage.Binary(_payload)));

    private void ReadEveryCopy(int queued)
    {
        if (queued != Receivers) throw new InvalidOperationException($"Queued to {queued} of {Receivers} receivers.");
        foreach (RawClient receiver in _receivers) receiver.ReceiveExactly(_copy);
    }
}

/// <summary>Subscribes every connection to one topic and counts them, so a benchmark knows when all
/// its receivers will get a publish.</summary>
internal sealed class SubscriberHandler(string topic) : IWebSocketHandler
{
    private int _subscribed;

    public int Subscribed => Volatile.Read(ref _subscribed);

    public ValueTask InitAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        connection.Subscribe(topic);
        Interlocked.Increment(ref _subscribed);
        return ValueTask.CompletedTask;
    }

    public ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection,
        CancellationToken cancellationToken) => new(HandleResult.NoReply());
}
