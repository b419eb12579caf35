namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>
/// A test that runs the server with glibc's malloc debugging library preloaded (glibc 2.34 and
/// later ship it with libc6); skipped, with the reason, where the system has none.
/// </summary>
public sealed class MallocCheckTheoryAttribute : TheoryAttribute
{
    public MallocCheckTheoryAttribute()
    {
        if (!File.Exists(Library))
        {
            Skip = $"no {Library} on this system (glibc's malloc debugging library, glibc 2.34 or later)";
        }
    }

    /// <summary>glibc's malloc debugging library, where Debian's libc6 installs it.</summary>
    public const string Library = "/lib/x86_64-linux-gnu/libc_malloc_debug.so.0";
}
