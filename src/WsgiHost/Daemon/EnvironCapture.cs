using WsgiHost.Python.Wsgi;

namespace WsgiHost.Daemon;

/// <summary>Collects the CGI variables an exchange writes, to send them to a daemon worker.</summary>
internal sealed class EnvironCapture(int capacity = 48) : IEnvironSink
{
    public List<KeyValuePair<string, string>> Entries { get; } = new(capacity);

    public void Add(string key, string value) => Entries.Add(new(key, value));
}
