using System.Runtime.InteropServices;

namespace WsgiHost.Python.Interop;

/// <summary>
/// Raw entry points of the CPython C API, resolved once from the loaded libpython.
/// Only functions are used, never struct layouts, so one build serves Python 3.9 to 3.13.
/// Callers outside Interop/ go through the typed wrappers in Refs/ and Runtime/, which
/// state who owns each returned reference.
/// </summary>
internal static unsafe partial class LibPython
{
    private static nint s_handle;

    public static bool IsLoaded => s_handle != 0;

    /// <summary>Loads the library and resolves every export; fails fast on a missing required one.</summary>
    public static void Load(string libraryPath)
    {
        if (s_handle != 0)
        {
            throw new InvalidOperationException("libpython is already loaded in this process; only one Python per process is possible.");
        }
        nint handle = NativeLibraryLoader.LoadGlobal(libraryPath);
        s_handle = handle;
        ResolveLifecycle();
        ResolveThreads();
        ResolveObjects();
        ResolveStrings();
        ResolveContainers();
        ResolveErrors();
    }

    private static nint Required(string name)
    {
        if (NativeLibrary.TryGetExport(s_handle, name, out nint address))
        {
            return address;
        }
        throw new NotSupportedException($"libpython does not export {name}; WsgiHost needs Python 3.9 or later.");
    }

    /// <summary>Sets an int variable libpython exports (a pre-initialisation flag); false when this Python has none of that name.</summary>
    public static bool TrySetGlobalInt(string name, int value)
    {
        nint address = Optional(name);
        if (address == 0)
        {
            return false;
        }
        *(int*)address = value;
        return true;
    }

    private static nint Optional(string name) =>
        NativeLibrary.TryGetExport(s_handle, name, out nint address) ? address : 0;

    /// <summary>Exception classes are exported as the address of a PyObject* variable.</summary>
    private static nint ExceptionObject(string name) => *(nint*)Required(name);
}
