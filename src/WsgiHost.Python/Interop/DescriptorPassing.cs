using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace WsgiHost.Python.Interop;

/// <summary>
/// Descriptors passed to the process at the other end of a Unix stream socket (SCM_RIGHTS),
/// riding on the first byte of what is sent with them. The receiver must read that byte with
/// <c>recvmsg</c> and room for the control message (<see cref="SocketReceive"/> does): a plain
/// <c>recv</c> has the kernel close them. More than the receiver has room for are closed by
/// the kernel (MSG_CTRUNC).
/// </summary>
internal static unsafe class DescriptorPassing
{
    /// <summary>Room for a control message carrying up to <see cref="MaxDescriptors"/> descriptors (CMSG_SPACE).</summary>
    public const int ControlSpace = SocketMessage.ControlHeaderBytes + 8;

    /// <summary>The most descriptors passed or taken with one message.</summary>
    public const int MaxDescriptors = 2;

    /// <summary>
    /// Sends <paramref name="data"/> (not empty) with <paramref name="descriptors"/> (1 or 2)
    /// attached, without waiting: the count of bytes sent, the descriptors with the first of
    /// them, or 0 when the socket's buffer is full (nothing sent, nothing passed). An
    /// <see cref="IOException"/> when the socket fails.
    /// </summary>
    public static int TrySend(SafeHandle socket, ReadOnlySpan<byte> data, params ReadOnlySpan<SafeHandle> descriptors)
    {
        ArgumentOutOfRangeException.ThrowIfZero(data.Length);
        ArgumentOutOfRangeException.ThrowIfZero(descriptors.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(descriptors.Length, MaxDescriptors);
        bool socketAdded = false;
        int added = 0;
        socket.DangerousAddRef(ref socketAdded);
        try
        {
            byte* control = stackalloc byte[ControlSpace];
            new Span<byte>(control, ControlSpace).Clear();
            var header = (SocketMessage.ControlHeader*)control;
            header->Length = (nuint)(SocketMessage.ControlHeaderBytes + sizeof(int) * descriptors.Length);
            header->Level = SocketMessage.SOL_SOCKET;
            header->Type = SocketMessage.SCM_RIGHTS;
            int* fds = (int*)(control + SocketMessage.ControlHeaderBytes);
            for (; added < descriptors.Length; added++)
            {
                bool ok = false;
                descriptors[added].DangerousAddRef(ref ok);
                fds[added] = (int)descriptors[added].DangerousGetHandle();
            }
            fixed (byte* d = data)
            {
                var iov = new SocketMessage.Iovec { Base = d, Length = (nuint)data.Length };
                var message = new SocketMessage.MessageHeader
                {
                    Iov = &iov,
                    IovLength = 1,
                    Control = control,
                    // CMSG_SPACE of what is passed: CMSG_ALIGN(the header's length).
                    ControlLength = (header->Length + 7) & ~(nuint)7,
                };
                return SocketMessage.TrySend((int)socket.DangerousGetHandle(), &message, "passing a descriptor on the socket");
            }
        }
        finally
        {
            for (int i = 0; i < added; i++)
            {
                descriptors[i].DangerousRelease();
            }
            if (socketAdded)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// The descriptors a received control message carries, owned by the caller; null when there
    /// are none.
    /// </summary>
    internal static SafeFileHandle[]? Take(byte* control, nuint length)
    {
        List<SafeFileHandle>? taken = null;
        nuint at = 0;
        while (at + SocketMessage.ControlHeaderBytes <= length)
        {
            var header = (SocketMessage.ControlHeader*)(control + at);
            if (header->Length < SocketMessage.ControlHeaderBytes || at + header->Length > length)
            {
                break;
            }
            if (header->Level == SocketMessage.SOL_SOCKET && header->Type == SocketMessage.SCM_RIGHTS)
            {
                int count = (int)((header->Length - SocketMessage.ControlHeaderBytes) / sizeof(int));
                int* fds = (int*)(control + at + SocketMessage.ControlHeaderBytes);
                for (int i = 0; i < count; i++)
                {
                    (taken ??= []).Add(new SafeFileHandle(fds[i], ownsHandle: true));
                }
            }
            at += (header->Length + 7) & ~(nuint)7; // CMSG_ALIGN
        }
        return taken?.ToArray();
    }
}
