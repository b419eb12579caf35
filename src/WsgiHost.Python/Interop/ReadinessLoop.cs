using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Python.Interop;

/// <summary>What a <see cref="ReadinessLoop"/> tells when bytes (or the end) arrive on a socket added to it.</summary>
internal interface IReadinessTarget
{
    /// <summary>
    /// Called on the loop's thread after bytes arrived on the socket, or its peer closed it, or
    /// it failed: at least once after every arrival while the socket is not paused. Whatever it
    /// runs delays every other socket of the loop. The kernel reported the socket from an
    /// <c>epoll_wait</c> that began at <paramref name="polledFrom"/> and returned by
    /// <paramref name="announced"/> (Stopwatch timestamps, the same for every socket reported
    /// together), and only while bytes were unread in it (or at its end): unless a receive took
    /// bytes after <paramref name="polledFrom"/>, the next bytes a receive gets had arrived by
    /// <paramref name="announced"/>.
    /// </summary>
    void OnReadable(long polledFrom, long announced);
}

/// <summary>
/// One thread waiting in <c>epoll</c> (Linux) for bytes to arrive on sockets, edge-triggered,
/// and for nothing else. A daemon worker waits on its connections from the front with it,
/// between requests.
/// </summary>
/// <remarks>
/// .NET's socket engine registers every socket for readability and writability, edge-triggered,
/// for as long as it is open: a worker's event thread then also woke each time the front had read
/// a response and room came back in the socket's buffer (strace, hello, 2 workers: 988 of one
/// worker's 2,485 wake-ups in 2 s, 0.41 a request), and each readable event went through the
/// engine's per-socket queues and locks before the read's continuation ran. A worker writes with
/// blocking calls from its WSGI threads, so it never needs to hear of writability. Edge-triggered
/// rather than armed for one notification at a time (<c>EPOLLONESHOT</c>), which cost an
/// <c>epoll_ctl</c> before every request; a reader that blocks in <c>recv</c> for a while (a
/// request's body) pauses its socket instead, so arrivals it reads itself wake nobody.
/// </remarks>
internal sealed unsafe class ReadinessLoop : IDisposable
{
    private const int EPOLL_CTL_ADD = 1;
    private const int EPOLL_CTL_DEL = 2;
    private const int EPOLL_CTL_MOD = 3;
    private const uint EPOLLIN = 0x001;
    private const uint EPOLLRDHUP = 0x2000;
    private const uint EPOLLET = 1u << 31;
    private const int EPOLL_CLOEXEC = 0x80000;
    private const int EFD_CLOEXEC = 0x80000;
    private const int EFD_NONBLOCK = 0x800;
    private const int EINTR = 4;
    private const int ENOENT = 2;
    private const int EBADF = 9;
    private const int MaxEvents = 64;

    // Listening for arrivals, and paused (a hang-up or an error is still reported: epoll always does).
    private const uint Listening = EPOLLIN | EPOLLRDHUP | EPOLLET;
    private const uint Paused = EPOLLET;

    /// <summary>The id of the eventfd that ends the loop; sockets get ids from 1 on.</summary>
    private const ulong StopId = 0;

    /// <summary>The id of the eventfd that asks for the timer from another thread (<see cref="WantTimer"/>).</summary>
    private const ulong TimerId = ulong.MaxValue;

