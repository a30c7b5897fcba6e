namespace WsServer.Host.BuiltInHandlers;

/// <summary>The state of a handler that keeps none per connection.</summary>
internal readonly record struct NoState;
