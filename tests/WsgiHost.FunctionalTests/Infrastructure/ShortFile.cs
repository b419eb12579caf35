namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>
/// A regular file whose size says more than it holds: a sysfs attribute (size 4096, a few
/// bytes to read). It stands for a file that shrank while it was sent, without the race.
/// </summary>
public static class ShortFile
{
    public const string Path = "/sys/devices/system/cpu/online";

    /// <summary>Why a test cannot use it here, or null.</summary>
    public static string? Missing()
    {
        try
        {
            long size = new FileInfo(Path).Length;
            // Read to its end (File.ReadAllBytes would throw: it trusts the size).
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            byte[] buffer = new byte[8192];
            long content = 0;
            for (int n; (n = stream.Read(buffer)) > 0;)
            {
                content += n;
            }
            return size > content ? null : $"{Path} is {size} bytes and holds {content}: not shorter than its size here";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{Path} cannot be read here: {e.Message}";
        }
    }
}
