namespace WsServer.Protocol.Tests.TestSupport;

/// <summary>Bytes written as the RFC writes them: <c>Hex.Parse("81 05 48 65 6c 6c 6f")</c>.</summary>
public static class Hex
{
    public static byte[] Parse(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
