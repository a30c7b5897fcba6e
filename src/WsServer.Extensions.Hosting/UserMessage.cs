using System.Text.RegularExpressions;

namespace WsServer.Extensions.Hosting;

/// <summary>An exception's message as an operator should read it: its first line, without the
/// " (Parameter 'options')" the BCL appends to an <see cref="ArgumentException"/> (for a caller's code,
/// not for the person who wrote the flag or the configuration key). The program and the hosting
/// package both say configuration errors with it.</summary>
internal static partial class UserMessage
{
    public static string Of(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string first = exception.Message.Split('\n')[0].TrimEnd('\r');
        return ParameterSuffix().Replace(first, "");
    }

    // Nested: an ArgumentException whose message embeds another's keeps both suffixes.
    [GeneratedRegex(@" \(Parameter '[^']*'\)")]
    private static partial Regex ParameterSuffix();
}
