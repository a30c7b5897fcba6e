using System.IO.Compression;
using System.Xml.Linq;

namespace WsServer.Packaging.Tests.TestSupport;

/// <summary>
/// The src projects packed once for all the packaging tests, as the README says
/// (<c>dotnet pack -c Release</c>), into a temp folder that serves as the only package source: the
/// build output goes there too (<c>--artifacts-path</c>), so the work tree's bin/ and obj/ are not touched.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    /// <summary>Every package src/ makes; a new src/WsServer.* library joins this list.</summary>
    public static readonly (string Project, string PackageId)[] Projects =
    [
        ("WsServer.Protocol", "WsServer.Protocol"),
        ("WsServer", "WsServer"),
        ("WsServer.Extensions.Hosting", "WsServer.Extensions.Hosting"),
        ("WsServer.AspNetCore", "WsServer.AspNetCore"),
        ("WsServer.Redis", "WsServer.Redis"),
        ("WsServer.Host", "WsServer.Tool"),
    ];

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "wsserver-pack-" + Guid.NewGuid().ToString("N"));

    public string Feed => Path.Combine(Root, "feed");

    /// <summary>The repository: the folder above this test assembly that holds WsServer.slnx.</summary>
    public static string Repository { get; } = FindRepository();

    /// <summary>The version every package carries: the one in the repository's Directory.Build.props.</summary>
    public static string Version { get; } =
        XDocument.Load(Path.Combine(Repository, "Directory.Build.props")).Descendants("Version").Single().Value;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        foreach ((string project, _) in Projects)
        {
            (int exitCode, string output) = await DotnetCli.RunAsync(DotnetCli.Dotnet,
                ["pack", Path.Combine(Repository, "src", project, project + ".csproj"), "-c", "Release",
                 "-o", Feed, "--artifacts-path", Path.Combine(Root, "build"),
                 // No MSBuild or compiler server left running after the test.
                 "-nodeReuse:false", "-p:UseSharedCompilation=false"],
                Repository);
            Assert.True(exitCode == 0, $"dotnet pack {project} failed ({exitCode}):\n{output}");
        }
    }

    public string PackagePath(string packageId) => Path.Combine(Feed, $"{packageId}.{Version}.nupkg");

    /// <summary>The package's file names (zip entries), with '/' separators.</summary>
    public static IReadOnlyList<string> Entries(string nupkg)
    {
        using ZipArchive zip = ZipFile.OpenRead(nupkg);
        return [.. zip.Entries.Select(e => e.FullName)];
    }

    public static byte[] Read(string nupkg, string entry)
    {
        using ZipArchive zip = ZipFile.OpenRead(nupkg);
        ZipArchiveEntry found = zip.GetEntry(entry) ?? throw new InvalidOperationException($"{entry} is not in {nupkg}");
        using Stream stream = found.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The package's .nuspec manifest, its namespace dropped for easy querying.</summary>
    public static XElement Manifest(string nupkg)
    {
        string name = Entries(nupkg).Single(e => e.EndsWith(".nuspec", StringComparison.Ordinal) && !e.Contains('/', StringComparison.Ordinal));
        using var stream = new MemoryStream(Read(nupkg, name));
        XElement root = XElement.Load(stream);
        foreach (XElement element in root.DescendantsAndSelf()) element.Name = element.Name.LocalName;
        return root.Element("metadata")!;
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
        return Task.CompletedTask;
    }

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "WsServer.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"No WsServer.slnx above {AppContext.BaseDirectory}");
    }
}

/// <summary>The packaging test classes share one pack.</summary>
[CollectionDefinition(Name)]
public sealed class PackagesCollection : ICollectionFixture<PackedPackages>
{
    public const string Name = "packed packages";
}
