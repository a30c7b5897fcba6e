using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace WsServer.Tests.TestSupport;

/// <summary>A logger factory that keeps every entry (level, event id, message), for tests that assert
/// what the server said.</summary>
public sealed class CapturingLogger : ILoggerFactory, ILoggerProvider, ILogger
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> Entries { get; } = new();

    public IEnumerable<(LogLevel Level, EventId Id, string Message)> WithId(int id) => Entries.Where(e => e.Id.Id == id);

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, eventId, formatter(state, exception)));

    public void Dispose()
    {
    }
}
