using System.Collections;

namespace WsServer.Protocol.Handshake;

/// <summary>Header fields in the order received; names compare case-insensitively, a field may repeat.</summary>
/// <remarks>Not thread-safe for writing. The headers of a parsed message are read-only, so they are
/// safe to read from any thread.</remarks>
public sealed class HttpHeaders : IReadOnlyList<KeyValuePair<string, string>>
{
    // An array and a count rather than a List: a connection keeps its request's headers for its whole life,
    // so they are one object and one array, the array trimmed to the count when frozen.
    private KeyValuePair<string, string>[] _fields = [];
    private int _count;

    /// <summary>The number of fields.</summary>
    public int Count => _count;

    /// <summary>The field at <paramref name="index"/>.</summary>
    public KeyValuePair<string, string> this[int index] =>
        (uint)index < (uint)_count ? _fields[index] : throw new ArgumentOutOfRangeException(nameof(index));

    private ReadOnlySpan<KeyValuePair<string, string>> Fields => _fields.AsSpan(0, _count);

    /// <summary>The field's value, repeated fields joined with ", " (RFC 9110 §5.3); null when absent.</summary>
    public string? this[string name]
    {
        get
        {
            string? single = null;
            List<string>? several = null;
            foreach (KeyValuePair<string, string> field in Fields)
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
        if (_count == _fields.Length) Array.Resize(ref _fields, Math.Max(8, _count * 2));
        _fields[_count++] = new(name, value);
    }

    /// <summary>Freezes the fields: <see cref="Add"/> fails from now on. Their array shrinks to its count.</summary>
    public void MakeReadOnly()
    {
        if (!IsReadOnly && _count < _fields.Length) Array.Resize(ref _fields, _count);
        IsReadOnly = true;
    }

    /// <summary>Every value of the field, in order.</summary>
    public IEnumerable<string> GetValues(string name)
    {
        for (int i = 0; i < _count; i++)
        {
            if (Matches(_fields[i], name)) yield return _fields[i].Value;
        }
    }

    /// <summary>How many times the field occurs.</summary>
    public int CountOf(string name)
    {
        int count = 0;
        foreach (KeyValuePair<string, string> field in Fields)
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
        foreach (KeyValuePair<string, string> field in Fields)
        {
            if (Matches(field, name) && HttpSyntax.ListContains(field.Value, token)) return true;
        }
        return false;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (int i = 0; i < _count; i++) yield return _fields[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // RFC 9110 §5.1: "Field names are case-insensitive".
    private static bool Matches(KeyValuePair<string, string> field, string name) =>
        string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase);
}
