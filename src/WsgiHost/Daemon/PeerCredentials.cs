using System.Buffers.Binary;
using System.Net.Sockets;

namespace WsgiHost.Daemon;

/// <summary>
/// Who is at the other end of a Unix socket (SO_PEERCRED: the kernel's word, not the peer's),
/// for the log line when a worker refuses a connection, so an operator can find the process.
/// </summary>
internal static class PeerCredentials
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>"pid 123, uid 65534, gid 65534", or "an unknown process" where the OS cannot tell.</summary>
    public static string Describe(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "an unknown process";
        }
        Span<byte> cred = stackalloc byte[12];   // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        try
        {
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, cred) < cred.Length)
            {
                return "an unknown process";
            }
        }
        catch (SocketException)
        {
            return "an unknown process";
        }
        return $"pid {BinaryPrimitives.ReadInt32LittleEndian(cred)}, uid {BinaryPrimitives.ReadUInt32LittleEndian(cred[4..])}, gid {BinaryPrimitives.ReadUInt32LittleEndian(cred[8..])}";
    }
}
