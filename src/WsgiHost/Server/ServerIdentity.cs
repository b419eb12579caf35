using System.Net;
using System.Net.Sockets;
using WsgiHost.Configuration.Model;
using WsgiHost.Daemon;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Server;

/// <summary>
/// Apache's User and Group for the server process itself. Apache's root parent binds the ports,
/// reads the TLS keys and opens the logs, and its children, which parse requests and run
/// embedded mod_wsgi, run as User. WsgiHost has no such children, so the server process does the
/// root part first and then becomes User for good: the listening sockets are bound and the
/// certificates read, the log files are open, the daemon workers' socket folder is handed to
/// User, and only then does anything parse a request or import an application.
/// It can only when every daemon group's workers run as User too: a server that is User can
/// start no worker as anyone else, so a group with another user= keeps the server root (and
/// says so; `wsgihost check` warns of it for embedded applications).
/// </summary>
internal sealed class ServerIdentity(string user, uint uid, uint gid) : IDisposable
{
    private readonly Dictionary<EndPoint, Socket> _bound = [];

    public string User { get; } = user;

    public uint Uid { get; } = uid;

    public uint Gid { get; } = gid;

    /// <summary>
    /// The identity to become, or null: not started as root, no User (or User root), or a daemon
    /// group that must be started as another user (<paramref name="keptRootFor"/> names it).
    /// </summary>
    public static ServerIdentity? Plan(SiteConfig site, bool startsWorkers, out DaemonGroupConfig? keptRootFor)
    {
        keptRootFor = null;
        if (!DaemonIdentity.IsRoot || site.User == null)
        {
            return null;
        }
        uint uid, gid;
        try
        {
            (uid, gid, _) = DaemonIdentity.Resolve(site.User, site.Group);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"User {site.User}{(site.Group != null ? $", Group {site.Group}" : "")}: {e.Message}", e);
        }
        if (uid == 0)
        {
            return null;
        }
        keptRootFor = startsWorkers
            ? site.DaemonGroups.FirstOrDefault(g => DaemonGroups.WorkerIdentity(site, g, root: true) is var (user, group) && DaemonIdentity.Resolve(user, group) is var (u, gr, _) && (u != uid || gr != gid))
            : null;
        return keptRootFor == null ? new ServerIdentity(site.User, uid, gid) : null;
    }

    /// <summary>
    /// Binds every Listen address now, while root (ports below 1024), with the transport's own
    /// way of making a listening socket; <see cref="BoundSocket"/> hands them to Kestrel as it starts.
    /// </summary>
    public void BindListeners(SiteConfig site, Func<EndPoint, Socket> create)
    {
        foreach (ListenAddress listen in site.Listeners)
        {
            // Kestrel's ListenAnyIP asks for [::] (dual-stack) first.
            var endpoint = new IPEndPoint(listen.Address ?? IPAddress.IPv6Any, listen.Port);
            if (_bound.ContainsKey(endpoint))
            {
                continue;
            }
            try
            {
                try
                {
                    _bound[endpoint] = create(endpoint);
                }
                catch (SocketException e) when (listen.Address == null && e.SocketErrorCode != SocketError.AddressAlreadyInUse)
                {
                    // No IPv6 on this machine: Kestrel falls back to 0.0.0.0, so does this.
                    _bound[endpoint] = create(new IPEndPoint(IPAddress.Any, listen.Port));
                }
            }
            catch (SocketException e)
            {
                // As Kestrel reports it when it binds: the caller's "cannot start".
                throw new IOException($"Failed to bind to address {endpoint} (Listen, {listen.Location}): {e.Message}", e);
            }
        }
    }

    /// <summary>Kestrel's socket factory: the socket bound as root for this endpoint, else a new one.</summary>
    public Socket BoundSocket(EndPoint endpoint, Func<EndPoint, Socket> create)
    {
        lock (_bound)
        {
            if (_bound.Remove(endpoint, out Socket? socket))
            {
                return socket;
            }
        }
        return create(endpoint);
    }

    /// <summary>Becomes User and Group for good (Apache's children's identity); the rest of the server's life runs as them.</summary>
    public void Become(IErrorLog log)
    {
        DaemonIdentity.Switch(Uid, Gid, DaemonIdentity.SupplementaryGroups(User, Gid, given: null));
        log.Write(ErrorLogLevel.Notice, "core",
            $"Server process now runs as User {User} (uid {Uid} gid {Gid}), as Apache's children do; the ports were bound and the logs opened as root.");
    }

    /// <summary>
    /// After <see cref="Become"/>: files the server still needs, tried as User. Python aborts the
    /// whole process when it cannot read its standard library as it starts an interpreter (a
    /// pyenv build under /root, say), which the server does at a first request: better not to start.
    /// </summary>
    public void CheckReadable(IEnumerable<string> files, string what, string where)
    {
        foreach (string file in files)
        {
            try
            {
                using var _ = File.OpenRead(file);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                throw new InvalidOperationException(
                    $"User {User} cannot read {file} ({e.Message}): the server runs as {User} once started, and {what} needs it. Install it where {User} can read it ({where}), give {User} access, or remove User");
            }
        }
    }

    /// <summary>Sockets bound for addresses Kestrel did not ask for (none, unless startup failed).</summary>
    public void Dispose()
    {
        lock (_bound)
        {
            foreach (Socket socket in _bound.Values)
            {
                socket.Dispose();
            }
            _bound.Clear();
        }
    }
}
