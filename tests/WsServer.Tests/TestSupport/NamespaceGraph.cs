using System.Reflection;
using System.Reflection.Emit;

namespace WsServer.Tests.TestSupport;

/// <summary>
/// Which namespaces of an assembly use which others, read from the compiled code: member signatures, base
/// types and every type, method and field the IL of a method body names. Documentation links are not
/// uses. Compiler-generated types (async state machines, closures) count for the namespace they sit in.
/// </summary>
public static class NamespaceGraph
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue =
        typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(o => o.Value);

    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                                            BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Each namespace under <paramref name="root"/> to the other namespaces under it that it uses.</summary>
    public static Dictionary<string, HashSet<string>> Of(Assembly assembly, string root)
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (Type type in assembly.GetTypes())
        {
            if (NamespaceOf(type) is not { } from || !Under(from, root)) continue;
            HashSet<string> uses = graph.TryGetValue(from, out var set) ? set : graph[from] = new(StringComparer.Ordinal);
            foreach (Type used in UsedBy(type))
            {
                foreach (Type part in Parts(used))
                {
                    if (NamespaceOf(part) is { } to && to != from && Under(to, root) && part.Assembly == assembly) uses.Add(to);
                }
            }
        }
        return graph;
    }

    /// <summary>Each use across namespaces under <paramref name="root"/>, type by type: "A.T -> B.U".</summary>
    public static IEnumerable<string> TypeUses(Assembly assembly, string root)
    {
        foreach (Type type in assembly.GetTypes())
        {
            if (NamespaceOf(type) is not { } from || !Under(from, root)) continue;
            foreach (Type part in UsedBy(type).SelectMany(Parts).Distinct())
            {
                if (NamespaceOf(part) is { } to && to != from && Under(to, root) && part.Assembly == assembly)
                    yield return $"{Outermost(type).FullName} -> {Outermost(part).FullName}";
            }
        }
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer) type = outer;
        return type;
    }

    /// <summary>Fails listing every use that breaks <paramref name="layers"/> (see <see cref="UpwardUses"/>).</summary>
    public static void AssertPointsDown(Assembly assembly, string root, IReadOnlyList<string[]> layers)
    {
        string[] upward = [.. UpwardUses(Of(assembly, root), layers)];
        Assert.True(upward.Length == 0, "Uses against the layers:\n" + string.Join("\n", upward));
    }

    /// <summary>The uses that break <paramref name="layers"/> (top first; a namespace may use only those in
    /// lower layers, or in its own): "A uses B" for each, with B in a higher layer or in no layer at all.</summary>
    public static IEnumerable<string> UpwardUses(Dictionary<string, HashSet<string>> graph, IReadOnlyList<string[]> layers)
    {
        int LayerOf(string ns) => layers.Select((names, index) => (names, index)).FirstOrDefault(l => l.names.Contains(ns), ([], -1)).index;
        foreach ((string from, HashSet<string> uses) in graph)
        {
            int own = LayerOf(from);
            if (own < 0)
            {
                yield return $"{from} is in no layer";
                continue;
            }
            foreach (string to in uses.Order(StringComparer.Ordinal))
            {
                if (LayerOf(to) < own) yield return $"{from} uses {to}, a layer above it";
            }
        }
    }

    private static bool Under(string ns, string root) => ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal);

    private static string? NamespaceOf(Type type)
    {
        while (type.DeclaringType is { } outer) type = outer;
        return type.Namespace;
    }

    // A constructed type's definition and its arguments; an array's element.
    private static IEnumerable<Type> Parts(Type type)
    {
        if (type.HasElementType)
        {
            foreach (Type part in Parts(type.GetElementType()!)) yield return part;
            yield break;
        }
        if (type.IsGenericParameter) yield break;
        if (!type.IsGenericType)
        {
            yield return type;
            yield break;
        }
        yield return type.GetGenericTypeDefinition();
        foreach (Type argument in type.GetGenericArguments())
        {
            foreach (Type part in Parts(argument)) yield return part;
        }
    }

    private static IEnumerable<Type> UsedBy(Type type)
    {
        if (type.BaseType is { } baseType) yield return baseType;
        foreach (Type contract in type.GetInterfaces()) yield return contract;
        foreach (MemberInfo member in type.GetMembers(Everything))
        {
            switch (member)
            {
                case FieldInfo field:
                    yield return field.FieldType;
                    break;
                case PropertyInfo property:
                    yield return property.PropertyType;
                    break;
                case MethodBase method:
                    if (method is MethodInfo info) yield return info.ReturnType;
                    foreach (ParameterInfo parameter in method.GetParameters()) yield return parameter.ParameterType;
                    foreach (Type used in UsedInBody(method)) yield return used;
                    break;
            }
        }
    }

    // The types named by the IL's metadata tokens: calls, field accesses, object creation, casts, ldtoken.
    private static IEnumerable<Type> UsedInBody(MethodBase method)
    {
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        Type[]? methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int at = 0;
        while (at < il.Length)
        {
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            OpCode op = OpCodesByValue[value];
            if (op.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                int token = BitConverter.ToInt32(il, at);
                MemberInfo? used = method.Module.ResolveMember(token, typeArguments, methodArguments);
                if (used is Type named) yield return named;
                else if (used?.DeclaringType is { } owner) yield return owner;
                if (used is FieldInfo field) yield return field.FieldType;
            }
            at += OperandSize(op, il, at);
        }
    }

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };
}
