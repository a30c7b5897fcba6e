using System.Collections;

namespace WsServer.Protocol.Handshake;

/// <summary>Header fields in the order received; names compare case-insensitively, a field may repeat.</summary>
/// <remarks>Not thread-safe for writing. The headers of a parsed message are read-only, so they are
/// safe to read from any thread.</remarks>
public sealed class HttpHeaders : IReadOnlyList<KeyValuePair<string, string>>
{
    private readonly List<KeyValuePair<string, string>> _fields = [];

    /// <summary>The number of fields.</summary>
    public int Count => _fields.Count;

    /// <summary>The field at <paramref name="index"/>.</summary>
    public KeyValuePair<string, string> this[int index] => _fields[index];

    /// <summary>The field's value, repeated fields joined with ", " (RFC 9110 §5.3); null when absent.</summary>
    public string? this[string name]
    {
        get
        {
            string? single = null;
            List<string>? several = null;
            foreach (KeyValuePair<string, string> field in _fields)
            {
                if (!Matches(field, name)) continue;
                if (single is null) single = field.Value;
                else (several ??= [single]).Add(field.Value);
            }
            return several is null ? single : string.Join(", ", several);
        }
    }

    /// <summary>True once the fields can no longer change (the headers of a parsed message).</summary>
    public bool IsReadOnly { get; private set; }

    /// <summary>Adds a field.</summary>
    /// <exception cref="InvalidOperationException">The headers are read-only.</exception>
    public void Add(string name, string value)
    {
        if (IsReadOnly) throw new InvalidOperationException("These headers are read-only.");
        _fields.Add(new(name, value));
    }

    /// <summary>Freezes the fields: <see cref="Add"/> fails from now on. Their list shrinks to its count: a
    /// connection keeps its request's headers for its whole life.</summary>
    public void MakeReadOnly()
    {
        if (!IsReadOnly) _fields.Capacity = _fields.Count;
        IsReadOnly = true;
    }

    /// <summary>Every value of the field, in order.</summary>
    public IEnumerable<string> GetValues(string name)
    {
        foreach (KeyValuePair<string, string> field in _fields)
        {
            if (Matches(field, name)) yield return field.Value;
        }
    }

    /// <summary>How many times the field occurs.</summary>
    public int CountOf(string name)
    {
        int count = 0;
        foreach (KeyValuePair<string, string> field in _fields)
        {
            if (Matches(field, name)) count++;
        }
        return count;
    }

    /// <summary>True when a comma-separated list in any instance of the field holds
    /// <paramref name="token"/>, compared case-insensitively (<c>Connection: keep-alive, Upgrade</c>).
    /// Elements are trimmed of optional whitespace; empty elements are ignored (RFC 9110 §5.6.1).</summary>
    public bool ContainsToken(string name, string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        foreach (KeyValuePair<string, string> field in _fields)
        {
            if (Matches(field, name) && HttpSyntax.ListContains(field.Value, token)) return true;
        }
        return false;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _fields.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // RFC 9110 §5.1: "Field names are case-insensitive".
    private static bool Matches(KeyValuePair<string, string> field, string name) =>
        string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase);
}
