using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.RegularExpressions;
using WsServer.AspNetCore.Tests.TestSupport;
using WsServer.Connections;
using WsServer.Tests.TestSupport;

namespace WsServer.AspNetCore.Tests;

/// <summary>One handler class, unchanged, served by the wsserver program (which loads it from this assembly by
/// <c>PATH.dll:Type</c>) and by an ASP.NET Core endpoint (<c>MapWebSocketHandler&lt;T&gt;</c>): the same
/// conversation gets the same answers.</summary>
public sealed partial class SameHandlerTests
{
    private static readonly string[] Conversation = ["hello", "again", "héllo wörld"];

    [Fact]
    public async Task TheProgramAndAnAspNetCoreEndpointAnswerTheSameConversationAlike()
    {
        List<string> fromProgram;
        using (Process program = StartProgram($"{typeof(CountingUppercaseHandler).Assembly.Location}:{typeof(CountingUppercaseHandler).FullName}"))
        {
            fromProgram = await TalkAsync(await ListeningUriAsync(program));
            program.Kill(entireProcessTree: true);
        }
        await using KestrelApp app = await KestrelApp.StartAsync(a => a.MapWebSocketHandler<CountingUppercaseHandler>("/upper"));
        List<string> fromAspNetCore = await TalkAsync(app.Uri("/upper"));

        Assert.Equal(["1:HELLO", "2:AGAIN", "3:HÉLLO WÖRLD"], fromProgram);
        Assert.Equal(fromProgram, fromAspNetCore);
    }

    private static async Task<List<string>> TalkAsync(Uri uri)
    {
        using var client = new ClientWebSocket();
        await client.ConnectAsync(uri, Timeouts.Token());
        List<string> answers = [];
        foreach (string line in Conversation)
        {
            await client.SendTextAsync(line);
            answers.Add(await client.ReceiveTextAsync());
        }
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
        return answers;
    }

    /// <summary>wsserver from its own build output (same configuration as this test) on a free loopback port.</summary>
    private static Process StartProgram(string handler)
    {
        string configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        string program = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/WsServer.Host/bin", configuration,
            "net10.0/WsServer.Host.dll"));
        Assert.True(File.Exists(program), $"The program was not built: {program}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { program, "--address", "127.0.0.1", "--port", "0", "--handler", handler })
            start.ArgumentList.Add(argument);
        return Process.Start(start)!;
    }

    private static async Task<Uri> ListeningUriAsync(Process program)
    {
        using CancellationTokenSource bound = new(Timeouts.Default);
        while (await program.StandardOutput.ReadLineAsync(bound.Token) is { } line)
        {
            if (line.StartsWith("wsserver ", StringComparison.Ordinal) && ListeningUri().Match(line) is { Success: true } match)
                return new Uri(match.Value);
        }
        Assert.Fail("wsserver ended without a listening line: " + await program.StandardError.ReadToEndAsync());
        return null;
    }

    [GeneratedRegex(@"ws://[0-9.]+:[0-9]+")]
    private static partial Regex ListeningUri();
}

/// <summary>Answers each text message in upper case, numbered by its count on the connection: a handler with a
/// public parameterless constructor, as wsserver loads one from an assembly.</summary>
public sealed class CountingUppercaseHandler : IWebSocketHandler<int>
{
    public ValueTask<int> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken) => new(0);

    public ValueTask<HandleResult<int>> HandleAsync(WebSocketMessage message, int count, CancellationToken cancellationToken) =>
        new(HandleResult.Reply(count + 1, $"{count + 1}:{message.GetText().ToUpper(CultureInfo.InvariantCulture)}"));
}
