namespace WsgiHost.Configuration.Syntax;

/// <summary>What Apache's configuration reader counts as whitespace (C <c>isspace</c>).</summary>
internal static class Whitespace
{
    public static readonly char[] Characters = [' ', '\t', '\n', '\v', '\f', '\r'];

    public static bool Is(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
