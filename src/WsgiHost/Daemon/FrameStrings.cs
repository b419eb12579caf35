using System.Text;

namespace WsgiHost.Daemon;

/// <summary>
/// The strings of the previous head read on one connection between the front and a worker, by
/// position in the frame: request heads in the worker, response heads in the front. Requests
/// that follow one another on a connection repeat nearly all of their environ (every key, and
/// values such as SERVER_NAME, SCRIPT_NAME, the script, most headers), so a string whose bytes
/// are the same as at that position last time is taken again instead of decoded anew: about 70
/// strings a request that are neither allocated nor, later, compared by content when the
/// environ's Python strs are reused (the same .NET instance compares by reference). A string
/// is only ever returned for bytes equal to its own, so nothing of one request shows in another.
/// Not thread-safe: one per connection, whose heads are read one at a time.
/// </summary>
internal sealed class FrameStrings
{
    private readonly List<string> _previous = [];

    /// <summary>The string at <paramref name="position"/> of this head: last head's if its bytes are the same.</summary>
    public string Get(int position, ReadOnlySpan<byte> latin1)
    {
        if (position < _previous.Count)
        {
            string last = _previous[position];
            // ASCII only: a latin-1 byte above 0x7F never matches and is decoded afresh, so the
            // comparison cannot mistake one of them for another character.
            if (last.Length == latin1.Length && Ascii.Equals(latin1, last))
            {
                return last;
            }
            return _previous[position] = FrameReader.Latin1(latin1);
        }
        string decoded = FrameReader.Latin1(latin1);
        // Heads are read in order from position 0, so the list grows by one at a time.
        if (position == _previous.Count)
        {
            _previous.Add(decoded);
        }
        return decoded;
    }
}
