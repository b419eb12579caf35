using System.Globalization;

namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>What /proc says about a process the tests started or found.</summary>
internal static class ProcFs
{
    /// <summary>The parent's PID; 0 when the process is gone.</summary>
    public static int ParentOf(int pid)
    {
        string status = Read($"/proc/{pid}/status");
        int at = status.IndexOf("PPid:", StringComparison.Ordinal);
        return at < 0 ? 0 : int.Parse(status[(at + 5)..status.IndexOf('\n', at)].Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>The executable the process runs, links resolved.</summary>
    public static string ProgramOf(int pid) => File.ResolveLinkTarget($"/proc/{pid}/exe", true)!.FullName;

    /// <summary>The file's text; empty when the process (or the file) is gone.</summary>
    public static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
