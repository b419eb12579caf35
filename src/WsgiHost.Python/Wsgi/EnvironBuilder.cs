using WsgiHost.Python.Refs;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Python.Wsgi;

/// <summary>
/// Builds a request's environ: a copy of the application's base dict plus the CGI variables
/// the transport supplies. Keys are interned once per interpreter; values are latin-1 str.
/// </summary>
internal sealed class EnvironBuilder : IEnvironSink
{
    [ThreadStatic]
    private static EnvironBuilder? t_instance;

    private Interpreter? _interpreter;
    private nint _dict;

    /// <summary>A new environ dict for the request (new reference). GIL held.</summary>
    public static PyOwned Build(WsgiApplication app, WsgiRequest request, PyBorrowed requestId)
    {
        var environ = Py.DictCopy(app.BaseEnviron());
        EnvironBuilder sink = t_instance ??= new EnvironBuilder();
        sink._interpreter = app.Interpreter;
        sink._dict = environ.Handle;
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

    public void Add(string key, string value)
    {
        using var v = _interpreter!.EnvironValue(value);
        Py.DictSet(new PyBorrowed(_dict), _interpreter!.InternedKey(key), v.Borrow());
    }
}
