using System.Net;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WsServer.AspNetCore.Tests.TestSupport;
using WsServer.Connections;
using WsServer.Routing;
using WsServer.Tests.TestSupport;

namespace WsServer.AspNetCore.Tests;

/// <summary>The application's authentication and authorization run before the upgrade: an anonymous upgrade of a
/// route that requires authorization is refused with 401 and never reaches WsServer; an authenticated one reaches
/// the handler with its user and claims, and the route's upgrade callback sees them too.</summary>
public sealed class AuthorizationTests
{
    [Fact]
    public async Task AnAnonymousUpgradeOfAnAuthorizedRouteIs401AndNoConnectionIsMade()
    {
        await using KestrelApp app = await StartAsync();
        using var client = new ClientWebSocket();
        client.Options.CollectHttpResponseDetails = true;

        await Assert.ThrowsAsync<WebSocketException>(() => client.ConnectAsync(app.Uri("/me"), Timeouts.Token()));

        Assert.Equal(HttpStatusCode.Unauthorized, client.HttpStatusCode);
        Assert.Equal(0, app.Server.ConnectionCount);
    }

    [Fact]
    public async Task AnAuthenticatedUpgradeReachesTheHandlerWithItsUserAndClaims()
    {
        await using KestrelApp app = await StartAsync();
        using var client = new ClientWebSocket();
        client.Options.SetRequestHeader("Authorization", "Token ada");
        await client.ConnectAsync(app.Uri("/me"), Timeouts.Token());

        await client.SendTextAsync("who am I?");

        Assert.Equal("ada (role admin; checked at the upgrade: ada)", await client.ReceiveTextAsync());
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
    }

    private static Task<KestrelApp> StartAsync() => KestrelApp.StartAsync(
        app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
            var options = new WebSocketRouteOptions
            {
                // The upgrade callback sees the same request: what it hands on reaches init as an item.
                OnUpgrade = upgrade => new(UpgradeDecision.Accept(items: new Dictionary<string, object?>
                {
                    ["checked"] = upgrade.GetHttpContext()!.User.Identity!.Name,
                })),
            };
            app.MapWebSocketHandler("/me", (_, connection) =>
            {
                ClaimsPrincipal user = connection.GetHttpContext()!.User;
                return HandleResult.Reply($"{user.Identity!.Name} (role {user.FindFirst(ClaimTypes.Role)!.Value}; "
                    + $"checked at the upgrade: {connection.Info.Items["checked"]})");
            }, options).RequireAuthorization();
        },
        builder =>
        {
            builder.Services.AddAuthentication(TokenScheme.Name).AddScheme<AuthenticationSchemeOptions, TokenScheme>(TokenScheme.Name, null);
            builder.Services.AddAuthorization();
        });

    /// <summary>"Authorization: Token NAME" authenticates NAME as an admin; anything else is anonymous.</summary>
    private sealed class TokenScheme(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string Name = "Token";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            string? header = Request.Headers.Authorization;
            if (header is null || !header.StartsWith("Token ", StringComparison.Ordinal)) return Task.FromResult(AuthenticateResult.NoResult());
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, header[6..]), new Claim(ClaimTypes.Role, "admin")], Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Name)));
        }
    }
}
