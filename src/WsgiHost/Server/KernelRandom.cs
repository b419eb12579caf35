namespace WsgiHost.Server;

/// <summary>
/// Unpredictable bytes from the kernel (/dev/urandom, which never blocks once the system has
/// booted). Not RandomNumberGenerator: on Linux that loads OpenSSL (libssl and libcrypto, 3.7 MB
/// of resident pages measured in /proc/PID/smaps), in a server that needs OpenSSL for nothing
/// else unless a site has TLS.
/// </summary>
internal static class KernelRandom
{
    public static byte[] GetBytes(int count)
    {
        byte[] bytes = new byte[count];
        using var source = new FileStream("/dev/urandom", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        source.ReadExactly(bytes);
        return bytes;
    }
}
