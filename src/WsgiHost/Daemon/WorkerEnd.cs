namespace WsgiHost.Daemon;

/// <summary>How a daemon worker ended (<see cref="WorkerExit.Describe"/>), and whether it ended itself on purpose (maximum-requests, a changed script...) rather than crashing or being killed.</summary>
internal sealed record WorkerEnd(string How, bool Planned);
