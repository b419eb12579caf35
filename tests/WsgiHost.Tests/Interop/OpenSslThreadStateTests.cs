using System.Runtime.InteropServices;
using WsgiHost.Python.Interop;

namespace WsgiHost.Tests.Interop;

public sealed class OpenSslThreadStateTests
{
    private static bool LibcryptoLoaded()
    {
        nint handle = NativeLibraryLoader.OpenIfLoaded("libcrypto.so.3");
        if (handle == 0)
        {
            return false;
        }
        NativeLibrary.Free(handle);
        return true;
    }

    [Fact]
    public void AThreadReleasesItsOpenSslStateWhereLibcryptoIsLoadedAndLoadsNothingWhereNot()
    {
        Exception? failure = null;
        // A thread of its own: the state released is the calling thread's.
        var thread = new Thread(() =>
        {
            try
            {
                // Other tests may have had .NET load OpenSSL already: either way, nothing is loaded here.
                bool before = LibcryptoLoaded();
                Assert.Equal(before, OpenSslThreadState.ReleaseForCurrentThread());
                Assert.Equal(before, LibcryptoLoaded());

                NativeLibrary.Load("libcrypto.so.3");
                Assert.True(OpenSslThreadState.ReleaseForCurrentThread());
                // OpenSSL sets the thread up again when it is used after that.
                Assert.Equal(32, System.Security.Cryptography.SHA256.HashData("x"u8).Length);
                Assert.True(OpenSslThreadState.ReleaseForCurrentThread());
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        Assert.Null(failure);
    }
}
