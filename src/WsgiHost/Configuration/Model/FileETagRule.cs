namespace WsgiHost.Configuration.Model;

/// <summary>The parts of a file that core's FileETag builds its ETag from.</summary>
[Flags]
internal enum FileETagParts
{
    /// <summary>FileETag None: no ETag is sent.</summary>
    None = 0,
    INode = 1,
    MTime = 2,
    Size = 4,
    All = INode | MTime | Size,
}

/// <summary>
/// One scope's FileETag line: parts named outright replace what the scope inherits; +Part and
/// -Part change it (Apache 2.4, whose default is MTime Size).
/// </summary>
internal sealed record FileETagRule(FileETagParts? Parts, FileETagParts Add, FileETagParts Remove)
{
    /// <summary>Apache 2.4's default: the inode is left out, so servers sharing files tag them alike.</summary>
    public const FileETagParts Default = FileETagParts.MTime | FileETagParts.Size;

    public FileETagParts Apply(FileETagParts inherited) => ((Parts ?? inherited) | Add) & ~Remove;

    /// <summary>The parts in force under a scope's rule (null: none written, so the default's).</summary>
    public static FileETagParts InForce(FileETagRule? rule) => rule?.Apply(Default) ?? Default;

    /// <summary>A deeper scope's rule over the one it inherits, as one rule with its parts settled.</summary>
    public static FileETagRule? Merge(FileETagRule? inherited, FileETagRule? over) =>
        over == null ? inherited : new FileETagRule(over.Apply(InForce(inherited)), FileETagParts.None, FileETagParts.None);
}
