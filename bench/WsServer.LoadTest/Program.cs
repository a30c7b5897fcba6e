using WsServer.LoadTest;
using WsServer.LoadTest.Client;
using WsServer.LoadTest.Machine;
using WsServer.LoadTest.Servers;

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine("usage: WsServer.LoadTest [all|echo|latency|upgrades|fanout|idle|flood|stream] [--rounds N] [--duration S] "
        + "[--warmup S] [--pin SERVER,CLIENT|off] [--connections N] [--window W] [--sizes 16,1024,65536] [--fanout-connections N] "
        + "[--idle-connections N] [--idle-hold S] [--flood-seconds S] [--flood-rss-limit-mb MB] [--flood-connections N] [--flood-ping-mb MB] [--stream-mb MB] "
        + "[--gc server|workstation] [--wsserver-inline-io on|off] [--wsserver-gc program|default] [--wsserver-transport epoll|sockets] [--wsserver-host own|aspnetcore] [--client epoll|async] [--out FILE] [--chart FILE.svg] [--baseline OTHER-BUILD/WsServer.LoadTest.dll] [--uws UWS-BINARY] [--syscalls on|off]");
    return 2;
}

WsServer.LoadTest.Measuring.SyscallCounter.Enabled = options.CountSyscalls;

switch (options.Scenario)
{
    case "serve-wsserver":
        return await WsServerEcho.RunAsync(options.Port);
    case "serve-kestrel":
        return await KestrelEcho.RunAsync(options.Port);
    case "serve-aspnetcore":
        return await AspNetCoreEcho.RunAsync(options.Port);
}

ClientRuntime.UseInlineCompletions();
if (options.Pin is { } pin)
{
    if (!CorePinning.IsRestartedPinned)
    {
        // Pin this tool before it measures anything: run it again under taskset, and wait for that run.
        if (CorePinning.Taskset is null)
        {
            Console.Error.WriteLine(CorePinning.TasksetMissing);
            return 2;
        }
        try
        {
            pin.Validate();
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
        return await pin.RunRestartedAsync(args);
    }
    pin.CheckThisProcess();
}

// Children are killed however the run ends: normally, by exception, by Ctrl+C or SIGTERM.
AppDomain.CurrentDomain.ProcessExit += (_, _) => ServerProcess.KillAll();
Console.CancelKeyPress += (_, _) => ServerProcess.KillAll();
try
{
    var report = new Report(options, args);
    await new Runner(options, report).RunAsync();
    report.Finish();
    return 0;
}
catch (Exception ex)
{
    Console.Error.WriteLine($"load test failed: {ex}");
    return 1;
}
finally
{
    ServerProcess.KillAll();
}
