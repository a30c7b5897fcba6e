using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace WsServer.Tests.TestSupport;

/// <summary>A logger factory that keeps every entry (level, event id, message), for tests that assert
/// what the server said.</summary>
public sealed class CapturingLogger : ILoggerFactory, ILoggerProvider, ILogger
{
    private readonly AsyncLocal<Scope?> _scope = new();

    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> Entries { get; } = new();

    /// <summary>Each entry with its structured fields and the fields of the scopes it was written in.</summary>
    public ConcurrentQueue<(LogLevel Level, EventId Id, IReadOnlyDictionary<string, object?> Fields, IReadOnlyDictionary<string, object?> ScopeFields)> Records { get; } = new();

    public IEnumerable<(LogLevel Level, EventId Id, string Message)> WithId(int id) => Entries.Where(e => e.Id.Id == id);

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    /// <summary>Each scope's text, as a console logger writes it, in the order begun.</summary>
    public ConcurrentQueue<string> ScopeTexts { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull
    {
        ScopeTexts.Enqueue(state.ToString() ?? "");
        var scope = new Scope(this, _scope.Value, state);
        _scope.Value = scope;
        return scope;
    }

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        Entries.Enqueue((logLevel, eventId, formatter(state, exception)));
        var scopeFields = new Dictionary<string, object?>();
        for (Scope? scope = _scope.Value; scope is not null; scope = scope.Parent) Collect(scope.State, scopeFields);
        var fields = new Dictionary<string, object?>();
        Collect(state, fields);
        Records.Enqueue((logLevel, eventId, fields, scopeFields));
    }

    private static void Collect(object? state, Dictionary<string, object?> into)
    {
        if (state is not IEnumerable<KeyValuePair<string, object?>> pairs) return;
        foreach ((string key, object? value) in pairs) into.TryAdd(key, value);
    }

    private sealed class Scope(CapturingLogger owner, Scope? parent, object state) : IDisposable
    {
        public Scope? Parent { get; } = parent;

        public object State { get; } = state;

        public void Dispose() => owner._scope.Value = Parent;
    }

    public void Dispose()
    {
    }
}
