using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace WsServer.Host.Status;

/// <summary>One interval's figures, as the status page receives them each second (<see cref="WriteJson"/>).</summary>
internal sealed class StatusSnapshot
{
    /// <summary>The interval's length on the server's clock.</summary>
    public required double IntervalSeconds { get; init; }

    /// <summary>Open WebSocket connections at the end of the interval, status viewers included.</summary>
    public required long Connections { get; init; }

    /// <summary>Connections at the end of each of the last (at most <see cref="StatusFigures.HistoryLength"/>) intervals, oldest first.</summary>
    public required IReadOnlyList<long> ConnectionHistory { get; init; }

    public required double MessagesInPerSecond { get; init; }

    public required double MessagesOutPerSecond { get; init; }

    public required double BytesInPerSecond { get; init; }

    public required double BytesOutPerSecond { get; init; }

    /// <summary>The handler's time per call in the interval: p50, p90, p99 (ms); null without a call.</summary>
    public required IReadOnlyList<double?> HandlerMilliseconds { get; init; }

    /// <summary>Ping round-trip times in the interval: p50, p99 (ms); null without a pong.</summary>
    public required IReadOnlyList<double?> RoundTripMilliseconds { get; init; }

    public required long SendQueueBytes { get; init; }

    /// <summary>Upgrades refused since the status began, by HTTP status.</summary>
    public required IReadOnlyDictionary<int, long> RefusedByStatus { get; init; }

    /// <summary>Connections closed since the status began, by close code.</summary>
    public required IReadOnlyDictionary<int, long> ClosedByCode { get; init; }

    /// <summary>The Redis backplane: <c>none</c>, <c>connected</c> or <c>away</c>.</summary>
    public required string Backplane { get; init; }

    /// <summary>Writes the snapshot as one JSON object, in the shape the page reads.</summary>
    public void WriteJson(IBufferWriter<byte> output)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteNumber("intervalSeconds", Math.Round(IntervalSeconds, 3));
        json.WriteNumber("connections", Connections);
        json.WriteStartArray("connectionHistory");
        foreach (long count in ConnectionHistory) json.WriteNumberValue(count);
        json.WriteEndArray();
        json.WriteNumber("messagesInPerSecond", Math.Round(MessagesInPerSecond, 1));
        json.WriteNumber("messagesOutPerSecond", Math.Round(MessagesOutPerSecond, 1));
        json.WriteNumber("bytesInPerSecond", Math.Round(BytesInPerSecond, 1));
        json.WriteNumber("bytesOutPerSecond", Math.Round(BytesOutPerSecond, 1));
        WritePercentiles(json, "handlerMs", HandlerMilliseconds, ["p50", "p90", "p99"]);
        WritePercentiles(json, "rttMs", RoundTripMilliseconds, ["p50", "p99"]);
        json.WriteNumber("sendQueueBytes", SendQueueBytes);
        WriteCounts(json, "refusedByStatus", RefusedByStatus);
        WriteCounts(json, "closedByCode", ClosedByCode);
        json.WriteString("backplane", Backplane);
        json.WriteEndObject();
    }

    private static void WritePercentiles(Utf8JsonWriter json, string name, IReadOnlyList<double?> values, string[] names)
    {
        json.WriteStartObject(name);
        for (int i = 0; i < names.Length; i++)
        {
            if (values[i] is { } value) json.WriteNumber(names[i], Math.Round(value, 3));
            else json.WriteNull(names[i]);
        }
        json.WriteEndObject();
    }

    private static void WriteCounts(Utf8JsonWriter json, string name, IReadOnlyDictionary<int, long> counts)
    {
        json.WriteStartObject(name);
        foreach ((int key, long count) in counts) json.WriteNumber(key.ToString(CultureInfo.InvariantCulture), count);
        json.WriteEndObject();
    }
}
