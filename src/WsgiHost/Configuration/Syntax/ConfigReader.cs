namespace WsgiHost.Configuration.Syntax;

/// <summary>
/// The first phase of reading an Apache-syntax configuration: lines, quoting, sections, Include,
/// Define and <c>${VAR}</c>, IfDefine and IfModule, giving a tree whose nodes know their file and line.
/// It gives no directive a meaning beyond those. Problems are collected and returned, never thrown.
/// </summary>
internal static class ConfigReader
{
    public static ConfigReadResult ReadFile(string path, ConfigReaderOptions? options = null) =>
        new ConfigTreeBuilder(options ?? new ConfigReaderOptions(), Environment.GetEnvironmentVariable).ReadFile(path);

    /// <summary>Reads <paramref name="text"/> as if it were the file <paramref name="fileName"/>, which names
    /// its nodes and is where relative Include paths start when no ServerRoot is set.</summary>
    public static ConfigReadResult ReadText(string text, string fileName, ConfigReaderOptions? options = null) =>
        ReadText(text, fileName, options, Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="ReadText(string, string, ConfigReaderOptions?)"/>, with the environment
    /// that <c>${VAR}</c> falls back to when VAR is not defined.</summary>
    internal static ConfigReadResult ReadText(
        string text, string fileName, ConfigReaderOptions? options, Func<string, string?> environment) =>
        new ConfigTreeBuilder(options ?? new ConfigReaderOptions(), environment).ReadText(text, fileName);
}
