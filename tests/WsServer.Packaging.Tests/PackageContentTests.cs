using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using WsServer.Packaging.Tests.TestSupport;

namespace WsServer.Packaging.Tests;

/// <summary>What is inside each package <c>dotnet pack</c> makes from src/: opened as the zip it is.</summary>
[Collection(PackagesCollection.Name)]
public sealed class PackageContentTests(PackedPackages packages)
{
    public static TheoryData<string> AllPackages => [.. PackedPackages.Projects.Select(p => p.PackageId)];

    public static TheoryData<string> LibraryPackages => ["WsServer.Protocol", "WsServer", "WsServer.Extensions.Hosting", "WsServer.AspNetCore", "WsServer.Redis"];

    [Theory]
    [MemberData(nameof(AllPackages))]
    public void PackageHasItsIdTheRepositoryVersionAndADescription(string id)
    {
        XElement metadata = PackedPackages.Manifest(packages.PackagePath(id));

        Assert.Equal(id, metadata.Element("id")?.Value);
        Assert.Equal(PackedPackages.Version, metadata.Element("version")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(metadata.Element("description")?.Value));
        Assert.False(string.IsNullOrWhiteSpace(metadata.Element("authors")?.Value));
        Assert.NotEqual(id, metadata.Element("authors")?.Value); // the SDK's default is the id
    }

    [Theory]
    [MemberData(nameof(AllPackages))]
    public void PackageCarriesTheReadme(string id)
    {
        string nupkg = packages.PackagePath(id);

        Assert.Equal("README.md", PackedPackages.Manifest(nupkg).Element("readme")?.Value);
        Assert.Equal(File.ReadAllBytes(Path.Combine(PackedPackages.Repository, "README.md")), PackedPackages.Read(nupkg, "README.md"));
    }

    [Theory]
    [MemberData(nameof(AllPackages))]
    public void PackageIsApache2ByExpressionWithTheLicenceText(string id)
    {
        string nupkg = packages.PackagePath(id);
        XElement license = PackedPackages.Manifest(nupkg).Element("license")!;

        Assert.Equal("expression", license.Attribute("type")?.Value);
        Assert.Equal("Apache-2.0", license.Value);
        string text = System.Text.Encoding.UTF8.GetString(PackedPackages.Read(nupkg, "LICENSE"));
        Assert.Contains("Apache License", text, StringComparison.Ordinal);
        Assert.Contains("Version 2.0, January 2004", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllPackages))]
    public void RepositoryIsGitAndNamesNoPlaceholderUrl(string id)
    {
        XElement repository = PackedPackages.Manifest(packages.PackagePath(id)).Element("repository")!;

        Assert.Equal("git", repository.Attribute("type")?.Value);
        // No public repository serves this code yet: no URL rather than a made-up one.
        Assert.Null(repository.Attribute("url"));
    }

    [Theory]
    [MemberData(nameof(LibraryPackages))]
    public void LibraryPackageHoldsTheDllItsXmlDocsAndTheApiBaseline(string id)
    {
        string nupkg = packages.PackagePath(id);
        IReadOnlyList<string> entries = PackedPackages.Entries(nupkg);

        Assert.Contains($"lib/net10.0/{id}.dll", entries);
        Assert.Contains($"lib/net10.0/{id}.xml", entries);
        foreach (string baseline in (string[])["PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt"])
            Assert.Equal(File.ReadAllBytes(Path.Combine(PackedPackages.Repository, "src", id, baseline)),
                PackedPackages.Read(nupkg, "api/" + baseline));
    }

    [Theory]
    [MemberData(nameof(LibraryPackages))]
    public void EveryPublicTypeOfALibraryIsInItsXmlDocs(string id)
    {
        string nupkg = packages.PackagePath(id);
        XDocument docs = XDocument.Load(new MemoryStream(PackedPackages.Read(nupkg, $"lib/net10.0/{id}.xml")));
        var documented = docs.Descendants("member").Select(m => (string?)m.Attribute("name")).ToHashSet(StringComparer.Ordinal);

        string[] types = PublicTypeDocIds(PackedPackages.Read(nupkg, $"lib/net10.0/{id}.dll"));

        Assert.NotEmpty(types);
        string[] undocumented = [.. types.Where(t => !documented.Contains(t))];
        Assert.Empty(undocumented);
    }

    [Fact]
    public void EveryLibraryInSrcIsPacked()
    {
        string[] projects = [.. Directory.GetDirectories(Path.Combine(PackedPackages.Repository, "src"), "WsServer*")
            .Where(d => File.Exists(Path.Combine(d, Path.GetFileName(d) + ".csproj")))
            .Select(Path.GetFileName)!];

        Assert.Equal(projects.Order(StringComparer.Ordinal), PackedPackages.Projects.Select(p => p.Project).Order(StringComparer.Ordinal));
        Assert.All(PackedPackages.Projects, p => Assert.True(File.Exists(packages.PackagePath(p.PackageId)), p.PackageId));
    }

    [Fact]
    public void ProgramPacksAsTheDotnetToolWsserver()
    {
        string nupkg = packages.PackagePath("WsServer.Tool");
        XElement packageType = PackedPackages.Manifest(nupkg).Element("packageTypes")!.Element("packageType")!;
        // Loaded from bytes, not a string: the file starts with a byte order mark.
        XElement settings = XElement.Load(new MemoryStream(PackedPackages.Read(nupkg, "tools/net10.0/any/DotnetToolSettings.xml")));

        Assert.Equal("DotnetTool", packageType.Attribute("name")?.Value);
        XElement command = Assert.Single(settings.Descendants("Command"));
        Assert.Equal("wsserver", command.Attribute("Name")?.Value);
        Assert.Equal("WsServer.Host.dll", command.Attribute("EntryPoint")?.Value);
    }

    /// <summary>The XML doc ids (<c>T:Namespace.Outer.Inner`1</c>) of the public types, read from the
    /// assembly's metadata without loading it.</summary>
    private static string[] PublicTypeDocIds(byte[] assembly)
    {
        using var pe = new PEReader(new MemoryStream(assembly));
        MetadataReader reader = pe.GetMetadataReader();
        var ids = new List<string>();
        foreach (TypeDefinitionHandle handle in reader.TypeDefinitions)
        {
            TypeDefinition type = reader.GetTypeDefinition(handle);
            if (IsVisible(reader, type)) ids.Add("T:" + FullName(reader, type));
        }
        return [.. ids];
    }

    private static bool IsVisible(MetadataReader reader, TypeDefinition type)
    {
        TypeAttributes visibility = type.Attributes & TypeAttributes.VisibilityMask;
        if (visibility == TypeAttributes.Public) return true;
        return visibility is TypeAttributes.NestedPublic or TypeAttributes.NestedFamily or TypeAttributes.NestedFamORAssem
            && IsVisible(reader, reader.GetTypeDefinition(type.GetDeclaringType()));
    }

    private static string FullName(MetadataReader reader, TypeDefinition type)
    {
        string name = reader.GetString(type.Name);
        if (type.IsNested) return FullName(reader, reader.GetTypeDefinition(type.GetDeclaringType())) + "." + name;
        string ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }
}
