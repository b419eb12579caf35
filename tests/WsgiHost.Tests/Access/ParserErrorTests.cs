using WsgiHost.Access;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Tests.Access;

/// <summary>Every error names the directive, points at its line and says how to fix it.</summary>
public sealed class ParserErrorTests
{
    private static ConfigDiagnostic InLocation(string lines) => AccessTestConfig.Error($"<Location />\n{lines}\n</Location>");

    [Theory]
    [InlineData("Require ip 300.1.1.1", "'300.1.1.1' is not an IP address or network")]
    [InlineData("Require ip 10.0.0.0/33", "'10.0.0.0/33' has an invalid netmask '33'")]
    [InlineData("Require ip 10.0.0.0/0", "'10.0.0.0/0' has an invalid netmask '0'")]
    [InlineData("Require ip 10.1/16", "'10.1/16' is not an IP address or network")]
    [InlineData("Require ip 10.0.0.0/255.0.0.256", "'10.0.0.0/255.0.0.256' has an invalid netmask '255.0.0.256'")]
    [InlineData("Require ip 2001:db8::/129", "'2001:db8::/129' has an invalid netmask '129'")]
    [InlineData("Require ip 1.2.3.4.5", "'1.2.3.4.5' is not an IP address or network")]
    [InlineData("Require ip example.com", "'example.com' is not an IP address or network")]
    [InlineData("Require ip", "'Require ip' needs at least one address or network")]
    [InlineData("Require all", "argument for 'Require all' must be 'granted' or 'denied', not ''")]
    [InlineData("Require all allowed", "argument for 'Require all' must be 'granted' or 'denied', not 'allowed'")]
    [InlineData("Require", "Require needs a provider")]
    [InlineData("Require not", "'Require not' needs a provider to negate")]
    [InlineData("Require local 127.0.0.1", "'Require local' takes no arguments")]
    [InlineData("Require host", "'Require host' needs at least one host name")]
    [InlineData("Require host *.example.com", "'*.example.com' has a wildcard, which host rules do not support (it would never match)")]
    [InlineData("Require host exa%mple.com", "'exa%mple.com' is not a host or domain name")]
    [InlineData("Require forward-dns .example.com", "'Require forward-dns' takes host names, not a domain like '.example.com'")]
    [InlineData("Require not all granted", "negative Require directive has no effect in <RequireAny> directive")]
    public void RequireArguments(string line, string message)
    {
        var error = InLocation(line);
        Assert.Equal(message, error.Message);
        Assert.Equal("Require", error.Directive);
        Assert.Equal(new SourceLocation("site.conf", 2), error.Location);
        Assert.False(string.IsNullOrEmpty(error.Fix));
    }

