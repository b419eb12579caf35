using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WsgiHost.Examples.AspNetCore;

/// <summary>
/// A stand-in for a real identity provider, for this example and its tests only: the
/// <c>X-User</c> header names the user, and a user called <c>guest</c> is authenticated but
/// lacks the <c>member</c> role the policy requires. Never trust a client header like this in
/// production; use cookies, JWT bearer or OpenID Connect instead.
/// </summary>
internal sealed class HeaderAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "X-User";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? user = Request.Headers["X-User"];
        if (string.IsNullOrEmpty(user))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        var claims = new List<Claim> { new(ClaimTypes.Name, user) };
        if (user != "guest")
        {
            claims.Add(new Claim(ClaimTypes.Role, "member"));
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}
