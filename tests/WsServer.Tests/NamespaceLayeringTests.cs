using WsServer.Hosting;
using WsServer.Protocol.Session;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests;

/// <summary>Inside each assembly the folders are layers: a namespace uses only the namespaces of the layers
/// below it (or of its own), read from the compiled code, so a cycle fails here rather than in a review.</summary>
public sealed class NamespaceLayeringTests
{
    /// <summary>The codec's layers, top first.</summary>
    private static readonly string[][] ProtocolLayers =
    [
        ["WsServer.Protocol.Session"],
        ["WsServer.Protocol.Compression", "WsServer.Protocol.Messages"],
        ["WsServer.Protocol.Handshake", "WsServer.Protocol.Framing"],
        ["WsServer.Protocol.Closing"],
    ];

    /// <summary>The server's layers, top first: the server and how it serves a connection, its routes and
    /// upgrade checks, a connection with its handler contract, topics, then bytes and sockets.</summary>
    private static readonly string[][] ServerLayers =
    [
        ["WsServer.Client", "WsServer.Hosting"],
        ["WsServer.Routing"],
        ["WsServer.Connections"],
        ["WsServer.PubSub"],
        ["WsServer.Transport"],
        ["WsServer.Transport.Epoll"],
        ["WsServer.Diagnostics"],
        ["WsServer.Collections"],
    ];

    [Fact]
    public void TheCodecsNamespacesPointDown() =>
        NamespaceGraph.AssertPointsDown(typeof(ProtocolSession).Assembly, "WsServer.Protocol", ProtocolLayers);

    [Fact]
    public void TheServersNamespacesPointDown() =>
        NamespaceGraph.AssertPointsDown(typeof(WebSocketServer).Assembly, "WsServer", ServerLayers);

    [Fact]
    public void TheGraphSeesUsesInSignaturesAndInMethodBodies()
    {
        Dictionary<string, HashSet<string>> graph = NamespaceGraph.Of(typeof(WebSocketServer).Assembly, "WsServer");

        // A signature: ClosingPhase takes a ConnectionTransport. A method body only: CertificateSource holds
        // an ILogger and calls Log's methods, which no signature in Transport names.
        Assert.Contains("WsServer.Transport", graph["WsServer.Connections"]);
        Assert.Contains("WsServer.Diagnostics", graph["WsServer.Transport"]);
        Assert.DoesNotContain("WsServer.Hosting", graph["WsServer.Transport"]);
    }

    [Fact]
    public void AnUpwardUseAndANamespaceOutsideTheLayersAreReported()
    {
        var graph = new Dictionary<string, HashSet<string>>
        {
            ["Top"] = ["Bottom"],
            ["Bottom"] = ["Top"],
            ["Stray"] = [],
        };

        string[] found = [.. NamespaceGraph.UpwardUses(graph, [["Top"], ["Bottom"]])];

        Assert.Equal(["Bottom uses Top, a layer above it", "Stray is in no layer"], found);
    }
}
