using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Tests.Configuration.Syntax;

/// <summary>A temporary folder of configuration files, deleted on dispose.</summary>
internal sealed class TempConfigFolder : IDisposable
{
    public TempConfigFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "wsgihost-config-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>Writes <paramref name="text"/> to <paramref name="relative"/>, creating folders; returns the full path.</summary>
    public string Write(string relative, string text)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Writes site.conf and reads it.</summary>
    public ConfigReadResult Read(string siteConf, ConfigReaderOptions? options = null) =>
        ConfigReader.ReadFile(Write("site.conf", siteConf), options);

    public string Site => PathOf("site.conf");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
