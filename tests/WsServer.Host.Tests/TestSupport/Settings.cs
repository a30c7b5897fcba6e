using WsServer.Host.Cli;
using WsServer.Host.Serving;
using WsServer.Hosting;

namespace WsServer.Host.Tests.TestSupport;

/// <summary>The program's flags and config file read in this process, as far as the
/// <see cref="ServerOptions"/> it would serve with, without serving.</summary>
internal static class Settings
{
    public static ServerOptions Options(params string[] args) => HostedServer.CreateOptions(HostCommand.ReadSettings(args));

    /// <summary>The options from a config file holding <paramref name="json"/>, and <paramref name="args"/>.</summary>
    public static ServerOptions FromConfig(string json, params string[] args) => Options(["--config", ConfigFile(json), .. args]);

    public static string ConfigFile(string json)
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("wsserver-config-").FullName, "wsserver.json");
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>Runs the program's command line in this process, for arguments that must fail before it
    /// serves; returns the exit code and what it wrote to stderr.</summary>
    public static async Task<(int ExitCode, string[] Stderr, string Stdout)> FailAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await HostCommand.RunAsync(args, output, error).WaitAsync(HostProcess.Timeout);
        return (code, error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), output.ToString());
    }
}
