using System.Net;
using System.Reflection;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WsServer.Connections;
using WsServer.Extensions.Hosting;
using WsServer.Host.Exits;
using WsServer.Host.Tests.TestHandlers;
using WsServer.Host.Tests.TestSupport;
using WsServer.Hosting;

namespace WsServer.Host.Tests.Configuration;

/// <summary>A value means the same wherever it is written: in the program's config file, in a
/// <c>WSSERVER_</c> environment variable, as a flag, or in appsettings.json through <c>AddWsServer</c>.
/// The environment is the process's, so these tests do not run beside others.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class OneConfigurationPathTests
{
    private static readonly TimeSpan Never = Timeout.InfiniteTimeSpan;

    /// <summary>The flag, the program's key, the value, the <see cref="ServerOptions"/> property (the
    /// appsettings key), and the value it gets.</summary>
    public static TheoryData<string, string, string, string, object> Values => new()
    {
        { "--idle-timeout", "idleTimeout", "0", "IdleTimeout", Never },
        { "--idle-timeout", "idleTimeout", "off", "IdleTimeout", Never },
        { "--idle-timeout", "idleTimeout", "infinite", "IdleTimeout", Never },
        { "--idle-timeout", "idleTimeout", "Infinite", "IdleTimeout", Never },
        { "--idle-timeout", "idleTimeout", "00:00:30", "IdleTimeout", TimeSpan.FromSeconds(30) },
        { "--idle-timeout", "idleTimeout", "30", "IdleTimeout", TimeSpan.FromSeconds(30) },
        { "--idle-timeout", "idleTimeout", "0.5", "IdleTimeout", TimeSpan.FromMilliseconds(500) },
        { "--keepalive", "keepalive", "off", "KeepAliveInterval", Never },
        { "--keepalive", "keepalive", "00:01:00", "KeepAliveInterval", TimeSpan.FromMinutes(1) },
        { "--pong-timeout", "pongTimeout", "0", "PongTimeout", Never },
        { "--pong-timeout", "pongTimeout", "1e9", "PongTimeout", Never }, // past what a timer takes: never
        { "--idle-timeout", "idleTimeout", "0.0001", "IdleTimeout", TimeSpan.FromMilliseconds(1) }, // under 1 ms: 1 ms
        { "--handshake-timeout", "handshakeTimeout", "00:00:30", "HandshakeTimeout", TimeSpan.FromSeconds(30) },
        { "--close-timeout", "closeTimeout", "2.5", "CloseTimeout", TimeSpan.FromSeconds(2.5) },
        { "--drain-timeout", "drainTimeout", "0", "DrainTimeout", TimeSpan.Zero },
        { "--port", "port", "9001", "Port", 9001 },
        { "--address", "address", "127.0.0.1", "Address", IPAddress.Loopback },
        { "--max-message-size", "maxMessageSize", "4096", "MaxMessageSize", 4096L },
        { "--slow-consumer", "slowConsumer", "drop", "SlowConsumer", SlowConsumerPolicy.Drop },
        { "--max-connections", "maxConnections", "5000", "MaxConnections", 5000 },
        { "--max-connections-per-ip", "maxConnectionsPerIp", "10", "MaxConnectionsPerIp", 10 },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void TheFileTheEnvironmentAFlagAndAppSettingsReadTheSameValue(string flag, string key, string value, string option, object expected)
    {
        Assert.Equal(expected, Property(Settings.FromConfig($$"""{ "{{key}}": "{{value}}" }"""), option));
        Assert.Equal(expected, Property(WithEnvironment($"WSSERVER_{key.ToUpperInvariant()}", value, () => Settings.Options()), option));
        Assert.Equal(expected, Property(Settings.Options(flag, value), option));
        Assert.Equal(expected, Property(FromAppSettings($$"""{ "WsServer": { "{{option}}": "{{value}}" } }"""), option));
    }

    [Fact]
    public void AFlagWinsOverTheEnvironmentWhichWinsOverTheFile()
    {
        string config = Settings.ConfigFile("""{ "idleTimeout": 10, "keepalive": 10 }""");

        ServerOptions options = WithEnvironment("WSSERVER_IDLETIMEOUT", "20",
            () => WithEnvironment("WSSERVER_KEEPALIVE", "20", () => Settings.Options("--config", config, "--idle-timeout", "30")));

        Assert.Equal(TimeSpan.FromSeconds(30), options.IdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), options.KeepAliveInterval);
    }

    [Theory]
    [InlineData("--idle-timeout", "soon")]
    [InlineData("--max-connections", "-1")]
    [InlineData("--address", "somewhere")]
    [InlineData("--log-level", "Loud")]
    [InlineData("--chat-history", "lots")]
    public async Task AFlagsErrorNamesTheFlagAndQuotesTheValue(string flag, string value)
    {
        (int code, string[] stderr, _) = await Settings.FailAsync(flag, value);

        Assert.Equal(2, code);
        string line = Assert.Single(stderr);
        Assert.StartsWith($"wsserver: {flag} must be ", line, StringComparison.Ordinal);
        Assert.EndsWith($", not '{value}'.", line, StringComparison.Ordinal);
    }

    /// <summary>The status page and the probes take the same paths (<c>RouteTable.IsPagePath</c>); the status page
    /// takes neither the root nor a '*'.</summary>
    [Theory]
    [InlineData("--status", "/a b")]
    [InlineData("--status", "/")]
    [InlineData("--health-path", "/a b")]
    [InlineData("--readiness-path", "/ready?now")]
    public async Task APathThatNoPageCanBeServedAtIsRefused(string flag, string path)
    {
        (int code, string[] stderr, _) = await Settings.FailAsync(flag, path);

        Assert.Equal(2, code);
        string line = Assert.Single(stderr);
        Assert.StartsWith($"wsserver: {flag} ", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("WSSERVER_IDLETIMEOUT", "soon", "must be ")]
    [InlineData("WSSERVER_ROUTES__/chat__MaxMessageSize", "0", "must be ")]
    [InlineData("WSSERVER_COLOUR", "blue", "= 'blue' is not a setting")]
    public void AnEnvironmentVariablesErrorNamesTheVariable(string variable, string value, string problem)
    {
        var error = WithEnvironment(variable, value,
            () => Assert.Throws<Exits.UsageException>(() => Cli.HostCommand.ReadSettings([])));

        Assert.StartsWith($"{variable} {problem}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFileKeysErrorNamesTheFileAndTheKeyInJsonsDottedForm()
    {
        string config = Settings.ConfigFile("""{ "routes": { "/chat": { "handler": "echo", "maxMessageSize": 0 } } }""");

        (int code, string[] stderr, _) = await Settings.FailAsync("--config", config);

        Assert.Equal(2, code);
        Assert.Equal($"wsserver: {config}: routes./chat.maxMessageSize must be a whole number of at least 1, not '0'.", Assert.Single(stderr));
    }

    [Fact]
    public void RoutesFromAFlagReplaceTheFilesRoutes()
    {
        string config = Settings.ConfigFile("""{ "routes": { "/a": "echo" }, "subprotocols": ["x", "y"] }""");

        var settings = Cli.HostCommand.ReadSettings(["--config", config, "--route", "/b=chat", "--subprotocol", "z"]);

        Assert.Equal(["/b"], settings.Routes.Select(r => r.Pattern));
        Assert.Equal(["z"], settings.Routes[0].Options.Subprotocols);
    }

    [Fact]
    public void ARouteInTheFileTakesTheHostingPackagesRouteKeys()
    {
        string config = Settings.ConfigFile("""
            { "allowOrigins": ["https://a.example"],
              "routes": { "/chat": { "handler": "chat", "allowOrigins": ["https://chat.example"], "maxMessageSize": 4096 }, "/echo": "echo" } }
            """);

        var routes = Cli.HostCommand.ReadSettings(["--config", config]).Routes.ToDictionary(r => r.Pattern, r => r.Options);

        Assert.Equal(["https://chat.example"], routes["/chat"].AllowedOrigins);
        Assert.Equal(4096, routes["/chat"].MaxMessageSize);
        Assert.Equal(["https://a.example"], routes["/echo"].AllowedOrigins);
    }

    [Fact]
    public void RelativeCertificatePathsInTheFileAreRelativeToTheFilesFolder()
    {
        string config = Settings.ConfigFile("""{ "cert": "tls/cert.pem", "key": "tls/key.pem" }""");
        string folder = Path.GetDirectoryName(config)!;

        CertificateFileOf(Settings.Options("--config", config), out string path, out string? key);

        Assert.Equal(Path.Combine(folder, "tls", "cert.pem"), path);
        Assert.Equal(Path.Combine(folder, "tls", "key.pem"), key);
    }

    [Fact]
    public void RelativeCertificatePathsFromFlagsAreLeftToTheWorkingDirectory()
    {
        string config = Settings.ConfigFile("""{ "cert": "file.pem" }""");

        CertificateFileOf(Settings.Options("--config", config, "--cert", "cert.pem", "--key", "key.pem"), out string path, out string? key);

        Assert.Equal("cert.pem", path);
        Assert.Equal("key.pem", key);
    }

    private static void CertificateFileOf(ServerOptions options, out string path, out string? key)
    {
        Transport.CertificateFile file = Assert.IsType<Transport.TlsOptions>(options.Tls).Certificate;
        (path, key) = (file.Path, file.KeyPath);
    }

    private static object? Property(ServerOptions options, string name) =>
        typeof(ServerOptions).GetProperty(name, BindingFlags.Public | BindingFlags.Instance)!.GetValue(options);

    private static T WithEnvironment<T>(string variable, string value, Func<T> read)
    {
        Environment.SetEnvironmentVariable(variable, value);
        try
        {
            return read();
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    /// <summary>The options <c>AddWsServer</c> builds the server with, from an appsettings.json.</summary>
    private static ServerOptions FromAppSettings(string json)
    {
        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        ServerOptions? built = null;
        // Configure runs on the options the configuration is then applied to.
        builder.Services.AddWsServer(ws => ws.MapHandler<UppercaseHandler>("/").Configure(options => built = options));
        using IHost host = builder.Build();
        host.Services.GetRequiredService<WebSocketServer>();
        return built!;
    }
}

/// <summary>Tests that set the process's environment variables, which every reader of the configuration sees.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "Environment";
}
