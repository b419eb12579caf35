using System.Reflection;
using System.Runtime.InteropServices;
using WsgiHost.Python.Interop;
using WsgiHost.Python.Refs;

namespace WsgiHost.Python.Runtime;

/// <summary>
/// The `_wsgihost` module of one interpreter (bootstrap.py plus the native functions) and
/// the objects the gateway uses from it on every request.
/// </summary>
internal sealed unsafe class Bootstrap
{
    private const int Py_file_input = 257;
    private static readonly byte[] s_source = LoadSource();
    private static readonly byte[] s_fileName = Py.NulTerminated("<wsgihost bootstrap>");
    private static readonly byte[] s_moduleName = Py.NulTerminated("_wsgihost");

    private Bootstrap(PyRef module, PyRef errors, PyRef inputType, PyRef fileWrapperType,
        PyRef fileWrapperSource, PyRef loadScript, PyRef addPythonPath, PyRef passwordVerdict, PyRef groupNames, PyRef accessVerdict)
    {
        AccessVerdict = accessVerdict;
        PasswordVerdict = passwordVerdict;
        GroupNames = groupNames;
        Module = module;
        Errors = errors;
        InputType = inputType;
        FileWrapperType = fileWrapperType;
        FileWrapperSource = fileWrapperSource;
        LoadScript = loadScript;
        AddPythonPath = addPythonPath;
    }

    public PyRef Module { get; }

    /// <summary>The ErrorLog object installed as sys.stderr; also wsgi.errors.</summary>
    public PyRef Errors { get; }

    public PyRef InputType { get; }

    public PyRef FileWrapperType { get; }

    public PyRef FileWrapperSource { get; }

    public PyRef LoadScript { get; }

    public PyRef AddPythonPath { get; }

    /// <summary>password_verdict(result): a WSGIAuthUserScript's check_password answer as (outcome, name); None for another type.</summary>
    public PyRef PasswordVerdict { get; }

    /// <summary>group_names(groups): a WSGIAuthGroupScript's groups_for_user answer as a tuple of str; None when it is not names.</summary>
    public PyRef GroupNames { get; }

    /// <summary>access_verdict(result): a WSGIAccessScript's allow_access answer as an outcome; None for another type.</summary>
    public PyRef AccessVerdict { get; }

    /// <summary>Creates `_wsgihost` in the interpreter whose GIL this thread holds.</summary>
    public static Bootstrap Install(IReadOnlyList<(string Name, nint Function)> natives)
    {
        nint moduleHandle;
        fixed (byte* name = s_moduleName)
        {
            moduleHandle = LibPython.PyImport_AddModule(name); // borrowed; sys.modules owns it
        }
        if (moduleHandle == 0)
        {
            throw PythonException.FetchCurrent();
        }
        using var module = PyOwned.FromBorrowed(moduleHandle);
        var globals = new PyBorrowed(LibPython.PyModule_GetDict(module.Handle));
        // 3.9 does not add __builtins__ to a bare globals dict on exec ("__import__ not found").
        using (var builtins = Py.Import("builtins"))
        {
            Py.DictSet(globals, "__builtins__", builtins.Borrow());
        }
        foreach (var (name, function) in natives)
        {
            using var fn = PyOwned.New(LibPython.PyCFunction_NewEx(function, 0, 0));
            Py.DictSet(globals, name, fn.Borrow());
        }
        nint codeHandle;
        fixed (byte* src = s_source)
        fixed (byte* file = s_fileName)
        {
            codeHandle = LibPython.Py_CompileString(src, file, Py_file_input);
        }
        using var code = PyOwned.New(codeHandle);
        using var result = PyOwned.New(LibPython.PyEval_EvalCode(code.Handle, globals.Handle, globals.Handle));

        var names = new[] { "errors", "Input", "FileWrapper", "file_wrapper_source", "load_script", "add_python_path", "password_verdict", "group_names", "access_verdict" };
        var refs = new PyRef[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            PyBorrowed item = Py.DictGet(globals, names[i]);
            if (item.IsNull)
            {
                throw new InvalidOperationException($"bootstrap.py did not define {names[i]}");
            }
            refs[i] = PyOwned.FromBorrowed(item.Handle).Keep();
        }
        return new Bootstrap(module.Keep(), refs[0], refs[1], refs[2], refs[3], refs[4], refs[5], refs[6], refs[7], refs[8]);
    }

    public void Release()
    {
        Errors.Release();
        InputType.Release();
        FileWrapperType.Release();
        FileWrapperSource.Release();
        LoadScript.Release();
        AddPythonPath.Release();
        PasswordVerdict.Release();
        GroupNames.Release();
        AccessVerdict.Release();
        Module.Release();
    }

    private static byte[] LoadSource()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("WsgiHost.Python.bootstrap.py")
            ?? throw new InvalidOperationException("bootstrap.py is missing from WsgiHost.Python's resources");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        memory.WriteByte(0);
        return memory.ToArray();
    }

    /// <summary>A PyMethodDef in native memory that lives as long as the process.</summary>
    internal static nint MethodDef(string name, nint function, int flags)
    {
        var def = (PyMethodDef*)NativeMemory.AllocZeroed((nuint)sizeof(PyMethodDef));
        def->Name = Marshal.StringToCoTaskMemUTF8(name);
        def->Method = function;
        def->Flags = flags;
        return (nint)def;
    }
}
