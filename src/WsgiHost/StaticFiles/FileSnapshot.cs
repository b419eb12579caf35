using Microsoft.Win32.SafeHandles;

namespace WsgiHost.StaticFiles;

/// <summary>
/// What a response about one file is built from: its size and times as of one open, the
/// validators derived from them (Last-Modified, ETag), and the open file itself, which the
/// body is read from (the same inode whatever happens to the name meanwhile).
/// </summary>
internal sealed class FileSnapshot : IDisposable
{
    private FileSnapshot(string path, SafeFileHandle handle, long length, DateTime modifiedUtc, DateTime nowUtc)
    {
        Path = path;
        Handle = handle;
        Length = length;
        // Apache never announces a modification time in the future (ap_rationalize_mtime):
        // a clock-skewed file would otherwise look newer than every later If-Modified-Since.
        DateTime modified = modifiedUtc > nowUtc ? nowUtc : modifiedUtc;
        LastModified = new DateTimeOffset(modified.Ticks - modified.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        _modifiedUtc = modified;
        ETag = ContentTag = EntityTag.ForFile(length, modified, nowUtc);
        // RFC 9110 §8.8.2.2: a date is a strong validator only if the file has not changed
        // during the second the date names; same rule Apache uses to weaken the ETag.
        LastModifiedIsStrong = !ETag.IsWeak;
        Now = nowUtc;
    }

    /// <summary>The modification time to the microsecond (Last-Modified has whole seconds): what ETags are made of.</summary>
    private readonly DateTime _modifiedUtc;

    public string Path { get; }
    public SafeFileHandle Handle { get; }
    public long Length { get; }
    public DateTimeOffset LastModified { get; private set; }
    public bool LastModifiedIsStrong { get; private set; }
    public EntityTag ETag { get; private set; }

    /// <summary>False under FileETag None: the response carries no ETag.</summary>
    public bool SendsETag { get; private set; } = true;

    /// <summary>The ETag of this version of the file, whatever <see cref="UseValidators"/> was told: what caches of its content are keyed by.</summary>
    public EntityTag ContentTag { get; }
    public DateTime Now { get; }

    /// <summary>
    /// Opens the file for reading to learn its size and mtime from the same inode (symlinks
    /// followed) and to find out now whether it is readable: permission errors surface as
    /// <see cref="UnauthorizedAccessException"/> (403), a vanished file as
    /// <see cref="FileNotFoundException"/> or another <see cref="IOException"/> (404).
    /// </summary>
    public static FileSnapshot Open(string path)
    {
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            long length = RandomAccess.GetLength(handle);
            DateTime modified = File.GetLastWriteTimeUtc(handle);
            return new FileSnapshot(path, handle, length, modified, DateTime.UtcNow);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Validators an application chose for the file (mod_xsendfile keeps an X-Sendfile
    /// response's own ETag and Last-Modified): what is sent and what conditional requests are
    /// compared with. A date the application gives is taken as weak, as its precision is unknown.
    /// </summary>
    public void UseValidators(EntityTag? etag, DateTimeOffset? lastModified)
    {
        if (etag is EntityTag tag)
        {
            ETag = tag;
        }
        if (lastModified is DateTimeOffset date)
        {
            LastModified = date;
            LastModifiedIsStrong = false;
        }
    }

    /// <summary>
    /// The ETag FileETag asks for in the file's scope (the default's is made already); the
    /// content tag, which caches of the content are keyed by, stays the default one.
    /// </summary>
    public void TagWith(Configuration.Model.FileETagParts parts)
    {
        if (parts == Configuration.Model.FileETagRule.Default)
        {
            return;
        }
        SendsETag = parts != Configuration.Model.FileETagParts.None;
        ulong inode = parts.HasFlag(Configuration.Model.FileETagParts.INode) ? FileInode.Of(Handle) : 0;
        ETag = EntityTag.ForFile(Length, _modifiedUtc, Now, parts, inode);
    }

    public void Dispose() => Handle.Dispose();
}
