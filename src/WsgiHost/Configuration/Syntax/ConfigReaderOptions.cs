using System.Collections.Frozen;

namespace WsgiHost.Configuration.Syntax;

/// <summary>What the reader assumes about the server it reads for.</summary>
internal sealed record ConfigReaderOptions
{
    /// <summary>
    /// Modules that <c>&lt;IfModule&gt;</c> sees as loaded. Any Apache spelling works, here and in the
    /// configuration: <c>mod_wsgi.c</c>, <c>wsgi_module</c> or <c>mod_wsgi</c>.
    /// </summary>
    public IReadOnlySet<string> LoadedModules { get; init; } = ModuleNames.DefaultLoaded;

    /// <summary>Names defined before the first line, like <c>httpd -D NAME</c>; also usable as <c>${NAME}</c>.</summary>
    public IReadOnlyDictionary<string, string> Defines { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>The folder relative Include paths start from, until a <c>ServerRoot</c> directive replaces it.</summary>
    public string? ServerRoot { get; init; }
}
