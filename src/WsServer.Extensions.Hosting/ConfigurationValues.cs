using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace WsServer.Extensions.Hosting;

/// <summary>Reads one configuration value of each kind the server takes; a bad one throws a
/// <see cref="WsServerConfigurationException"/> that names its key and quotes its value.</summary>
internal static class ConfigurationValues
{
    public const string DurationForms = "seconds (30, 2.5) or a TimeSpan (00:00:30)";

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
        if (TryParseDuration(value, out TimeSpan duration))
        {
            bool ok = rule switch
            {
                DurationRule.Positive => duration > TimeSpan.Zero,
                DurationRule.PositiveOrInfinite => duration > TimeSpan.Zero || duration == Timeout.InfiniteTimeSpan,
                _ => duration >= TimeSpan.Zero,
            };
            if (ok) return duration;
        }
        string what = rule switch
        {
            DurationRule.Positive => "a positive duration",
            DurationRule.PositiveOrInfinite => "a positive duration or Infinite",
            _ => "a duration of zero or more",
        };
        throw Bad(section, $"must be {what}: {DurationForms}, not '{value}'");
    }

    /// <summary>A plain number is seconds ("30" is 30 s, not the 30 days of <see cref="TimeSpan.Parse(string)"/>);
    /// anything else is a TimeSpan in the invariant culture ("00:00:30", "1.00:00:00"); "Infinite" is
    /// <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    public static bool TryParseDuration(string value, out TimeSpan duration)
    {
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
        {
            bool fits = double.IsFinite(seconds) && Math.Abs(seconds) < TimeSpan.MaxValue.TotalSeconds;
            duration = fits ? TimeSpan.FromSeconds(seconds) : default;
            return fits;
        }
        if (value.Trim().Equals("Infinite", StringComparison.OrdinalIgnoreCase))
        {
            duration = Timeout.InfiniteTimeSpan;
            return true;
        }
        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out duration);
    }

    public static WsServerConfigurationException Bad(IConfigurationSection section, string problem) => Bad(section.Path, problem);

    public static WsServerConfigurationException Bad(string key, string problem) => new(key, $"{key} {problem}.");
}

/// <summary>Which durations a timeout accepts.</summary>
internal enum DurationRule
{
    Positive,
    PositiveOrInfinite,
    NotNegative,
}
