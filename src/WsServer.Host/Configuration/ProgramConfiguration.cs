using Microsoft.Extensions.Configuration;
using WsServer.Extensions.Hosting;
using WsServer.Host.Exits;

namespace WsServer.Host.Configuration;

/// <summary>
/// The program's settings as one <see cref="IConfiguration"/>, in rising precedence: the <c>--config</c>
/// JSON file, the environment variables that start with <see cref="EnvironmentPrefix"/>, and the flags
/// given on the command line (a flag that is a list, such as <c>--route</c>, replaces the file's and the
/// environment's list rather than merging with it item by item). Each key is read once, by the reader the
/// hosting package uses; an error names the flag, the variable or the file's key that gave the value.
/// </summary>
internal sealed class ProgramConfiguration
{
    /// <summary>The prefix of the environment variables the program reads: <c>WSSERVER_IDLETIMEOUT=0</c>,
    /// <c>WSSERVER_ROUTES__/chat=chat</c> (<c>__</c> separates sections).</summary>
    public const string EnvironmentPrefix = "WSSERVER_";

    private readonly IConfigurationRoot _root;
    private readonly string? _file;
    private readonly IReadOnlyList<GivenFlag> _flags;

    private ProgramConfiguration(IConfigurationRoot root, string? file, IReadOnlyList<GivenFlag> flags)
    {
        _root = root;
        _file = file;
        _flags = flags;
    }

    public IConfiguration Root => _root;

    /// <summary>Reads <paramref name="file"/> (null for none), the environment and <paramref name="flags"/>.
    /// Throws <see cref="UsageException"/> when the file cannot be read or is not a JSON object.</summary>
    public static ProgramConfiguration Build(string? file, IEnumerable<GivenFlag> flags)
    {
        GivenFlag[] given = [.. flags];
        string[] lists = [.. given.Where(f => f.Key.Contains(':', StringComparison.Ordinal)).Select(f => f.Key.Split(':')[0]).Distinct()];
        string? path = file is null ? null : Path.GetFullPath(file);
        var builder = new ConfigurationBuilder();
        if (path is not null) builder.Add(new ReplacedLists(new ConfigurationBuilder().AddJsonFile(path).Sources[0], lists));
        builder.Add(new ReplacedLists(new ConfigurationBuilder().AddEnvironmentVariables(EnvironmentPrefix).Sources[0], lists));
        builder.AddInMemoryCollection(given.Select(f => new KeyValuePair<string, string?>(f.Key, f.Value)));
        try
        {
            return new ProgramConfiguration(builder.Build(), path, given);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException or UnauthorizedAccessException)
        {
            // The JSON provider wraps the parser's own words, which say where the file is wrong.
            throw new UsageException($"--config {file}: {ex.GetBaseException().Message.ReplaceLineEndings(" ")}", ex);
        }
    }

    /// <summary><paramref name="error"/>'s message with its key named as the operator wrote it: the flag,
    /// the environment variable, or the config file and its key in JSON's dotted form.</summary>
    public string Describe(WsServerConfigurationException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        string message = error.Message.StartsWith(error.Key, StringComparison.Ordinal) ? error.Message[error.Key.Length..] : $": {error.Message}";
        return NameOf(error.Key) + message;
    }

    /// <summary>A file path read from <paramref name="section"/>: one the config file gives is relative to the
    /// file's folder, as an operator reading the file expects; one from a flag or the environment, to the
    /// working directory.</summary>
    public string PathOf(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        string value = ConfigurationValues.Text(section);
        return Source(section.Path) == Origin.File ? Path.GetFullPath(value, Path.GetDirectoryName(_file)!) : value;
    }

    private string NameOf(string key) => Source(key) switch
    {
        Origin.Flag => _flags.Last(f => Top(f.Key).Equals(Top(key), StringComparison.OrdinalIgnoreCase)).Flag,
        Origin.Environment => EnvironmentPrefix + key.Replace(":", "__", StringComparison.Ordinal),
        Origin.File => $"{_file}: {key.Replace(':', '.')}",
        _ => key,
    };

    private enum Origin { None, File, Environment, Flag }

    /// <summary>Where the value of <paramref name="key"/> (or of the section under it) comes from: the last
    /// provider that has it wins.</summary>
    private Origin Source(string key)
    {
        IConfigurationProvider[] providers = [.. _root.Providers];
        for (int i = providers.Length - 1; i >= 0; i--)
        {
            if (!providers[i].TryGet(key, out _) && !providers[i].GetChildKeys([], key).Any()) continue;
            int fromLast = providers.Length - 1 - i;
            return fromLast == 0 ? Origin.Flag : fromLast == 1 ? Origin.Environment : Origin.File;
        }
        return Origin.None;
    }

    private static string Top(string key) => key.Split(':')[0];
}
