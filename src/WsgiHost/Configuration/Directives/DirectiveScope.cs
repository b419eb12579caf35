namespace WsgiHost.Configuration.Directives;

/// <summary>Where a directive may be written (Apache's RSRC_CONF / ACCESS_CONF contexts).</summary>
[Flags]
internal enum DirectiveScope
{
    /// <summary>Outside every &lt;VirtualHost&gt; (the main server).</summary>
    Server = 1,

    /// <summary>Directly inside a &lt;VirtualHost&gt;.</summary>
    VirtualHost = 2,

    /// <summary>Inside &lt;Directory&gt;, &lt;Location&gt;, &lt;Files&gt; or their Match forms.</summary>
    Section = 4,

    ServerAndVirtualHost = Server | VirtualHost,
    Anywhere = Server | VirtualHost | Section,
}
