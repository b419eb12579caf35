using System.Threading.Channels;

namespace WsgiHost.Logging;

/// <summary>
/// Text written from any thread without waiting for I/O (log callers may hold the GIL);
/// one background task writes it out in order and flushes after each burst.
/// </summary>
internal sealed class BackgroundWriter : IAsyncDisposable
{
    private readonly Channel<string> _pending = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TextWriter _writer;
    private readonly bool _ownsWriter;
    private readonly Task _pump;

    public BackgroundWriter(TextWriter writer, bool ownsWriter)
    {
        _writer = writer;
        _ownsWriter = ownsWriter;
        _pump = Task.Run(PumpAsync);
    }

    public void Write(string text) => _pending.Writer.TryWrite(text);

    private async Task PumpAsync()
    {
        ChannelReader<string> reader = _pending.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out string? text))
            {
                await _writer.WriteAsync(text).ConfigureAwait(false);
            }
            await _writer.FlushAsync().ConfigureAwait(false);
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
