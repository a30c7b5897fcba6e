namespace WsServer.LoadTest.Servers;

/// <summary>The fan-out command both servers understand: a text message <c>fanout:</c> + payload.</summary>
internal static class FanoutCommand
{
    public static ReadOnlySpan<byte> Prefix => "fanout:"u8;
}
