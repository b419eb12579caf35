using System.Runtime.InteropServices;

namespace WsgiHost.Python.Interop;

/// <summary>
/// A mapping of shared memory (<see cref="SharedMemory.Map"/>), unmapped when the last user is
/// done: each access holds a reference (<see cref="Access"/>), so disposing the mapping while
/// another thread copies into or out of it (a connection closed under a request body being
/// sent) defers the <c>munmap</c> until that copy ends instead of faulting on freed memory.
/// </summary>
internal sealed unsafe class SharedMapping : SafeHandle
{
    internal SharedMapping(nint address, long length)
        : base(0, ownsHandle: true)
    {
        SetHandle(address);
        Length = length;
    }

    public long Length { get; }

    public override bool IsInvalid => handle == 0;

    /// <summary>
    /// Holds the mapping for the bytes at <paramref name="offset"/> while the returned scope
    /// lives; an <see cref="ObjectDisposedException"/> once it is disposed.
    /// </summary>
    public Scope Access(long offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (offset + length > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"{length} bytes at {offset} run past the {Length}-byte mapping");
        }
        bool added = false;
        DangerousAddRef(ref added);
        return new Scope(this, (byte*)handle + offset, length);
    }

    protected override bool ReleaseHandle()
    {
        SharedMemory.Unmap(handle, Length);
        return true;
    }

    /// <summary>The bytes of one access, valid until <see cref="Dispose"/>.</summary>
    public readonly ref struct Scope
    {
        private readonly SharedMapping _mapping;
        private readonly byte* _start;
        private readonly int _length;

        internal Scope(SharedMapping mapping, byte* start, int length)
        {
            _mapping = mapping;
            _start = start;
            _length = length;
        }

        public Span<byte> Bytes => new(_start, _length);

        /// <summary>A 32-bit word of the mapping, for flags another process reads and writes (aligned: offset a multiple of 4).</summary>
        public ref int Word => ref *(int*)_start;

        public void Dispose() => _mapping.DangerousRelease();
    }
}