    // struct epoll_event is packed on x86-64 (12 bytes: events, then the 64-bit data at 4) and
    // naturally aligned elsewhere (16 bytes, data at 8).
    private static readonly int s_eventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int s_dataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    private readonly int _epoll;
    private readonly int _stop;
    private readonly int _timerWanted;
    private readonly Thread _thread;
    private readonly IErrorLog _log;
    private readonly ConcurrentDictionary<ulong, IReadinessTarget> _targets = new();
    private long _nextId;
    private int _disposed;
    private bool _closeOnExit;
    private Func<int>? _timer;
    private int _timerAsked;
    private readonly Lock _timerLock = new();
    private bool _timerClosed;

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
        _timerWanted = _stop < 0 ? -1 : eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (_timerWanted < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (_stop >= 0)
            {
                close(_stop);
            }
            close(_epoll);
            throw Failed("eventfd", errno);
        }
        Control(EPOLL_CTL_ADD, _stop, EPOLLIN, StopId);
        Control(EPOLL_CTL_ADD, _timerWanted, EPOLLIN, TimerId);
        _thread = new Thread(Run) { Name = threadName, IsBackground = true };
        _thread.Start();
    }

    /// <summary>
    /// Adds <paramref name="socket"/>, listening: <paramref name="target"/> hears of its arrivals
    /// from now on (of bytes already there too) until it is removed. Returns its id, for
    /// <see cref="Pause"/>, <see cref="Resume"/> and <see cref="Remove"/>.
    /// </summary>
    public ulong Add(SafeHandle socket, IReadinessTarget target)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ulong id = (ulong)Interlocked.Increment(ref _nextId);
        _targets[id] = target;
        try
        {
            Control(socket, EPOLL_CTL_ADD, Listening, id);
        }
        catch
        {
            _targets.TryRemove(id, out _);
            throw;
        }
        return id;
    }

    /// <summary>
    /// Gives the loop's thread a timer, for work that needs a look every so often only while it
    /// has something to look at (a daemon worker's stall watch, <see cref="Wsgi.WsgiExecutor.Watch"/>):
    /// once <see cref="WantTimer"/> was called, <paramref name="timer"/> runs after every wait and
    /// returns how many milliseconds the next wait may last at most; -1 stops it until it is
    /// wanted again. A thread that wakes for arrivals anyway takes the looks, instead of a
    /// thread woken for them alone. Set before the timer is first wanted.
    /// </summary>
    public void SetTimer(Func<int> timer) => _timer = timer;

    /// <summary>From any thread: the timer is to run (from another thread than the loop's, at once if the loop waits with no timeout).</summary>
    public void WantTimer()
    {
        Volatile.Write(ref _timerAsked, 1);
        if (Thread.CurrentThread == _thread)
        {
            return; // from a callback: the loop runs the timer after it, no wake-up needed
        }
        lock (_timerLock)
        {
            // Never after the descriptor is closed: its number may be another file's by then.
            if (!_timerClosed)
            {
                ulong one = 1;
                write(_timerWanted, &one, sizeof(ulong));
            }
        }
    }

    /// <summary>Stops telling of arrivals (the reader blocks in <c>recv</c> meanwhile); a hang-up or an error may still be told.</summary>
    public void Pause(SafeHandle socket, ulong id) => Control(socket, EPOLL_CTL_MOD, Paused, id);

    /// <summary>Tells of arrivals again; a socket that is readable already is told of at once.</summary>
    public void Resume(SafeHandle socket, ulong id) => Control(socket, EPOLL_CTL_MOD, Listening, id);

    /// <summary>
    /// Forgets <paramref name="id"/> and takes <paramref name="socket"/> out of the loop. Call it
    /// before the socket closes: a descriptor number closed first may already belong to another
    /// socket. A notification already under way for the id is dropped.
    /// </summary>
    public void Remove(SafeHandle socket, ulong id)
    {
        _targets.TryRemove(id, out _);
        // After Dispose the loop's descriptor is closed, and its number may be another file's.
        if (socket.IsClosed || Volatile.Read(ref _disposed) != 0)
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

    private void Control(SafeHandle socket, int operation, uint events, ulong id)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        bool added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            Control(operation, (int)socket.DangerousGetHandle(), events, id);
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
            int timeout = -1;
            while (true)
            {
                long polledFrom = System.Diagnostics.Stopwatch.GetTimestamp();
                int n = epoll_wait(_epoll, events, MaxEvents, timeout);
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
                    if (id == TimerId)
                    {
                        ulong count;
                        read(_timerWanted, &count, sizeof(ulong));
                        continue;
                    }
                    // Gone when its socket was removed after this event was taken.
                    if (_targets.TryGetValue(id, out IReadinessTarget? target))
                    {
                        Notify(target, polledFrom, announced);
                    }
                }
                timeout = timeout >= 0 || Interlocked.Exchange(ref _timerAsked, 0) != 0 ? RunTimer() : -1;
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

    private void Notify(IReadinessTarget target, long polledFrom, long announced)
    {
        try
        {
            target.OnReadable(polledFrom, announced);
        }
        catch (Exception e)
        {
            // A bug of ours: the loop must go on for every other connection.
            _log.Write(ErrorLogLevel.Error, "wsgi", $"A readiness callback failed: {e}");
        }
    }

    /// <summary>The timer's next timeout; -1 (no timer) when it has none or it failed.</summary>
    private int RunTimer()
    {
        try
        {
            return _timer?.Invoke() ?? -1;
        }
        catch (Exception e)
        {
            // A bug of ours: the loop must go on for every connection.
            _log.Write(ErrorLogLevel.Error, "wsgi", $"The readiness loop's timer failed: {e}");
            return -1;
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
        lock (_timerLock)
        {
            _timerClosed = true;
            close(_timerWanted);
        }
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
    private static extern nint read(int fd, void* buffer, nuint count);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
