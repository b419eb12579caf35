using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Python.Interop;

/// <summary>What a <see cref="ReadinessLoop"/> tells when a socket armed with it has data (or its end) to read.</summary>
internal interface IReadinessTarget
{
    /// <summary>
    /// Called on the loop's thread, once per <see cref="ReadinessLoop.Arm"/>; whatever it runs
    /// delays every other socket of the loop. <paramref name="announced"/> is a Stopwatch
    /// timestamp taken after the kernel reported the socket: the bytes that made it readable
    /// were there by then. It is the same for every socket reported together.
    /// </summary>
    void OnReadable(long announced);
}

/// <summary>
/// One thread waiting in <c>epoll</c> (Linux) for sockets to become readable, each armed for
/// one notification at a time (<c>EPOLLONESHOT</c>), and for nothing else. A daemon worker
/// waits on its connections from the front with it, between requests.
/// </summary>
/// <remarks>
/// .NET's socket engine registers every socket for readability and writability, edge-triggered,
/// for as long as it is open: a worker's event thread then also woke each time the front had read
/// a response and room came back in the socket's buffer (strace, hello, 2 workers: 988 of one
/// worker's 2,485 wake-ups in 2 s, 0.41 a request), and each readable event went through the
/// engine's per-socket queues and locks before the read's continuation ran. A worker writes with
/// blocking calls from its WSGI threads, so it never needs to hear of writability.
/// </remarks>
internal sealed unsafe class ReadinessLoop : IDisposable
{
    private const int EPOLL_CTL_ADD = 1;
    private const int EPOLL_CTL_DEL = 2;
    private const int EPOLL_CTL_MOD = 3;
    private const uint EPOLLIN = 0x001;
    private const uint EPOLLRDHUP = 0x2000;
    private const uint EPOLLONESHOT = 1u << 30;
    private const int EPOLL_CLOEXEC = 0x80000;
    private const int EFD_CLOEXEC = 0x80000;
    private const int EINTR = 4;
    private const int ENOENT = 2;
    private const int EBADF = 9;
    private const int MaxEvents = 64;

    /// <summary>The id of the eventfd that ends the loop; sockets get ids from 1 on.</summary>
    private const ulong StopId = 0;

    // struct epoll_event is packed on x86-64 (12 bytes: events, then the 64-bit data at 4) and
    // naturally aligned elsewhere (16 bytes, data at 8).
    private static readonly int s_eventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int s_dataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    private readonly int _epoll;
    private readonly int _stop;
    private readonly Thread _thread;
    private readonly IErrorLog _log;
    private readonly ConcurrentDictionary<ulong, IReadinessTarget> _targets = new();
    private long _nextId;
    private int _disposed;
    private bool _closeOnExit;

