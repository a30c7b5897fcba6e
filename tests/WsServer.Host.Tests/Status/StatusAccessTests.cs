using System.Net;
using WsServer.Host.Configuration;
using WsServer.Host.Status;

namespace WsServer.Host.Tests.Status;

/// <summary>Who may see the status page: loopback by default, the allowed networks, the token.</summary>
public sealed class StatusAccessTests
{
    private static readonly IPAddress Outside = IPAddress.Parse("192.0.2.7");

    [Fact]
    public void ByDefaultOnlyLoopbackMaySee()
    {
        var access = new StatusAccess(new StatusSettings("/status", null, null));

        Assert.True(access.Allows(IPAddress.Loopback, null));
        Assert.True(access.Allows(IPAddress.IPv6Loopback, null));
        Assert.True(access.Allows(IPAddress.Loopback.MapToIPv6(), null));
        Assert.False(access.Allows(Outside, null));
    }

    [Fact]
    public void WithATokenAnyAddressThatGivesItMaySee()
    {
        var access = new StatusAccess(new StatusSettings("/status", null, "s3cret"));

        Assert.True(access.Allows(Outside, "s3cret"));
        Assert.False(access.Allows(IPAddress.Loopback, "s3cre"));
        Assert.False(access.Allows(IPAddress.Loopback, "s3cret!"));
        Assert.False(access.Allows(IPAddress.Loopback, null));
    }

    [Fact]
    public void WithAnAllowListAndATokenBothAreNeeded()
    {
        var access = new StatusAccess(new StatusSettings("/status", [IPNetwork.Parse("192.0.2.0/24")], "s3cret"));

        Assert.True(access.Allows(Outside, "s3cret"));
        Assert.False(access.Allows(Outside, null));
        Assert.False(access.Allows(IPAddress.Loopback, "s3cret"));
    }

    [Theory]
    [InlineData("token=abc", "abc")]
    [InlineData("a=1&token=a%20b", "a b")]
    [InlineData("tokens=x", null)]
    [InlineData("", null)]
    public void TheTokenIsReadFromTheQuery(string query, string? token) => Assert.Equal(token, StatusAccess.TokenOf(query));
}
