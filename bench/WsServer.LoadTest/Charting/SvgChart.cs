using System.Globalization;
using System.Text;

namespace WsServer.LoadTest.Charting;

/// <summary>One group of the chart: a load, what is measured for it (a cost: lower is better), its unit, and each
/// server's median.</summary>
internal sealed record ChartGroup(string Load, string Measure, string Unit, double WsServer, double Other)
{
    /// <summary>The uWebSockets anchor's median, when it ran.</summary>
    public double? Anchor { get; init; }
}

/// <summary>The report's loads as a horizontal bar chart in one self-contained SVG: per load, WsServer's bar and the
/// other server's, each as a ratio of the other server's figure (which reads 1.0), labelled with the absolute
/// figure. Written as text, so it needs no library; a light background and plain fonts, so it reads on GitHub.</summary>
internal static class SvgChart
{
    private const int Width = 800;
    private const int Margin = 24;
    private const int BarsLeft = 130;
    private const int BarsWidth = 430;
    private const int BarHeight = 18;
    private const int GroupHeight = 74;
    private const int AnchoredGroupHeight = GroupHeight + BarHeight + 4;
    private const int FooterChars = 118;
    private const string WsServerColour = "#2f6fb3";
    private const string OtherColour = "#a3aab4";
    private const string AnchorColour = "#e0a03a";
    private const string Font = "font-family=\"Segoe UI, Helvetica, Arial, sans-serif\"";

    /// <summary>The SVG text. Groups whose figures are missing or zero (no ratio) are left out.</summary>
    public static string Render(string title, string subtitle, string otherName, IEnumerable<ChartGroup> groups,
        IEnumerable<string> footer)
    {
        ChartGroup[] shown = [.. groups.Where(g => g.Other > 0 && g.WsServer >= 0 && double.IsFinite(g.WsServer + g.Other))];
        string[] footerLines = [.. footer.SelectMany(Wrap)];
        // The longest bar spans the bar area; the other server's bar is 1.0, so the scale is at least that.
        double scale = Math.Max(1, shown.Select(g => Math.Max(g.WsServer, g.Anchor ?? 0) / g.Other).DefaultIfEmpty(1).Max());
        int groupHeight = shown.Any(g => g.Anchor is not null) ? AnchoredGroupHeight : GroupHeight;
        int top = 84;
        int height = top + Math.Max(1, shown.Length) * groupHeight + 16 + footerLines.Length * 16 + Margin;

        var svg = new StringBuilder();
        svg.AppendLine(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\">"));
        svg.AppendLine(Invariant($"<rect width=\"{Width}\" height=\"{height}\" fill=\"#ffffff\"/>"));
        Text(svg, Margin, 34, 20, "#1a1a1a", title, bold: true);
        Text(svg, Margin, 58, 13, "#444444", subtitle);

        double one = BarsLeft + BarsWidth / scale;
        int bottom = top + shown.Length * groupHeight;
        if (shown.Length > 0)
        {
            // The reference, the other server's figure (1.0), drawn first so the labels stay on top of it.
            svg.AppendLine(Invariant(
                $"<line x1=\"{one:0.#}\" y1=\"{top - 6}\" x2=\"{one:0.#}\" y2=\"{bottom - 10}\" stroke=\"#555555\" stroke-dasharray=\"4 3\"/>"));
            Text(svg, one - 4, top - 10, 11, "#555555", $"{otherName} = 1.0", anchor: "end");
        }
        else
        {
            Text(svg, Margin, top + 20, 14, "#1a1a1a", "No load with a figure for both servers.");
            bottom += groupHeight;
        }
        int y = top;
        foreach (ChartGroup g in shown)
        {
            Text(svg, Margin, y + 14, 14, "#1a1a1a", $"{g.Load}: {g.Measure}", bold: true, halo: true);
            Bar(svg, y + 24, "WsServer", WsServerColour, g.WsServer / g.Other / scale,
                $"{Num(g.WsServer)} {g.Unit} ({(g.WsServer / g.Other).ToString("0.00", CultureInfo.InvariantCulture)}×)");
            Bar(svg, y + 24 + BarHeight + 4, otherName, OtherColour, 1 / scale, $"{Num(g.Other)} {g.Unit}");
            if (g.Anchor is { } anchor)
                Bar(svg, y + 24 + 2 * (BarHeight + 4), "uWebSockets", AnchorColour, anchor / g.Other / scale,
                    $"{Num(anchor)} {g.Unit} ({(anchor / g.Other).ToString("0.00", CultureInfo.InvariantCulture)}×)");
            y += groupHeight;
        }
        y = bottom + 16;
        foreach (string line in footerLines)
        {
            Text(svg, Margin, y, 11, "#555555", line);
            y += 16;
        }
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static void Bar(StringBuilder svg, int y, string name, string colour, double fraction, string label)
    {
        double width = Math.Max(1, fraction * BarsWidth);
        Text(svg, BarsLeft - 8, y + 13, 12, "#333333", name, anchor: "end");
        svg.AppendLine(Invariant($"<rect x=\"{BarsLeft}\" y=\"{y}\" width=\"{width:0.#}\" height=\"{BarHeight}\" fill=\"{colour}\"/>"));
        Text(svg, BarsLeft + width + 6, y + 13, 12, "#1a1a1a", label, halo: true);
    }

    private static void Text(StringBuilder svg, double x, double y, int size, string colour, string text,
        bool bold = false, string anchor = "start", bool halo = false) =>
        svg.AppendLine(Invariant($"<text x=\"{x:0.#}\" y=\"{y:0.#}\" {Font} font-size=\"{size}\" fill=\"{colour}\"")
            + (bold ? " font-weight=\"bold\"" : "") + (anchor == "start" ? "" : $" text-anchor=\"{anchor}\"")
            // A white outline under the letters, where a text crosses the reference line.
            + (halo ? " stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"" : "")
            + $">{Escape(text)}</text>");

    // Long lines (the command) broken at spaces so they stay inside the width.
    private static IEnumerable<string> Wrap(string text)
    {
        var line = new StringBuilder();
        foreach (string word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > FooterChars)
            {
                yield return line.ToString();
                line.Clear().Append("    ");
            }
            if (line.Length > 0 && line.ToString().Trim().Length > 0) line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0) yield return line.ToString();
    }

    private static string Num(double v) =>
        v.ToString(v >= 100 ? "N0" : "0.00", CultureInfo.InvariantCulture);

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
