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

    /// <summary>The least room a read asks the writer for: a block with less left gives way to a fresh one.</summary>
    private const int MinPiece = 16 * 1024;

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
        // A small hint, then as much of the span the writer gives as is wanted: the transport's
        // pipe hands out the rest of its current block, or a fresh block (128 KiB). A hint
        // larger than the pool's blocks made the pipe rent every piece from ArrayPool instead
        // (256 KiB pieces: 20 MB more RSS with 32 downloads, and no pinned memory for the send).
        Span<byte> span = writer.GetSpan((int)Math.Min(Math.Min(length, max), MinPiece));
        int read = RandomAccess.Read(file, span[..(int)Math.Min(Math.Min(length, max), span.Length)], offset);
        if (read > 0)
        {
            writer.Advance(read);
        }
        return read;
    }
}
