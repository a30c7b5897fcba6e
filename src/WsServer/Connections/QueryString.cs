namespace WsServer.Connections;

/// <summary>Reads <c>application/x-www-form-urlencoded</c> query strings (<c>a=1&amp;b=x%20y</c>).</summary>
internal static class QueryString
{
    public static string? GetValue(string query, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (string pair in query.Split('&'))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            string key = Decode(equals < 0 ? pair : pair[..equals]);
            if (key == name) return equals < 0 ? "" : Decode(pair[(equals + 1)..]);
        }
        return null;
    }

    // '+' is a space in form encoding; a malformed escape is kept as sent rather than refused.
    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
