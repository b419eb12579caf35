using WsgiHost.Python.Wsgi;

namespace WsgiHost.Tests.Wsgi;

/// <summary>
/// Which tracebacks take an extra isolated interpreter out of an application's rotation: an
/// extension refusing isolation, not any import failure (a missing module fails in every
/// interpreter, and the fix is the module, not fewer interpreters).
/// </summary>
public sealed class IsolationRefusalTests
{
    [Theory]
    [InlineData("Traceback (most recent call last):\n  File \"/srv/app.wsgi\", line 2, in <module>\nImportError: module _testsinglephase does not support loading in subinterpreters")]
    [InlineData("ImportError: Interpreter change detected - this module can only be loaded into one interpreter per process.")]
    public void AnExtensionRefusingIsolationIsRecognised(string traceback) =>
        Assert.True(WsgiScript.RefusesIsolation(traceback));

    [Theory]
    [InlineData("ModuleNotFoundError: No module named 'numpy'")]
    [InlineData("ImportError: cannot import name 'x' from 'y'")]
    [InlineData("RuntimeError: the interpreter is shutting down")]
    [InlineData("")]
    public void OtherFailuresAreNot(string traceback) =>
        Assert.False(WsgiScript.RefusesIsolation(traceback));
}
