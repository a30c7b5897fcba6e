using System.Globalization;

namespace WsServer.Host.Cli;

/// <summary>What a timeout of a flag or config key may be.</summary>
internal enum SecondsRule
{
    /// <summary>More than 0 seconds; it cannot be off.</summary>
    Positive,
    /// <summary>More than 0 seconds, or 0, <c>off</c> or <c>infinite</c> for never.</summary>
    PositiveOrOff,
    /// <summary>0 seconds or more.</summary>
    ZeroOrMore,
}

/// <summary>A timeout written as seconds (<c>30</c>, <c>0.5</c>), the same for a flag and a config key;
/// <see cref="Timeout.InfiniteTimeSpan"/> for never.</summary>
internal static class Seconds
{
    /// <summary>The longest timeout: a week, well inside what a timer takes (~49 days); longer is
    /// <c>off</c> where a timeout can be off.</summary>
    public const int Max = 7 * 24 * 60 * 60;

    /// <summary>Reads <paramref name="text"/>; on failure, <paramref name="error"/> is the rest of a
    /// sentence that starts with the flag's or key's name.</summary>
    public static bool TryParse(string text, SecondsRule rule, out TimeSpan value, out string error)
    {
        value = default;
        error = "";
        bool offAllowed = rule == SecondsRule.PositiveOrOff;
        if (offAllowed && (text.Equals("off", StringComparison.OrdinalIgnoreCase) || text.Equals("infinite", StringComparison.OrdinalIgnoreCase)))
        {
            value = Timeout.InfiniteTimeSpan;
            return true;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || !double.IsFinite(seconds))
            error = $": '{text}' is not a number of seconds{(offAllowed ? " or off" : "")}";
        else if (seconds < 0)
            error = " must not be negative";
        else if (seconds == 0 && offAllowed)
            value = Timeout.InfiniteTimeSpan;
        else if (seconds == 0 && rule == SecondsRule.Positive)
            error = " must be more than 0 seconds";
        else if (seconds > Max)
            error = $" must be at most {Max} seconds";
        else if ((value = TimeSpan.FromMilliseconds(Math.Round(seconds * 1000))) == TimeSpan.Zero && rule != SecondsRule.ZeroOrMore)
            error = " must be at least 0.001 seconds";
        return error.Length == 0;
    }
}
