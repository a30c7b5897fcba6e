using System.Net;

namespace WsServer.Host.Tests.TestSupport;

/// <summary>An OpenTelemetry collector's OTLP/HTTP endpoint on a free loopback port: it keeps each POST's path
/// and body, and answers 200.</summary>
internal sealed class FakeCollector : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Lock _gate = new();
    private readonly List<(string Path, byte[] Body)> _posts = [];
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeCollector()
    {
        Url = new Uri($"http://127.0.0.1:{WsServer.Redis.Tests.TestSupport.RedisProcess.FreePort()}/");
        _listener.Prefixes.Add(Url.AbsoluteUri);
        _listener.Start();
        _ = ServeAsync();
    }

    public Uri Url { get; }

    /// <summary>Waits for a POST to <paramref name="path"/> whose body holds <paramref name="text"/> (protobuf keeps
    /// strings as UTF-8 bytes); returns that body.</summary>
    public async Task<byte[]> WaitForAsync(string path, string text)
    {
        byte[] wanted = System.Text.Encoding.UTF8.GetBytes(text);
        using var timeout = new CancellationTokenSource(HostProcess.Timeout);
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                foreach ((string p, byte[] body) in _posts)
                    if (p == path && body.AsSpan().IndexOf(wanted) >= 0) return body;
                arrived = _arrived.Task;
            }
            try
            {
                await arrived.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"No POST to {path} holding '{text}' within {HostProcess.Timeout}; posts: {string.Join(", ", Posts())}");
            }
        }
    }

    private IEnumerable<string> Posts()
    {
        lock (_gate) return [.. _posts.Select(p => $"{p.Path} ({p.Body.Length} bytes)")];
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            context.Response.StatusCode = 200;
            context.Response.Close();
            lock (_gate)
            {
                _posts.Add((context.Request.Url!.AbsolutePath, body.ToArray()));
                _arrived.SetResult();
                _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void Dispose() => _listener.Close();
}
