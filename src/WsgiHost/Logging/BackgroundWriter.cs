using System.Threading.Channels;

namespace WsgiHost.Logging;

/// <summary>
/// Text written from any thread without waiting for I/O (log callers may hold the GIL);
/// one background task writes it out in order and flushes after each burst. A caller that
/// must know its text is out (<see cref="Flush"/>) writes the queue out itself.
/// </summary>
internal sealed class BackgroundWriter : IAsyncDisposable
{
    private readonly Channel<string> _pending = Channel.CreateUnbounded<string>();
    private readonly TextWriter _writer;
    private readonly bool _ownsWriter;
    private readonly Task _pump;

    /// <summary>Held while text is taken from the queue and written: by the pump, or by a caller of <see cref="Flush"/>.</summary>
    private readonly SemaphoreSlim _io = new(1, 1);

    public BackgroundWriter(TextWriter writer, bool ownsWriter)
    {
        _writer = writer;
        _ownsWriter = ownsWriter;
        _pump = Task.Run(PumpAsync);
    }

    public void Write(string text) => _pending.Writer.TryWrite(text);

    /// <summary>
    /// Writes out what is queued on the calling thread, as mod_wsgi's log writes (no wait for
    /// the pump to wake up); gives up after the timeout if the pump holds the writer that long
    /// (a log pipe nobody reads must not hang the caller for good).
    /// </summary>
    public void Flush(TimeSpan timeout)
    {
        if (!_io.Wait(timeout))
        {
            return;
        }
        try
        {
            while (_pending.Reader.TryRead(out string? text))
            {
                _writer.Write(text);
            }
            _writer.Flush();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // A flush only tries: the log's own failures show where the pump writes.
        }
        finally
        {
            _io.Release();
        }
    }

    private async Task PumpAsync()
    {
        ChannelReader<string> reader = _pending.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            await _io.WaitAsync().ConfigureAwait(false);
            try
            {
                while (reader.TryRead(out string? text))
                {
                    await _writer.WriteAsync(text).ConfigureAwait(false);
                }
                await _writer.FlushAsync().ConfigureAwait(false);
            }
            finally
            {
                _io.Release();
            }
        }
    }

    /// <summary>Writes out everything queued, then closes the writer if it is ours.</summary>
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
        if (_ownsWriter)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
