using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WsServer.Extensions.Hosting.Tests.TestHandlers;
using WsServer.Extensions.Hosting.Tests.TestSupport;
using WsServer.Connections;
using WsServer.Tests.TestSupport;

namespace WsServer.Extensions.Hosting.Tests;

/// <summary>Handlers come from the container, so a handler takes its dependencies by constructor.</summary>
public sealed class DependencyInjectionTests
{
    private static readonly Dictionary<string, string?> PortZero = new() { ["WsServer:Port"] = "0" };

    [Fact]
    public async Task AHandlerGetsAConstructorDependencyFromTheContainer()
    {
        using IHost host = TestHost.Build(PortZero, ws => ws.MapHandler<GreetingHandler>("/greet"),
            builder => builder.Services.AddSingleton(new Greeting("hello")));
        await host.StartAsync(Timeouts.Token());

        using var client = new ClientWebSocket();
        await client.ConnectAsync(host.Uri("/greet"), Timeouts.Token());
        await client.SendTextAsync("ada");

        Assert.Equal("hello ada", await client.ReceiveTextAsync());
        await host.StopAsync(Timeouts.Token());
    }

    [Fact]
    public async Task AStatefulHandlerGetsItsDependenciesAndKeepsItsStatePerConnection()
    {
        using IHost host = TestHost.Build(PortZero, ws => ws.MapHandler<CountingHandler>("/count"),
            builder => builder.Services.AddSingleton(new Greeting("count")));
        await host.StartAsync(Timeouts.Token());

        using var first = new ClientWebSocket();
        using var second = new ClientWebSocket();
        await first.ConnectAsync(host.Uri("/count"), Timeouts.Token());
        await second.ConnectAsync(host.Uri("/count"), Timeouts.Token());
        await first.SendTextAsync("a");
        Assert.Equal("count 1", await first.ReceiveTextAsync());
        await first.SendTextAsync("b");
        Assert.Equal("count 2", await first.ReceiveTextAsync());
        await second.SendTextAsync("c");

        Assert.Equal("count 1", await second.ReceiveTextAsync());
        await host.StopAsync(Timeouts.Token());
    }

    [Fact]
    public async Task AConfiguredRouteServesAHandlerRegisteredByName()
    {
        using IHost host = TestHost.Build(
            new() { ["WsServer:Port"] = "0", ["WsServer:Routes:/chat:Handler"] = "greeter" },
            ws => ws.AddHandler<GreetingHandler>("greeter"),
            builder => builder.Services.AddSingleton(new Greeting("hi")));
        await host.StartAsync(Timeouts.Token());

        using var client = new ClientWebSocket();
        await client.ConnectAsync(host.Uri("/chat"), Timeouts.Token());
        await client.SendTextAsync("bob");

        Assert.Equal("hi bob", await client.ReceiveTextAsync());
        await host.StopAsync(Timeouts.Token());
    }

    [Fact]
    public async Task CodeCanStillMapRoutesOnTheServerOptions()
    {
        using IHost host = TestHost.Build(PortZero, ws => ws.Configure(options =>
            options.Routes.Map("/upper", (message, _) => HandleResult.Reply(message.GetText().ToUpperInvariant()))));
        await host.StartAsync(Timeouts.Token());

        using var client = new ClientWebSocket();
        await client.ConnectAsync(host.Uri("/upper"), Timeouts.Token());
        await client.SendTextAsync("loud");

        Assert.Equal("LOUD", await client.ReceiveTextAsync());
        await host.StopAsync(Timeouts.Token());
    }

    [Fact]
    public async Task TwoCallsToAddWsServerConfigureOneServer()
    {
        using IHost host = TestHost.Build(PortZero, ws => ws.MapHandler<EchoHandler>("/echo"),
            builder => builder.Services
                .AddSingleton(new Greeting("hey"))
                .AddWsServer(ws => ws.MapHandler<GreetingHandler>("/greet")));
        await host.StartAsync(Timeouts.Token());

        Assert.Single(host.Services.GetServices<IHostedService>());
        using var echo = new ClientWebSocket();
        using var greet = new ClientWebSocket();
        await echo.ConnectAsync(host.Uri("/echo"), Timeouts.Token());
        await greet.ConnectAsync(host.Uri("/greet"), Timeouts.Token());
        await greet.SendTextAsync("you");

        Assert.Equal("hey you", await greet.ReceiveTextAsync());
        await host.StopAsync(Timeouts.Token());
    }

    [Fact]
    public async Task AMissingDependencyFailsTheStart()
    {
        using IHost host = TestHost.Build(PortZero, ws => ws.MapHandler<GreetingHandler>("/greet"));

        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync(Timeouts.Token()));

        Assert.Contains(nameof(Greeting), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MappingATypeThatIsNoHandlerFailsAtRegistration()
    {
        var services = new ServiceCollection();

        ArgumentException error = Assert.Throws<ArgumentException>(() => services.AddWsServer(ws => ws.MapHandler<NotAHandler>("/x")));

        Assert.Contains(nameof(NotAHandler), error.Message, StringComparison.Ordinal);
        Assert.Contains("IWebSocketHandler", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RegisteringTwoHandlersUnderOneNameFails()
    {
        var services = new ServiceCollection();

        ArgumentException error = Assert.Throws<ArgumentException>(() => services.AddWsServer(ws => ws
            .AddHandler<EchoHandler>("chat")
            .AddHandler<GreetingHandler>("chat")));

        Assert.Contains("'chat'", error.Message, StringComparison.Ordinal);
    }
}
