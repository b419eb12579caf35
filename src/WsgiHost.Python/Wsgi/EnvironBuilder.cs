using WsgiHost.Python.Refs;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Python.Wsgi;

/// <summary>
/// Builds a request's environ: a copy of the application's base dict plus the CGI variables
/// the transport supplies. Keys are interned once per interpreter; values are latin-1 str.
/// </summary>
/// <remarks>
/// The transport adds the same keys in the same order request after request, mostly with the
/// same short values, so each position remembers the last key and value added there (per
/// thread, for one interpreter at a time) and reuses their str when they come again: the
/// same key string (by reference) and an equal value skip the two dictionary lookups that
/// were 2.5% of a hello request's CPU (perf). A position whose value keeps changing (the
/// request id, the start time, the client's port) gets a new str each time instead: those
/// values never repeat, and kept in the interpreter's bounded cache they would fill it.
/// </remarks>
internal sealed class EnvironBuilder : IEnvironSink
{
    private const int Positions = 64;

    /// <summary>Changes in a row after which a position's values are no longer kept.</summary>
    private const int VolatileAfter = 4;

    [ThreadStatic]
    private static EnvironBuilder? t_instance;

    // Borrowed handles: the interpreter keeps every interned key and cached value until it
    // ends, and these are used only while _cacheOwner is the interpreter being built for.
    private readonly string?[] _keys = new string?[Positions];
    private readonly nint[] _keyObjects = new nint[Positions];
    private readonly string?[] _values = new string?[Positions];
    private readonly nint[] _valueObjects = new nint[Positions];
    private readonly int[] _changes = new int[Positions];
    private Interpreter? _cacheOwner;
    private int _position;

    private Interpreter? _interpreter;
    private nint _dict;

    /// <summary>A new environ dict for the request (new reference). GIL held.</summary>
    public static PyOwned Build(WsgiApplication app, WsgiRequest request, PyBorrowed requestId)
    {
        var environ = Py.DictCopy(app.BaseEnviron());
        EnvironBuilder sink = t_instance ??= new EnvironBuilder();
        sink._interpreter = app.Interpreter;
        sink._dict = environ.Handle;
        sink._position = 0;
        if (sink._cacheOwner != app.Interpreter)
        {
            sink.Forget();
            sink._cacheOwner = app.Interpreter;
        }
        try
        {
            request.Exchange.WriteCgiVariables(sink);
            using var input = Py.Call(app.Interpreter.Bootstrap.InputType.Borrow(), requestId);
            Py.DictSet(environ.Borrow(), app.Interpreter.InternedKey("wsgi.input"), input.Borrow());
        }
        catch
        {
            environ.Dispose();
            throw;
        }
        finally
        {
            sink._interpreter = null;
            sink._dict = 0;
        }
        return environ;
    }

    public void Add(string key, string value) => Add(key, value, value);

    public void Add(string key, ReadOnlySpan<char> value) => Add(key, value, null);

    /// <param name="key">The environ key (the same string instance request after request).</param>
    /// <param name="value">The value.</param>
    /// <param name="text">The value as a string when the caller has one; else one is made only to be kept at its position.</param>
    private void Add(string key, ReadOnlySpan<char> value, string? text)
    {
        Interpreter interpreter = _interpreter!;
        int i = _position++;
        if (i >= Positions)
        {
            using var fresh = text != null ? interpreter.EnvironValue(text) : Py.Latin1(value);
            Py.DictSet(new PyBorrowed(_dict), interpreter.InternedKey(key), fresh.Borrow());
            return;
        }
        if (!ReferenceEquals(_keys[i], key))
        {
            _keyObjects[i] = interpreter.InternedKey(key).Handle;
            _keys[i] = key;
        }
        if (_values[i] is string last && value.SequenceEqual(last))
        {
            _changes[i] = 0;
        }
        else
        {
            bool keep = _changes[i] < VolatileAfter;
            if (keep)
            {
                _changes[i]++;
            }
            text = keep ? text ?? value.ToString() : null;
            if (text == null || !interpreter.TryCachedValue(text, out PyBorrowed cached))
            {
                using var fresh = Py.Latin1(value);
                Py.DictSet(new PyBorrowed(_dict), new PyBorrowed(_keyObjects[i]), fresh.Borrow());
                return;
            }
            _valueObjects[i] = cached.Handle;
            _values[i] = text;
        }
        Py.DictSet(new PyBorrowed(_dict), new PyBorrowed(_keyObjects[i]), new PyBorrowed(_valueObjects[i]));
    }

    private void Forget()
    {
        Array.Clear(_keys);
        Array.Clear(_keyObjects);
        Array.Clear(_values);
        Array.Clear(_valueObjects);
        Array.Clear(_changes);
    }
}
