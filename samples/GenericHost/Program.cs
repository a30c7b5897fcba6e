using GenericHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WsServer.Extensions.Hosting;

// Options come from appsettings.json's "WsServer" section (and, as usual in the Generic Host, from
// environment variables such as WsServer__Port=9000 and from the command line: --WsServer:Port=9000).
// The route /chat there names the handler registered as "chat"; /echo is mapped in code.
// The content root is where the program is, so appsettings.json is found whatever the working directory.
HostApplicationBuilder builder = Host.CreateApplicationBuilder(
    new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
// A start that fails is said in one line below; the host's own "Hosting failed to start" would add a stack trace.
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<ChatRoom>(); // ChatHandler's dependency, itself built from the container
builder.Services.AddWsServer(ws => ws
    .AddHandler<ChatHandler>("chat")
    .MapHandler<EchoHandler>("/echo"));

// Ctrl+C or SIGTERM stops the host: every connection is closed with 1001, then the host exits.
// A bad value in the "WsServer" section fails the start, before anything listens, naming its key;
// so does a port in use (IOException) or a certificate that cannot be loaded (InvalidOperationException).
try
{
    await builder.Build().RunAsync().ConfigureAwait(false);
    return 0;
}
catch (WsServerConfigurationException ex)
{
    await Console.Error.WriteLineAsync($"GenericHost: {ex.Message}").ConfigureAwait(false);
    return 2;
}
catch (Exception ex) when (ex is InvalidOperationException or IOException)
{
    await Console.Error.WriteLineAsync($"GenericHost: {ex.Message}").ConfigureAwait(false);
    return 1;
}
