using System.Globalization;

namespace WsgiHost.Server;

/// <summary>A process's resident memory as the kernel reports it (VmRSS in /proc/PID/status).</summary>
internal static class ProcessMemory
{
    /// <summary>Bytes, or null when the process is gone or there is no /proc (not Linux).</summary>
    public static long? ResidentBytes(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                // "VmRSS:	   12345 kB"
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    string[] parts = line[6..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                    return parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kb) ? kb * 1024 : null;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }
}
