namespace WsgiHost.Configuration.Syntax;

/// <summary>Where a directive was written: the file as it was named or resolved, and its 1-based line.</summary>
internal sealed record SourceLocation(string File, int Line)
{
    public override string ToString() => $"{File}:{Line}";
}
