using System.Reflection;
using WsServer.Hosting;
using WsServer.Protocol.Session;

namespace WsServer.Tests;

/// <summary>The layers only point down (Host -> WsServer -> Protocol), and the codec stays sans-IO:
/// checked on the compiled assemblies, so a stray reference fails the build's tests, not a review.</summary>
public sealed class LayeringTests
{
    private static readonly Assembly Protocol = typeof(ProtocolSession).Assembly;
    private static readonly Assembly Server = typeof(WebSocketServer).Assembly;

    [Fact]
    public void ProtocolReferencesOnlyTheBaseLibrary()
    {
        string[] references = [.. Protocol.GetReferencedAssemblies().Select(a => a.Name!)];

        Assert.All(references, name => Assert.True(name.StartsWith("System.", StringComparison.Ordinal),
            $"WsServer.Protocol must reference only the BCL, not {name}."));
        Assert.DoesNotContain("System.Net.Sockets", references);
        Assert.DoesNotContain("System.Net.Security", references);
        Assert.DoesNotContain("System.Threading.Thread", references);
    }

    [Fact]
    public void ProtocolHasNoTasksNoClockAndNoStreams()
    {
        var offenders =
            from type in Protocol.GetTypes()
            from member in type.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                                           BindingFlags.Static | BindingFlags.DeclaredOnly)
            from used in UsedTypes(member)
            where IsIo(used)
            select $"{type.FullName}.{member.Name} uses {used.Name}";

        Assert.Empty(offenders);
    }

    [Fact]
    public void TheIoCheckRecognisesWhatItForbids()
    {
        Assert.True(IsIo(typeof(ValueTask<int>)));
        Assert.True(IsIo(typeof(Task<string>)));
        Assert.True(IsIo(typeof(MemoryStream)));
        Assert.True(IsIo(typeof(TimeProvider)));
        Assert.False(IsIo(typeof(ReadOnlyMemory<byte>)));
    }

    /// <summary>Tasks (plain or generic), streams, clocks and threads: what a sans-IO codec never touches.</summary>
    private static bool IsIo(Type type)
    {
        Type plain = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        return plain == typeof(Task) || plain == typeof(Task<>) || plain == typeof(ValueTask) || plain == typeof(ValueTask<>)
            || typeof(Stream).IsAssignableFrom(type) || typeof(TimeProvider).IsAssignableFrom(type) || type == typeof(Thread);
    }

    [Fact]
    public void ServerDoesNotReferenceTheProgram()
    {
        string[] references = [.. Server.GetReferencedAssemblies().Select(a => a.Name!)];

        Assert.Contains("WsServer.Protocol", references);
        Assert.DoesNotContain("WsServer.Host", references);
        Assert.DoesNotContain("WsServer.Redis", references);
    }

    private static IEnumerable<Type> UsedTypes(MemberInfo member) => member switch
    {
        FieldInfo field => [field.FieldType],
        PropertyInfo property => [property.PropertyType],
        MethodInfo method => [method.ReturnType, .. method.GetParameters().Select(p => p.ParameterType)],
        ConstructorInfo constructor => constructor.GetParameters().Select(p => p.ParameterType),
        _ => [],
    };
}
