using System.Diagnostics;
using WsgiHost.Server;

namespace WsgiHost.Supervisor;

/// <summary>One server process the supervisor started, and what it knows of it. The supervisor's lock guards the settable parts.</summary>
internal sealed class ServerProcess(ServerProcessSlot slot, int generation, Process process, ListenSocketBroker.Lease sockets)
{
    /// <summary>The listening sockets it asked for, let go when it has exited.</summary>
    public ListenSocketBroker.Lease Sockets { get; } = sockets;

    public ServerProcessSlot Slot { get; } = slot;

    public int Generation { get; } = generation;

    public Process Process { get; } = process;

    /// <summary>Its process ID, kept: a released Process no longer tells it.</summary>
    public int Pid { get; set; }

    public DateTime StartedAt { get; } = DateTime.UtcNow;

    /// <summary>It printed its startup lines: it serves.</summary>
    public bool IsReady { get; set; }

    /// <summary>It has exited: no signal for it, and its Process may be released.</summary>
    public bool HasEnded { get; set; }

    /// <summary>How it exited, once <see cref="HasEnded"/>.</summary>
    public int ExitCode { get; set; }

    /// <summary>A reload's new process stopped while starting because a newer SIGHUP came.</summary>
    public bool Superseded { get; set; }

    /// <summary>Its startup lines, until it serves.</summary>
    public List<string> Banner { get; } = [];

    /// <summary>Its startup lines once it serves; null when it ended before.</summary>
    public TaskCompletionSource<List<string>?> Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
