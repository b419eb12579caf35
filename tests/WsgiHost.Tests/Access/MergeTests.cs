using WsgiHost.Access;

namespace WsgiHost.Tests.Access;

/// <summary>Each configuration's top-level sections are merged in file order, parent first.</summary>
public sealed class MergeTests
{
    [Fact]
    public void ByDefaultASectionsRequireReplacesTheInheritedOne()
    {
        var rules = AccessTestConfig.MergedSections("""
            <Directory />
                Require all denied
            </Directory>
            <Directory /srv/app>
                Require ip 10.0.0.0/8
            </Directory>
            """);
        Assert.True(rules.Allows("10.0.0.1"));
        Assert.False(rules.Allows("192.0.2.1"));
    }

    [Fact]
    public void ASectionWithoutAuthzDirectivesInherits()
    {
        var rules = AccessTestConfig.MergedSections("""
            <Directory />
                Require ip 10.0.0.0/8
            </Directory>
            <Directory /srv/app>
                Satisfy all
            </Directory>
            """);
        Assert.True(rules.Allows("10.0.0.1"));
        Assert.False(rules.Allows("192.0.2.1"));
    }

    [Fact]
    public void AuthMergingAndNeedsBoth()
    {
        var rules = AccessTestConfig.MergedSections("""
            <Directory /srv>
                Require ip 10.0.0.0/8
            </Directory>
            <Directory /srv/app>
                AuthMerging And
                Require ip 10.0.0.0/16
            </Directory>
            """);
        Assert.True(rules.Allows("10.0.5.1"));
        Assert.False(rules.Allows("10.1.0.1"));
        Assert.False(rules.Allows("192.0.2.1"));
    }

    [Fact]
    public void AuthMergingOrNeedsEither()
    {
        var rules = AccessTestConfig.MergedSections("""
            <Directory /srv>
                Require ip 10.0.0.0/8
            </Directory>
            <Directory /srv/app>
                AuthMerging Or
                Require ip 192.0.2.0/24
            </Directory>
            """);
        Assert.True(rules.Allows("10.0.5.1"));
        Assert.True(rules.Allows("192.0.2.9"));
        Assert.False(rules.Allows("198.51.100.1"));
    }

    [Fact]
    public void AuthMergingIsNotInheritedByTheNextSection()
    {
        var rules = AccessTestConfig.MergedSections("""
            <Directory /srv>
                Require ip 10.0.0.0/8
            </Directory>
            <Directory /srv/app>
                AuthMerging Or
                Require ip 192.0.2.0/24
            </Directory>
            <Location /admin>
                Require ip 198.51.100.0/24
            </Location>
            """);
        Assert.True(rules.Allows("198.51.100.1"));
        Assert.False(rules.Allows("10.0.0.1"));
        Assert.False(rules.Allows("192.0.2.9"));
    }

    [Fact]
    public void AuthMergingAndWithNoRequireKeepsTheParents()
    {
        var rules = AccessTestConfig.MergedSections("""
            <Directory /srv>
                Require ip 10.0.0.0/8
            </Directory>
            <Directory /srv/app>
                AuthMerging And
            </Directory>
            """);
        Assert.True(rules.Allows("10.0.0.1"));
        Assert.False(rules.Allows("192.0.2.1"));
    }

    [Fact]
    public void ABareAuthMergingOffDropsTheInheritedRulesAndWarns()
    {
        var (child, diagnostics) = AccessTestConfig.Parse("<Directory /srv/app>\nAuthMerging Off\n</Directory>");
        var warning = Assert.Single(diagnostics);
        Assert.Equal(WsgiHost.Configuration.Syntax.DiagnosticSeverity.Warning, warning.Severity);
        Assert.Contains("removes the Require rules it would inherit", warning.Message, StringComparison.Ordinal);
        var parent = AccessTestConfig.Rules("<Directory />\nRequire all denied\n</Directory>");
        Assert.True(AccessRules.Merge(parent, child!).Allows("192.0.2.1"));
    }

    [Fact]
    public void OrderAllowDenyOfASectionReplaceTheParentsWhole()
    {
        // mod_access_compat has no merger: the child's Order is deny,allow again, not the parent's allow,deny.
        var rules = AccessTestConfig.MergedSections("""
            <Directory />
                Order allow,deny
                Allow from 10.0.0.0/8
            </Directory>
            <Directory /srv/app>
                Deny from 10.6.6.6
            </Directory>
            """);
        Assert.True(rules.Allows("192.0.2.1"));
        Assert.True(rules.Allows("10.0.0.1"));
        Assert.False(rules.Allows("10.6.6.6"));
    }

    [Fact]
    public void LegacyRulesAreInheritedBySectionsWithoutThem()
    {
        var rules = AccessTestConfig.MergedSections("""
            <Directory />
                Order allow,deny
                Allow from 10.0.0.0/8
            </Directory>
            <Location /admin>
                Require ip 10.1.0.0/16
            </Location>
            """);
        Assert.True(rules.Allows("10.1.0.1"));
        Assert.False(rules.Allows("10.2.0.1"));
        Assert.False(rules.Allows("192.0.2.1"));
    }

    [Fact]
    public void SatisfyIsInheritedUntilASectionSetsIt()
    {
        var rules = AccessTestConfig.MergedSections("""
            <Directory />
                Order deny,allow
                Deny from all
                Allow from 10.0.0.0/8
                Satisfy any
            </Directory>
            <Location /admin>
                Require ip 192.0.2.0/24
            </Location>
            """);
        Assert.True(rules.Allows("10.0.0.1"));
        Assert.True(rules.Allows("192.0.2.1"));
        Assert.False(rules.Allows("198.51.100.1"));
        var all = AccessRules.Merge(rules, AccessTestConfig.Rules("<Location />\nSatisfy all\n</Location>"));
        Assert.False(all.Allows("10.0.0.1"));
    }

    [Fact]
    public void MergeAllSkipsSectionsWithoutAccessDirectives()
    {
        Assert.Null(AccessRules.MergeAll([null, null]));
        var only = AccessTestConfig.Rules("<Location />\nRequire all denied\n</Location>");
        Assert.Same(only, AccessRules.MergeAll([null, only, null]));
    }
}
