using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace WsServer.Extensions.Hosting;

/// <summary>Reads one configuration value of each kind the server takes; a bad one throws a
/// <see cref="WsServerConfigurationException"/> that names its key and quotes its value.</summary>
internal static class ConfigurationValues
{
    public const string DurationForms = "seconds (30, 0.5) or a TimeSpan (00:00:30)";

    public static string Text(IConfigurationSection section)
    {
        if (section.Value is { } value) return value;
        throw Bad(section, "must be a value, not a section");
    }

    public static long Integer(IConfigurationSection section, long minimum, long maximum)
    {
        string value = Text(section);
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number)
            && number >= minimum && number <= maximum) return number;
        string range = maximum == long.MaxValue || maximum == int.MaxValue ? $"of at least {minimum}" : $"from {minimum} to {maximum}";
        throw Bad(section, $"must be a whole number {range}, not '{value}'");
    }

    public static bool Boolean(IConfigurationSection section)
    {
        string value = Text(section);
        if (bool.TryParse(value, out bool flag)) return flag;
        throw Bad(section, $"must be true or false, not '{value}'");
    }

    public static IPAddress Address(IConfigurationSection section)
    {
        string value = Text(section);
        if (value.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return IPAddress.Loopback;
        if (IPAddress.TryParse(value, out IPAddress? address)) return address;
        throw Bad(section, $"must be an IP address (127.0.0.1, 0.0.0.0, ::) or localhost, not '{value}'");
    }

    public static TEnum Enum<TEnum>(IConfigurationSection section) where TEnum : struct, Enum
    {
        string value = Text(section);
        // Names only: Enum.TryParse would also take any number.
        if (value.Length > 0 && !char.IsAsciiDigit(value[0]) && value[0] != '-'
            && System.Enum.TryParse(value, ignoreCase: true, out TEnum parsed) && System.Enum.IsDefined(parsed)) return parsed;
        throw Bad(section, $"must be one of {string.Join(", ", System.Enum.GetNames<TEnum>())}, not '{value}'");
    }

    /// <summary>A list: an array (<c>Key:0</c>, <c>Key:1</c>, in order) or one value.</summary>
    public static IReadOnlyList<string> List(IConfigurationSection section)
    {
        IConfigurationSection[] items = [.. section.GetChildren()];
        if (items.Length == 0) return string.IsNullOrEmpty(section.Value) ? [] : [section.Value];
        return [.. items.Select(Text)];
    }

    public static TimeSpan Duration(IConfigurationSection section, DurationRule rule)
    {
        string value = Text(section);
        if (TryReadDuration(value, rule, out TimeSpan duration)) return duration;
        throw Bad(section, $"must be {Expected(rule)}, not '{value}'");
    }

    /// <summary>The longest timeout: 49 days, inside what a timer takes (2^32 - 2 ms); longer is off where a
    /// timeout may be off.</summary>
    public static readonly TimeSpan LongestDuration = TimeSpan.FromDays(49);

    /// <summary>Reads <paramref name="value"/> as a timeout that <paramref name="rule"/> allows, to the
    /// millisecond (what timers count; a positive value under 1 ms is 1 ms): 0, off, infinite and anything
    /// over <see cref="LongestDuration"/> are <see cref="Timeout.InfiniteTimeSpan"/> where it may be off.</summary>
    public static bool TryReadDuration(string value, DurationRule rule, out TimeSpan duration)
    {
        if (!TryParseDuration(value, out duration)) return false;
        bool off = IsOff(value) || (duration == TimeSpan.Zero && rule != DurationRule.NotNegative) || duration > LongestDuration;
        if (off)
        {
            duration = Timeout.InfiniteTimeSpan;
            return rule == DurationRule.PositiveOrOff;
        }
        if (duration < TimeSpan.Zero) return false;
        long milliseconds = (long)Math.Round(duration.TotalMilliseconds);
        duration = TimeSpan.FromMilliseconds(duration > TimeSpan.Zero ? Math.Max(milliseconds, 1) : 0);
        return true;
    }

    private static string Expected(DurationRule rule) => rule switch
    {
        DurationRule.Positive => $"more than 0 s and at most 49 days, as {DurationForms}",
        DurationRule.PositiveOrOff => $"more than 0 s, as {DurationForms}, or 0 or off for never",
        _ => $"from 0 to 49 days, as {DurationForms}",
    };

    /// <summary>A plain number is seconds ("30" is 30 s, not the 30 days of <see cref="TimeSpan.Parse(string)"/>);
    /// "off" and "infinite" (any case) are <see cref="Timeout.InfiniteTimeSpan"/>; anything else is a TimeSpan
    /// in the invariant culture ("00:00:30", "1.00:00:00").</summary>
    public static bool TryParseDuration(string value, out TimeSpan duration)
    {
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
        {
            bool fits = double.IsFinite(seconds) && Math.Abs(seconds) < TimeSpan.MaxValue.TotalSeconds;
            duration = fits ? TimeSpan.FromSeconds(seconds) : default;
            return fits;
        }
        if (IsOff(value))
        {
            duration = Timeout.InfiniteTimeSpan;
            return true;
        }
        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out duration);
    }

    private static bool IsOff(string value) =>
        value.Trim() is var word && (word.Equals("off", StringComparison.OrdinalIgnoreCase) || word.Equals("infinite", StringComparison.OrdinalIgnoreCase));

    public static WsServerConfigurationException Bad(IConfigurationSection section, string problem) => Bad(section.Path, problem);

    public static WsServerConfigurationException Bad(string key, string problem) => new(key, $"{key} {problem}.");
}

/// <summary>Which durations a timeout accepts.</summary>
internal enum DurationRule
{
    /// <summary>At least 1 ms; it cannot be off.</summary>
    Positive,
    /// <summary>At least 1 ms, or off: 0, off or infinite.</summary>
    PositiveOrOff,
    /// <summary>0 or more.</summary>
    NotNegative,
}
