using System.Collections;

namespace WsServer.Protocol.Handshake;

/// <summary>Header fields in the order received; names compare case-insensitively, a field may repeat.</summary>
public sealed class HttpHeaders : IReadOnlyList<KeyValuePair<string, string>>
{
    private readonly List<KeyValuePair<string, string>> _fields = [];

    /// <summary>The number of fields.</summary>
    public int Count => _fields.Count;

    /// <summary>The field at <paramref name="index"/>.</summary>
    public KeyValuePair<string, string> this[int index] => _fields[index];

    /// <summary>The field's value, repeated fields joined with ", " (RFC 9110 §5.3); null when absent.</summary>
    public string? this[string name] => throw new NotImplementedException();

    /// <summary>Adds a field.</summary>
    public void Add(string name, string value) => _fields.Add(new(name, value));

    /// <summary>Every value of the field, in order.</summary>
    public IEnumerable<string> GetValues(string name) => throw new NotImplementedException();

    /// <summary>True when a comma-separated list in any instance of the field holds
    /// <paramref name="token"/>, compared case-insensitively (<c>Connection: keep-alive, Upgrade</c>).</summary>
    public bool ContainsToken(string name, string token) => throw new NotImplementedException();

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _fields.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
