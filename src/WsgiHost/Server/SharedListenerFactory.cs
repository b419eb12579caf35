using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace WsgiHost.Server;

/// <summary>
/// Kestrel's socket transport over listening sockets that outlive this process
/// (<see cref="ListenSocketClient"/>). Kestrel stops accepting by closing its listening socket
/// while an accept is pending, and .NET closes a socket with pending operations abortively: it
/// sets SO_LINGER to 0 first. On a shared socket that setting stays with the socket, and every
/// connection the next process accepts inherits it, so its responses end in a reset that can
/// cut them short. Here the pending accept is cancelled before the socket is closed, which makes
/// the close a plain close of this process's descriptor.
/// </summary>
internal sealed class SharedListenerFactory(SocketTransportFactory sockets) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly List<Listener> _listeners = [];

    public bool CanBind(EndPoint endpoint) => sockets.CanBind(endpoint);

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var listener = new Listener(await sockets.BindAsync(endpoint, cancellationToken).ConfigureAwait(false));
        lock (_listeners)
        {
            _listeners.Add(listener);
        }
        return listener;
    }

    /// <summary>
    /// Stops accepting on every socket, which stay open (Kestrel closes them when it stops): a
    /// server process being replaced leaves new connections to its successor at once, while it
    /// still serves those it has.
    /// </summary>
    public async Task StopAcceptingAsync()
    {
        Listener[] listeners;
        lock (_listeners)
        {
            listeners = [.. _listeners];
        }
        foreach (Listener listener in listeners)
        {
            await listener.StopAcceptingAsync().ConfigureAwait(false);
        }
    }

    private sealed class Listener(IConnectionListener inner) : IConnectionListener
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _accepting = Task.CompletedTask;

        public EndPoint EndPoint => inner.EndPoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            // Kestrel accepts one connection at a time per listener: this is the accept in progress.
            var accepting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _accepting, accepting.Task);
            try
            {
                if (_stop.IsCancellationRequested)
                {
                    return null;
                }
                if (!cancellationToken.CanBeCanceled)
                {
                    return await inner.AcceptAsync(_stop.Token).ConfigureAwait(false);
                }
                using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
                return await inner.AcceptAsync(either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return null;
            }
            finally
            {
                accepting.TrySetResult();
            }
        }

        public async ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            await StopAcceptingAsync().ConfigureAwait(false);
            await inner.UnbindAsync(cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            await StopAcceptingAsync().ConfigureAwait(false);
            await inner.DisposeAsync().ConfigureAwait(false);
            _stop.Dispose();
        }

        public async Task StopAcceptingAsync()
        {
            if (!_stop.IsCancellationRequested)
            {
                await _stop.CancelAsync().ConfigureAwait(false);
            }
            await Volatile.Read(ref _accepting).ConfigureAwait(false);
        }
    }
}
