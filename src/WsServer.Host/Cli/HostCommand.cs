using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine;
using WsServer.Host.Configuration;
using WsServer.Host.Exits;
using WsServer.Host.Serving;

namespace WsServer.Host.Cli;

/// <summary>The <c>wsserver</c> command line: parses the flags, prints help or the version, or serves
/// until SIGINT or SIGTERM. A usage error is one line on stderr and exit code 2.</summary>
public static class HostCommand
{
    /// <summary>Runs the program with <paramref name="args"/>, writing to the given streams, and returns
    /// its exit code (see <see cref="ExitCodes"/>).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) =>
        RunAsync(args, Console.In, output, error);

    /// <summary>Runs the program with <paramref name="args"/>; <c>wsserver connect</c> reads the lines it
    /// sends from <paramref name="input"/>.</summary>
    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        (Command root, HostOptions options) = CreateCommand();
        root.Subcommands.Add(ConnectCommand.Create(input, output, error));
        root.SetAction((result, _) => ServeAsync(() => Read(options, result), output, error));

        ParseResult parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            // System.CommandLine would print every error and the whole help; an operator's script
            // wants the first problem, on one line.
            string command = parsed.CommandResult.Command.Name == "connect" ? "wsserver connect" : "wsserver";
            await error.WriteLineAsync($"{command}: {parsed.Errors[0].Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // Signals are the server's host's (its console lifetime drains the server) and the client's.
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };
        return await parsed.InvokeAsync(invocation).ConfigureAwait(false);
    }

    /// <summary>The settings <paramref name="args"/> ask for, as the program would serve with them; throws
    /// <see cref="UsageException"/> with the line the program would print.</summary>
    internal static HostSettings ReadSettings(string[] args)
    {
        (Command root, HostOptions options) = CreateCommand();
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0) throw new UsageException(parsed.Errors[0].Message);
        return Read(options, parsed);
    }

    /// <summary>The settings of the config file, the environment and the flags, checked.</summary>
    private static HostSettings Read(HostOptions options, ParseResult parsed) =>
        SettingsReader.Read(ProgramConfiguration.Build(parsed.GetValue(options.Config), options.Given(parsed)));

    private static (Command Root, HostOptions Options) CreateCommand()
    {
        var options = new HostOptions();
        // A named command rather than RootCommand, which takes its name from the assembly (WsServer.Host).
        var root = new Command("wsserver", "A WebSocket server with a built-in or plugged-in handler.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        foreach (Option option in options.All) root.Options.Add(option);
        return (root, options);
    }

    private static async Task<int> ServeAsync(Func<HostSettings> read, TextWriter output, TextWriter error)
    {
        try
        {
            return await HostedServer.RunAsync(read(), output, error).ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            await error.WriteLineAsync($"wsserver: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
    }
}