    [Fact]
    public void AuthorizationSectionsNestedTooDeepAreOneErrorAtTheFirstTooDeepNotAStackOverflow()
    {
        // Alternating kinds, which are not spliced into their parent as sections of one kind are.
        const int levels = 40_000;
        var lines = new List<string>();
        for (int i = 0; i < levels; i++)
        {
            lines.Add(i % 2 == 0 ? "<RequireAll>" : "<RequireAny>");
        }
        lines.Add("Require all granted");
        for (int i = levels - 1; i >= 0; i--)
        {
            lines.Add(i % 2 == 0 ? "</RequireAll>" : "</RequireAny>");
        }
        var error = InLocation(string.Join("\n", lines));
        Assert.Equal($"authorization sections are nested more than {RequireParser.MaxNesting} deep", error.Message);
        Assert.Equal(new SourceLocation("site.conf", 2 + RequireParser.MaxNesting), error.Location);
        Assert.Contains("flatten", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void AuthorizationSectionsNestedAsDeepAsAllowedAreRead()
    {
        var lines = new List<string>();
        for (int i = 0; i < RequireParser.MaxNesting; i++)
        {
            lines.Add(i % 2 == 0 ? "<RequireAll>" : "<RequireAny>");
        }
        lines.Add("Require all granted");
        for (int i = RequireParser.MaxNesting - 1; i >= 0; i--)
        {
            lines.Add(i % 2 == 0 ? "</RequireAll>" : "</RequireAny>");
        }
        var (rules, diagnostics) = AccessTestConfig.Parse($"<Location />\n{string.Join("\n", lines)}\n</Location>");
        Assert.Empty(diagnostics);
        // Evaluated through every level: the innermost rule decides.
        Assert.True(rules.Allows("192.0.2.1"));
    }

    [Fact]
    public void AnUnknownProviderIsNamedWithTheKnownOnes()
    {
        var error = InLocation("Require bogus thing");
        Assert.Equal("unknown Require provider 'bogus'", error.Message);
        Assert.Equal("use one of: all, ip, host, forward-dns, local, env, valid-user, user, group, wsgi-group", error.Fix);
    }

    [Theory]
    [InlineData("Require ldap-group cn=admins")]
    [InlineData("Require file-owner")]
    [InlineData("Require dbm-group admins")]
    public void UserProvidersOtherThanValidUserUserAndGroupAreRefused(string line)
    {
        var error = InLocation(line);
        Assert.EndsWith("is not supported: WsgiHost authenticates users with AuthType Basic and an AuthUserFile, and tests them with Require valid-user, user, group (AuthGroupFile) and wsgi-group (WSGIAuthGroupScript)", error.Message, StringComparison.Ordinal);
        Assert.Equal("use Require valid-user, user, group or wsgi-group, or check the user in the application", error.Fix);
    }

    [Theory]
    [InlineData("Require valid-user alice", "'Require valid-user' takes no arguments")]
    [InlineData("Require user", "'Require user' needs at least one name")]
    [InlineData("Require group", "'Require group' needs at least one name")]
    [InlineData("AuthType Form", "AuthType Form is not supported (WsgiHost has Basic, and None)")]
    [InlineData("AuthBasicProvider file dbm", "the authentication provider 'dbm' is not supported (WsgiHost has 'file': AuthUserFile, and 'wsgi': WSGIAuthUserScript)")]
    [InlineData("WSGIAuthUserScript /srv/auth.wsgi process-group=x", "Invalid option to WSGI authentication script definition: 'process-group=x' (the only option is application-group=)")]
    [InlineData("WSGIAuthGroupScript /srv/auth.wsgi application-group=", "application-group= needs a name")]
    [InlineData("WSGIAuthUserScript", "WSGIAuthUserScript needs a value")]
    [InlineData("AuthBasicAuthoritative maybe", "AuthBasicAuthoritative must be On or Off, got 'maybe'")]
    [InlineData("AuthDigestDomain /", "AuthDigestDomain: this kind of authentication is not supported (WsgiHost has AuthType Basic with AuthUserFile and AuthGroupFile)")]
    public void MalformedOrUnsupportedAuthenticationIsAnErrorAtItsLine(string line, string message)
    {
        var error = InLocation(line);
        Assert.Equal(message, error.Message);
        Assert.Equal(new SourceLocation("site.conf", 2), error.Location);
        Assert.True(AccessRulesParser.IsAccessDirective(line.Split(' ')[0]));
    }

    [Theory]
    [InlineData("Require env", "'Require env' needs at least one variable name")]
    [InlineData("Require expr \"%{REMOTE_ADDR} == '1.2.3.4'\"", "'Require expr' is not supported by this server")]
    [InlineData("Require method GET", "'Require method' is not supported by this server")]
    public void UnsupportedProvidersAreRefused(string line, string start)
    {
        Assert.StartsWith(start, InLocation(line).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NegationHasNoEffectInRequireAnyOrRequireNone()
    {
        var inAny = AccessTestConfig.Error("<Location />\n<RequireAny>\nRequire ip 10.0.0.0/8\nRequire not ip 10.0.0.1\n</RequireAny>\n</Location>");
        Assert.Equal("negative Require directive has no effect in <RequireAny> directive", inAny.Message);
        Assert.Equal(4, inAny.Location.Line);
        var inNone = AccessTestConfig.Error("<Location />\n<RequireAll>\nRequire all granted\n<RequireNone>\nRequire not ip 10.0.0.1\n</RequireNone>\n</RequireAll>\n</Location>");
        Assert.Equal("negative Require directive has no effect in <RequireNone> directive", inNone.Message);
        var noneAtTop = AccessTestConfig.Error("<Location />\n<RequireNone>\nRequire ip 10.0.0.1\n</RequireNone>\n</Location>");
        Assert.Equal("<RequireNone> directive has no effect in <RequireAny> directive", noneAtTop.Message);
        Assert.Equal("<RequireNone>", noneAtTop.Directive);
    }

    [Fact]
    public void ARequireAllOfOnlyNegationsIsRefused()
    {
        var error = AccessTestConfig.Error("<Location />\n<RequireAll>\nRequire not ip 10.0.0.1\n<RequireNone>\nRequire ip 10.0.0.2\n</RequireNone>\n</RequireAll>\n</Location>");
        Assert.Equal("<RequireAll> directive contains only negative authorization directives", error.Message);
        Assert.Equal(2, error.Location.Line);
    }

    [Fact]
    public void ContainerMistakes()
    {
        Assert.Equal("<RequireAll> directive contains no authorization directives",
            AccessTestConfig.Error("<Location />\n<RequireAll>\n</RequireAll>\n</Location>").Message);
        Assert.Equal("<RequireAny> directive doesn't take additional arguments",
            AccessTestConfig.Error("<Location />\n<RequireAny x>\nRequire all granted\n</RequireAny>\n</Location>").Message);
        Assert.Equal("Order is not allowed inside <RequireAll>",
            AccessTestConfig.Error("<Location />\n<RequireAll>\nRequire all granted\nOrder allow,deny\n</RequireAll>\n</Location>").Message);
        Assert.Equal("Require is a directive, not a section",
            AccessTestConfig.Error("<Location />\n<Require>\n</Require>\n</Location>").Message);
    }

    [Theory]
    [InlineData("Order allow, deny", "Order", "Order takes one argument: allow,deny, deny,allow or mutual-failure", "write it without spaces: 'Order allow,deny'")]
    [InlineData("Order first", "Order", "unknown order 'first'", "use one of: allow,deny, deny,allow or mutual-failure")]
    [InlineData("Allow 10.0.0.1", "Allow", "allow and deny must be followed by 'from'", "write e.g. 'Allow from 10.0.0.0/8' or 'Allow from all'")]
    [InlineData("Deny from", "Deny", "'Deny from' needs at least one host, address or 'all'", "write e.g. 'Deny from 10.0.0.0/8' or 'Deny from all'")]
    [InlineData("Allow from 300.1.1.1", "Allow", "'300.1.1.1' is not an IP address or network", null)]
    [InlineData("Allow from example.com/24", "Allow", "'example.com/24' is not an IP address or network", null)]
    [InlineData("Deny from env=!", "Deny", "'env=!' names no variable", "write env=VAR or env=!VAR")]
    [InlineData("Allow from all#comment", "Allow", "no comments are allowed here", "put the comment on a line of its own, starting with #")]
    [InlineData("Satisfy some", "Satisfy", "Satisfy either 'any' or 'all'", "write 'Satisfy all' or 'Satisfy any'")]
    [InlineData("AuthMerging Both", "AuthMerging", "AuthMerging must be one of: Off | And | Or", "write 'AuthMerging Off', 'AuthMerging And' or 'AuthMerging Or'")]
    public void LegacyAndOtherDirectives(string line, string directive, string message, string? fix)
    {
        var error = InLocation(line);
        Assert.Equal((directive, message), (error.Directive, error.Message));
        Assert.Equal(2, error.Location.Line);
        if (fix is not null)
        {
            Assert.Equal(fix, error.Fix);
        }
        else
        {
            Assert.False(string.IsNullOrEmpty(error.Fix));
        }
    }

    [Fact]
    public void LimitSectionsAreRefused()
    {
        var error = InLocation("<LimitExcept GET POST>\nRequire all denied\n</LimitExcept>");
        Assert.Equal("<LimitExcept> is not supported: access rules cannot depend on the HTTP method here", error.Message);
    }

    [Fact]
    public void AccessRulesInsideIfAreRefused()
    {
        var error = InLocation("<If \"%{HTTP_HOST} == 'a'\">\nRequire all denied\n</If>");
        Assert.Equal("access rules inside <If> are not supported", error.Message);
        Assert.Equal(3, error.Location.Line);
        // The fix keeps the condition: rules moved out without it would hold for every request.
        Assert.DoesNotContain("move the rules out", error.Fix, StringComparison.Ordinal);
        Assert.Contains("would apply them to every request", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void RequireDirectlyInAVirtualHostIsNotAllowed()
    {
        var read = ConfigReader.ReadText("""
            <VirtualHost *:80>
                ServerName a.example
                Require all granted
                <RequireAll>
                    Require all granted
                </RequireAll>
                <Location />
                    Require all granted
                </Location>
            </VirtualHost>
            """, "site.conf");
        var diagnostics = new List<ConfigDiagnostic>();
        Assert.Null(AccessRulesParser.Parse(read.Nodes[0].Children, diagnostics, AccessContext.Server));
        Assert.Equal(2, diagnostics.Count);
        Assert.Equal("Require not allowed here", diagnostics[0].Message);
        Assert.Equal("put it inside <Location /> or <Directory ...>", diagnostics[0].Fix);
        Assert.Equal(3, diagnostics[0].Location.Line);
        Assert.Equal("<RequireAll> not allowed here", diagnostics[1].Message);
    }

    [Fact]
    public void HostRuleWithAnAddressWarns()
    {
        var (rules, diagnostics) = AccessTestConfig.Parse("<Location />\nRequire host 10.0.0.1\n</Location>");
        Assert.NotNull(rules);
        var warning = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal("write 'Require ip 10.0.0.1'", warning.Fix);
    }

    [Theory]
    [InlineData("require", true)]
    [InlineData("ORDER", true)]
    [InlineData("RequireNone", true)]
    [InlineData("AuthMerging", true)]
    [InlineData("Satisfy", true)]
    [InlineData("WSGIScriptAlias", false)]
    [InlineData("Directory", false)]
    public void IsAccessDirective(string name, bool expected) =>
        Assert.Equal(expected, AccessRulesParser.IsAccessDirective(name));

    [Fact]
    public void OtherDirectivesAreIgnoredAndASectionWithoutAccessDirectivesHasNoRules()
    {
        var (rules, diagnostics) = AccessTestConfig.Parse("<Directory /srv>\nOptions None\nWSGIProcessGroup x\n</Directory>");
        Assert.Null(rules);
        Assert.Empty(diagnostics);
    }
}