    /// <summary>Linux on a 64-bit processor, where the layout of <c>struct epoll_event</c> is known.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>Starts the loop's thread, named <paramref name="threadName"/>; failures of a target's callback go to <paramref name="log"/>.</summary>
    public ReadinessLoop(string threadName, IErrorLog log)
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("epoll needs Linux on x86-64 or arm64");
        }
        _log = log;
        _epoll = epoll_create1(EPOLL_CLOEXEC);
        if (_epoll < 0)
        {
            throw Failed("epoll_create1", Marshal.GetLastPInvokeError());
        }
        _stop = eventfd(0, EFD_CLOEXEC);
        if (_stop < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            close(_epoll);
            throw Failed("eventfd", errno);
        }
        Control(EPOLL_CTL_ADD, _stop, EPOLLIN, StopId);
        _thread = new Thread(Run) { Name = threadName, IsBackground = true };
        _thread.Start();
    }

    /// <summary>A new id under which a socket is armed for <paramref name="target"/>; <see cref="Remove"/> it when done.</summary>
    public ulong Add(IReadinessTarget target)
    {
        ulong id = (ulong)Interlocked.Increment(ref _nextId);
        _targets[id] = target;
        return id;
    }

    /// <summary>
    /// Arms <paramref name="socket"/> for one notification (its target's <see cref="IReadinessTarget.OnReadable"/>)
    /// when it has data to read, its peer closed it, or it failed. <paramref name="first"/>: the
    /// socket was never armed with this loop.
    /// </summary>
    public void Arm(SafeHandle socket, ulong id, bool first)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        bool added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            Control(first ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, (int)socket.DangerousGetHandle(), EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, id);
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Forgets <paramref name="id"/> and takes <paramref name="socket"/> out of the loop. Call it
    /// before the socket closes: a descriptor number closed first may already belong to another
    /// socket. A notification already under way for the id is dropped.
    /// </summary>
    public void Remove(SafeHandle socket, ulong id, bool armedBefore)
    {
        _targets.TryRemove(id, out _);
        // After Dispose the loop's descriptor is closed, and its number may be another file's.
        if (!armedBefore || socket.IsClosed || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        bool added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            if (epoll_ctl(_epoll, EPOLL_CTL_DEL, (int)socket.DangerousGetHandle(), null) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is not (ENOENT or EBADF))
                {
                    throw Failed("epoll_ctl(DEL)", errno);
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // Closed meanwhile: the kernel took it out of the loop itself.
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    private void Control(int operation, int fd, uint events, ulong id)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + s_dataOffset) = id;
        if (epoll_ctl(_epoll, operation, fd, ev) < 0)
        {
            throw Failed("epoll_ctl", Marshal.GetLastPInvokeError());
        }
    }

    private void Run()
    {
        byte* events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * s_eventSize));
        try
        {
            while (true)
            {
                int n = epoll_wait(_epoll, events, MaxEvents, -1);
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR)
                    {
                        continue;
                    }
                    _log.Write(ErrorLogLevel.Critical, "wsgi", $"The readiness loop failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}); connections waiting for a request get no more.");
                    return;
                }
                long announced = System.Diagnostics.Stopwatch.GetTimestamp();
                for (int i = 0; i < n; i++)
                {
                    ulong id = *(ulong*)(events + i * s_eventSize + s_dataOffset);
                    if (id == StopId)
                    {
                        return;
                    }
                    // Gone when its socket was removed after this event was taken.
                    if (_targets.TryGetValue(id, out IReadinessTarget? target))
                    {
                        Notify(target, announced);
                    }
                }
            }
        }
        finally
        {
            NativeMemory.Free(events);
            if (_closeOnExit)
            {
                CloseDescriptors();
            }
        }
    }

    private void Notify(IReadinessTarget target, long announced)
    {
        try
        {
            target.OnReadable(announced);
        }
        catch (Exception e)
        {
            // A bug of ours: the loop must go on for every other connection.
            _log.Write(ErrorLogLevel.Error, "wsgi", $"A readiness callback failed: {e}");
        }
    }

    /// <summary>Ends the loop's thread (sockets still armed get no more notifications) and closes its descriptors.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        ulong one = 1;
        write(_stop, &one, sizeof(ulong));
        if (Thread.CurrentThread == _thread)
        {
            // From a callback: the loop sees the stop when the callback returns, and closes
            // its descriptors as it ends (it still waits on them until then).
            _closeOnExit = true;
            return;
        }
        _thread.Join();
        CloseDescriptors();
    }

    private void CloseDescriptors()
    {
        close(_stop);
        close(_epoll);
    }


    private static IOException Failed(string call, int errno) =>
        new($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");

    [DllImport("libc", SetLastError = true)]
    private static extern int epoll_create1(int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int epoll_ctl(int epfd, int op, int fd, byte* ev);

    [DllImport("libc", SetLastError = true)]
    private static extern int epoll_wait(int epfd, byte* events, int maxevents, int timeout);

    [DllImport("libc", SetLastError = true)]
    private static extern int eventfd(uint initval, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern nint write(int fd, void* buffer, nuint count);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
