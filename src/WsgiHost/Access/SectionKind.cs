namespace WsgiHost.Access;

/// <summary>The per-directory sections whose order <see cref="SectionWalk{T}"/> knows.</summary>
internal enum SectionKind
{
    Directory,
    DirectoryMatch,
    Files,
    FilesMatch,
    Location,
    LocationMatch,
}
