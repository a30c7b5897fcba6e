using System.Diagnostics;
using System.Net.WebSockets;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests.Messages;

/// <summary>samples/Chat run as a process (<c>dotnet Chat.dll 0</c>): SIGTERM closes its members with 1001.</summary>
public sealed class ChatSampleTests
{
    [Fact]
    public async Task SigtermClosesMembersWithGoingAway()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // tests/X/bin/CONFIG/TFM
        string sample = Path.Combine(output.Parent!.Parent!.Parent!.Parent!.Parent!.FullName, "samples", "Chat", "bin", output.Parent.Name, output.Name);
        Assert.True(File.Exists(Path.Combine(sample, "Chat.dll")), $"The sample was not built: {sample}");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = sample, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(sample, "Chat.dll"));
        start.ArgumentList.Add("0");
        using Process chat = Process.Start(start)!;
        try
        {
            string line = (await chat.StandardOutput.ReadLineAsync().WaitAsync(HostProcess.Timeout))!;
            Assert.StartsWith("chat on ws://127.0.0.1:", line, StringComparison.Ordinal);
            using ClientWebSocket member = await BclClient.ConnectAsync(new Uri(line["chat on ".Length..]));

            using (Process kill = Process.Start("/bin/kill", ["-TERM", chat.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync().WaitAsync(HostProcess.Timeout);

            (WebSocketMessageType type, _) = await member.ReceiveMessageAsync();
            Assert.Equal((WebSocketMessageType.Close, WebSocketCloseStatus.EndpointUnavailable), (type, member.CloseStatus));
            await chat.WaitForExitAsync().WaitAsync(HostProcess.Timeout);
            Assert.Equal(0, chat.ExitCode);
        }
        finally
        {
            if (!chat.HasExited) chat.Kill(entireProcessTree: true);
        }
    }
}
