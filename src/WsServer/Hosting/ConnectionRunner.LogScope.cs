using System.Collections;
using WsServer.Diagnostics;

namespace WsServer.Hosting;

// The connection's log scope (Log.ConnectionScopeFormat): its fields are read from the connection when a line
// is written, so a connection keeps no copy of them.
internal sealed partial class ConnectionRunner : IReadOnlyList<KeyValuePair<string, object?>>
{
    int IReadOnlyCollection<KeyValuePair<string, object?>>.Count => 4;

    KeyValuePair<string, object?> IReadOnlyList<KeyValuePair<string, object?>>.this[int index] => index switch
    {
        0 => new("ConnectionId", _connection!.Id),
        1 => new("Remote", _connection!.Info.RemoteEndPoint),
        2 => new("Path", _connection!.Info.Path),
        3 => new("{OriginalFormat}", Log.ConnectionScopeFormat),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    IEnumerator<KeyValuePair<string, object?>> IEnumerable<KeyValuePair<string, object?>>.GetEnumerator()
    {
        IReadOnlyList<KeyValuePair<string, object?>> fields = this;
        for (int i = 0; i < fields.Count; i++) yield return fields[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)this).GetEnumerator();

    public override string ToString() =>
        $"Connection {_connection!.Id} from {_connection.Info.RemoteEndPoint} for {_connection.Info.Path}";
}
