using System.Net;
using WsServer.Connections;
using WsServer.Hosting;

// The built-in `echo` handler as a program of its own: every message goes back as it came, text as
// text, binary as binary. Ctrl+C stops the server: connections are closed with 1001.
var options = new ServerOptions { Address = IPAddress.Loopback, Port = args.Length > 0 ? int.Parse(args[0]) : 8080, Workers = 100 };
options.Routes.Map("/", (message, connection) => HandleResult.Reply(message));

await using var server = new WebSocketServer(options);
await server.StartAsync();
Console.WriteLine($"echo on ws://{server.LocalEndPoints[0]}/");

var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};
await stop.Task;
await server.StopAsync();
