using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using WsgiHost.Python.Interop;

namespace WsgiHost.Daemon;

/// <summary>
/// The front's half of a streamed request body in daemon mode: what Kestrel receives goes to
/// the worker on the request's connection, through the connection's shared memory
/// (<see cref="BodySlots"/>) or, where there is none, as chunks on the socket, while the
/// response comes back the other way (<see cref="DaemonGroupRuntime"/>).
/// </summary>
internal static class DaemonRequestBody
{
    /// <summary>
    /// The largest request body chunk the front sends a worker through the socket: a transport
    /// block with the chunk's length in front (well under <see cref="DaemonProtocol.MaxChunk"/>).
    /// </summary>
    private const int BodyChunkBytes = Server.LargeBlockMemoryPool.BlockSize - DaemonProtocol.ChunkHeaderBytes;

    /// <summary>
    /// A write's worth of slot numbers: every slot's at most (after writing those it described,
    /// the front waits for a slot to be freed), then the end-of-body marker.
    /// </summary>
    private const int SlotFrameBytes = BodySlots.Count * DaemonProtocol.SlotChunkBytes + DaemonProtocol.ChunkHeaderBytes;

    /// <summary>
    /// Copies the client's body to the worker as chunks, then the end-of-body marker: each piece
    /// into the connection's shared memory when a slot is free (<see cref="BodySlots"/>), else
    /// through the socket.
    /// </summary>
    /// <param name="timeout">Apache's Timeout: a read that gets nothing from the client for this long fails the body (408, <see cref="Server.BodyReadTimeout"/>).</param>
    public static async Task PumpAsync(PipeReader reader, DaemonConnection connection, TimeSpan timeout, CancellationToken aborted)
    {
        BodySlots? slots = await AttachSlotsAsync(connection, aborted).ConfigureAwait(false);
        await PumpAsync(reader, connection.Output, slots, timeout, aborted).ConfigureAwait(false);
    }

    /// <summary>The copy itself, once it is settled whether the connection has slots (null: none, the socket carries the body).</summary>
    internal static async Task PumpAsync(PipeReader reader, Stream stream, BodySlots? slots, TimeSpan timeout, CancellationToken aborted)
    {
        // Kestrel's pipe hands the body over in segments of the transport's blocks (4 KiB in
        // Kestrel's own pool, 128 KiB in LargeBlockMemoryPool). A chunk per segment cost two
        // writes here and, in the worker, a read with the GIL let go per segment; copying what
        // each read brings into chunks of up to a block (128 KiB), one write each, costs far
        // less (64 KiB chunks: 7% more CPU a 1 MiB upload, front and workers, 4 of 5
        // interleaved pairs, 2026-12-04). Chunks in shared memory go out as their slot numbers,
        // those of one read in one write.
        // Rented at the size this body's writes need: with slots a frame carries only their
        // numbers. A block's worth for every upload was an array on the large object heap per
        // upload running at once, which ArrayPool keeps after (4 bytes over 128 KiB also took
        // its 256 KiB size): 5.8 MB of the front's heap after 32 uploads at once (metrics page).
        int frameBytes = slots != null ? SlotFrameBytes : DaemonProtocol.ChunkHeaderBytes + BodyChunkBytes;
        byte[] frame = ArrayPool<byte>.Shared.Rent(frameBytes);
        int described = 0;
        try
        {
            while (true)
            {
                ReadResult result = await Server.BodyReadTimeout.ReadAsync(reader, timeout, aborted).ConfigureAwait(false);
                ReadOnlySequence<byte> data = result.Buffer;
                while (!data.IsEmpty)
                {
                    if (slots != null)
                    {
                        if (described + DaemonProtocol.SlotChunkBytes + DaemonProtocol.ChunkHeaderBytes > frameBytes)
                        {
                            await stream.WriteAsync(frame.AsMemory(0, described), aborted).ConfigureAwait(false);
                            described = 0;
                        }
                        if (!slots.TryTake(out int slot))
                        {
                            // The worker frees slots as it reads the chunks already sent: those
                            // waiting here go out before the front waits.
                            if (described > 0)
                            {
                                await stream.WriteAsync(frame.AsMemory(0, described), aborted).ConfigureAwait(false);
                                described = 0;
                            }
                            slot = await slots.TakeAsync(aborted).ConfigureAwait(false);
                        }
                        int piece = (int)Math.Min(data.Length, BodySlots.SlotBytes);
                        slots.Fill(slot, data.Slice(0, piece));
                        DaemonProtocol.WriteSlotChunk(frame.AsSpan(described), slot, piece);
                        described += DaemonProtocol.SlotChunkBytes;
                        data = data.Slice(piece);
                        continue;
                    }
                    int n = (int)Math.Min(data.Length, BodyChunkBytes);
                    BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)n);
                    data.Slice(0, n).CopyTo(frame.AsSpan(DaemonProtocol.ChunkHeaderBytes));
                    await stream.WriteAsync(frame.AsMemory(0, DaemonProtocol.ChunkHeaderBytes + n), aborted).ConfigureAwait(false);
                    data = data.Slice(n);
                }
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
                if (described > 0)
                {
                    await stream.WriteAsync(frame.AsMemory(0, described), aborted).ConfigureAwait(false);
                    described = 0;
                }
            }
            BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(described), 0);
            await stream.WriteAsync(frame.AsMemory(0, described + DaemonProtocol.ChunkHeaderBytes), aborted).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>
    /// The connection's slots, passed to the worker with <see cref="DaemonProtocol.SlotsAttached"/>
    /// on its first streamed body; null when there are none, or they could not be passed now
    /// (the socket's buffer full: tried again with the next body).
    /// </summary>
    private static async ValueTask<BodySlots?> AttachSlotsAsync(DaemonConnection connection, CancellationToken aborted)
    {
        if (connection.SlotsAttached)
        {
            return connection.Slots;
        }
        if (connection.SlotsForBody() is not { } slots)
        {
            return null;
        }
        byte[] marker = new byte[DaemonProtocol.ChunkHeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(marker, DaemonProtocol.SlotsAttached);
        int sent = DescriptorPassing.TrySend(connection.Socket.SafeHandle, marker, slots.ToPass);
        if (sent == 0)
        {
            return null;
        }
        if (sent < marker.Length)
        {
            // The descriptor went with the first byte; the rest of the marker follows.
            await connection.Output.WriteAsync(marker.AsMemory(sent), aborted).ConfigureAwait(false);
        }
        connection.SlotsAttached = true;
        slots.Passed();
        return slots;
    }

    /// <summary>
    /// Waits for the body pump; true when the whole body went to the worker. It may fail once
    /// the worker has answered (the client stopped sending): not an error, but then the
    /// connection is not at a request boundary and must not be reused.
    /// </summary>
    public static async Task<bool> ObserveAsync(Task pump)
    {
        try
        {
            await pump.ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or BadHttpRequestException or ObjectDisposedException)
        {
            return false;
        }
    }
}
