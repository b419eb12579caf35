using System.Security.Claims;
using System.Security.Principal;
using Microsoft.AspNetCore.Http.Features.Authentication;

namespace WsgiHost.Access;

/// <summary>What Basic authentication adds to the exchange: the challenge of a 401, and the user of a grant.</summary>
internal static class BasicChallenge
{
    /// <summary><c>Basic realm="..."</c>, the realm's quotes and backslashes escaped (ap_escape_quotes).</summary>
    public static string For(string realm) =>
        $"Basic realm=\"{realm.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";

    /// <summary>The authenticated user as ASP.NET Core's feature holds one: REMOTE_USER and AUTH_TYPE ("Basic") come from it.</summary>
    public static IHttpAuthenticationFeature Authenticated(string user) =>
        new HttpAuthenticationFeature { User = new ClaimsPrincipal(new GenericIdentity(user, "Basic")) };
}
