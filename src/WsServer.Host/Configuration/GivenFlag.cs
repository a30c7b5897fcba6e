namespace WsServer.Host.Configuration;

/// <summary>A flag given on the command line, as the configuration key it sets.</summary>
internal readonly record struct GivenFlag(string Flag, string Key, string? Value);
