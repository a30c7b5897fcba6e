using System.Globalization;

namespace WsServer.Redis;

/// <summary>
/// Where a connection lives among the nodes: the node's id and the connection's <c>Info.Id</c> on that
/// node. Connection ids are only unique within one process, so the node id makes them unique across
/// the nodes sharing a Redis. Its text form, <c>NODE/ID</c>, can be handed to clients or stored, and
/// read back with <see cref="Parse"/>.
/// </summary>
/// <param name="NodeId">The <see cref="RedisBackplane.NodeId"/> of the node holding the connection.</param>
/// <param name="ConnectionId">The connection's <c>Info.Id</c> on that node.</param>
public readonly record struct ConnectionAddress(string NodeId, long ConnectionId)
{
    /// <summary>The text form, <c>NODE/ID</c>.</summary>
    public override string ToString() => $"{NodeId}/{ConnectionId.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Reads the text form <c>NODE/ID</c>; a <see cref="FormatException"/> names a malformed one.</summary>
    public static ConnectionAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int slash = text.LastIndexOf('/');
        if (slash <= 0 || !long.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long id))
            throw new FormatException($"'{text}' is not a connection address (NODE/ID)");
        return new ConnectionAddress(text[..slash], id);
    }
}
