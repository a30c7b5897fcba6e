using AspNetCoreSample;
using WsServer.AspNetCore;
using WsServer.Connections;
using WsServer.Routing;

// WsServer inside ASP.NET Core: Kestrel accepts (HTTP/1.1, and HTTP/2 where the endpoint offers it), WsServer
// answers each upgrade and runs the handler. Listens where --urls (or ASPNETCORE_URLS) says:
//   dotnet run --project samples/AspNetCore -- --urls http://127.0.0.1:9001
// Server options (limits, timeouts, compression, Redis) come from the "WsServer" configuration section.
WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddWsServerEndpoints();

WebApplication app = builder.Build();
// An echo of every message as it came (large enough for the Autobahn|Testsuite's 16 MiB messages).
app.MapWebSocketHandler("/echo", (message, _) => HandleResult.Reply(message), new WebSocketRouteOptions { MaxMessageSize = 64 << 20 });
// A chat room; add .RequireAuthorization() to let only signed-in users in (401 before the upgrade otherwise).
app.MapWebSocketHandler<ChatHandler>("/chat");
app.MapGet("/", () => Results.Content(ChatPage.Html, "text/html; charset=utf-8"));
await app.RunAsync().ConfigureAwait(false);
