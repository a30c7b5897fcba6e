using System.Text.Json;

namespace WsServer.Host.Cli;

/// <summary>
/// What <c>--config FILE.json</c> says; a value left out is null, and a flag given on the command line
/// wins over the file. Keys are the flags' names in camelCase:
/// <code>
/// { "port": 8443, "handler": "echo", "cert": "cert.pem", "key": "key.pem", "proxyProtocol": true,
///   "idleTimeout": 300, "keepalive": "off", "maxConnectionsPerIp": 50, "compression": false,
///   "redis": "127.0.0.1:6379", "subprotocols": ["v2", "v1"], "allowOrigins": ["https://example.com"],
///   "routes": { "/chat": "chat", "/rooms/*": { "handler": "x.dll:X.Rooms", "subprotocols": ["rooms"] } } }
/// </code>
/// An unknown key or a value of the wrong type is a <see cref="UsageException"/> that names the key.
/// </summary>
internal sealed record ConfigFile
{
    /// <summary>Every key: each flag's (see <see cref="HostOptions.ConfigKey"/>) but <c>--config</c>'s.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        ["address", "port", "workers", "handler", "maxMessageSize", "logLevel", "cert", "key", "certPassword",
            "proxyProtocol", "subprotocols", "allowOrigins", "routes", "compression", "inlineIo", "redis", "chatHistory",
            "handshakeTimeout", "idleTimeout", "keepalive", "pongTimeout", "closeTimeout", "drainTimeout",
            "sendQueueLimit", "slowConsumer", "maxConnectionsPerIp", "maxConnections"];

    private static readonly string[] RouteKeys = ["handler", "subprotocols", "allowOrigins"];

    public Dictionary<string, JsonElement> Values { get; } = new(StringComparer.Ordinal);

    public List<RouteSpec>? Routes { get; private set; }

    public static ConfigFile Load(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new UsageException($"--config {path}: {ex.Message}", ex);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new UsageException($"--config {path}: expected a JSON object");
            var config = new ConfigFile();
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (!Keys.Contains(property.Name, StringComparer.Ordinal))
                    throw new UsageException($"--config {path}: unknown key '{property.Name}' (known: {string.Join(", ", Keys)})");
                if (property.Name == "routes") config.Routes = ReadRoutes(path, property.Value);
                else config.Values[property.Name] = property.Value.Clone();
            }
            return config;
        }
    }

    public string? String(string key) => Get(key, JsonValueKind.String)?.GetString();

    public long? Integer(string key) => Get(key, JsonValueKind.Number) is { } value
        ? value.TryGetInt64(out long number) ? number : throw Bad(key, "a whole number")
        : null;

    public bool? Boolean(string key) => Values.TryGetValue(key, out JsonElement value)
        ? value.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => throw Bad(key, "true or false") }
        : null;

    /// <summary>A timeout: a number of seconds, or a string (<c>"off"</c>, <c>"30"</c>), read as the flag reads it.</summary>
    public TimeSpan? Seconds(string key, SecondsRule rule)
    {
        if (!Values.TryGetValue(key, out JsonElement value)) return null;
        string text = value.ValueKind switch
        {
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.String => value.GetString()!,
            _ => throw Bad(key, rule == SecondsRule.PositiveOrOff ? "a number of seconds or \"off\"" : "a number of seconds"),
        };
        return Cli.Seconds.TryParse(text, rule, out TimeSpan seconds, out string error) ? seconds : throw new UsageException($"--config: '{key}'{error}");
    }

    public IReadOnlyList<string>? Strings(string key) => Values.TryGetValue(key, out JsonElement value) ? StringArray(key, value) : null;

    private JsonElement? Get(string key, JsonValueKind kind)
    {
        if (!Values.TryGetValue(key, out JsonElement value)) return null;
        return value.ValueKind == kind ? value : throw Bad(key, kind == JsonValueKind.String ? "a string" : "a number");
    }

    private static List<RouteSpec> ReadRoutes(string path, JsonElement routes)
    {
        if (routes.ValueKind != JsonValueKind.Object) throw new UsageException($"--config {path}: 'routes' must be an object of path: handler");
        var specs = new List<RouteSpec>();
        foreach (JsonProperty route in routes.EnumerateObject())
        {
            string key = $"routes.{route.Name}";
            if (!route.Name.StartsWith('/')) throw new UsageException($"--config {path}: '{key}': a route starts with '/'");
            specs.Add(route.Value.ValueKind switch
            {
                JsonValueKind.String => new RouteSpec(route.Name, route.Value.GetString()!),
                JsonValueKind.Object => ReadRoute(path, key, route),
                _ => throw new UsageException($"--config {path}: '{key}' must be a handler name or an object"),
            });
        }
        return specs;
    }

    private static RouteSpec ReadRoute(string path, string key, JsonProperty route)
    {
        foreach (JsonProperty property in route.Value.EnumerateObject())
        {
            if (!RouteKeys.Contains(property.Name, StringComparer.Ordinal))
                throw new UsageException($"--config {path}: unknown key '{key}.{property.Name}' (known: {string.Join(", ", RouteKeys)})");
        }
        if (!route.Value.TryGetProperty("handler", out JsonElement handler) || handler.ValueKind != JsonValueKind.String)
            throw new UsageException($"--config {path}: '{key}.handler' must be a string");
        return new RouteSpec(route.Name, handler.GetString()!)
        {
            Subprotocols = route.Value.TryGetProperty("subprotocols", out JsonElement sub) ? StringArray($"{key}.subprotocols", sub) : null,
            AllowedOrigins = route.Value.TryGetProperty("allowOrigins", out JsonElement origins) ? StringArray($"{key}.allowOrigins", origins) : null,
        };
    }

    private static string[] StringArray(string key, JsonElement value) =>
        value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
            ? [.. value.EnumerateArray().Select(e => e.GetString()!)]
            : throw Bad(key, "an array of strings");

    private static UsageException Bad(string key, string expected) => new($"--config: '{key}' must be {expected}");
}
