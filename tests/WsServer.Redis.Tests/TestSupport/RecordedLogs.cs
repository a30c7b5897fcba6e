using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace WsServer.Redis.Tests.TestSupport;

/// <summary>A logger factory that keeps every entry's event id and message, for tests to look at.</summary>
public sealed class RecordedLogs : ILoggerFactory
{
    private readonly ConcurrentQueue<(int EventId, string Message)> _entries = new();

    public IReadOnlyCollection<(int EventId, string Message)> Entries => [.. _entries];

    public bool Has(int eventId) => _entries.Any(e => e.EventId == eventId);

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider) { }

    public void Dispose() { }

    private sealed class Logger(RecordedLogs logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs._entries.Enqueue((eventId.Id, formatter(state, exception)));
    }
}
