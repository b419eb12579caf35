using System.IO.Pipelines;
using Microsoft.Win32.SafeHandles;

namespace WsgiHost.StaticFiles;

/// <summary>
/// Copies a range of an open file into a response. Kestrel's SendFileAsync opened the file
/// again by name (open, flock, fstat, fadvise, close: with the rest, a small file's request
/// made 21 system calls) and read it through a FileStream; this reads the handle the
/// response's validators came from straight into the pipe's buffers, so the bytes sent are
/// those of the file that was checked.
/// </summary>
internal static class FileBody
{
    /// <summary>Bytes written between flushes: the transport sends while the next are read.</summary>
    private const int FlushBytes = 256 * 1024;

    /// <summary>
    /// Writes <paramref name="length"/> bytes of the file from <paramref name="offset"/>. A file
    /// that shrank meanwhile ends the body early, and Kestrel then aborts the response whose
    /// Content-Length it can no longer meet, as it would for SendFileAsync.
    /// </summary>
    public static async Task SendAsync(PipeWriter writer, SafeFileHandle file, long offset, long length, CancellationToken aborted)
    {
        long unflushed = 0;
        while (length > 0)
        {
            int read = ReadPiece(writer, file, offset, length, FlushBytes);
            if (read == 0)
            {
                break;
            }
            offset += read;
            length -= read;
            unflushed += read;
            if (unflushed >= FlushBytes && length > 0)
            {
                unflushed = 0;
                FlushResult result = await writer.FlushAsync(aborted).ConfigureAwait(false);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        await writer.FlushAsync(aborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the next piece of the file, at most <paramref name="max"/> of the
    /// <paramref name="length"/> bytes wanted from <paramref name="offset"/>, straight into the
    /// writer's buffer and advances it; 0 when the file ends there (it shrank).
    /// </summary>
    public static int ReadPiece(PipeWriter writer, SafeFileHandle file, long offset, long length, int max)
    {
        Span<byte> span = writer.GetSpan((int)Math.Min(length, max));
        int read = RandomAccess.Read(file, span[..(int)Math.Min(length, span.Length)], offset);
        if (read > 0)
        {
            writer.Advance(read);
        }
        return read;
    }
}
