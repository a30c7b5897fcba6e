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
        Type[] forbidden = [typeof(Task), typeof(ValueTask), typeof(Stream), typeof(TimeProvider), typeof(Thread)];
        var offenders =
            from type in Protocol.GetTypes()
            from member in type.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                                           BindingFlags.Static | BindingFlags.DeclaredOnly)
            from used in UsedTypes(member)
            where forbidden.Any(f => f == used || (used.IsGenericType && f.IsAssignableFrom(used.BaseType ?? typeof(object))))
            select $"{type.FullName}.{member.Name} uses {used.Name}";

        Assert.Empty(offenders);
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
        _ => [],
    };
}
