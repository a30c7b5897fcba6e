namespace WsServer.Host.Tests.TestHandlers;

/// <summary>A public type with a parameterless constructor that is not a handler.</summary>
public sealed class NotAHandler
{
    public override string ToString() => "not a handler";
}
