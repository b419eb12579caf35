using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using WsgiHost.Server;
using WsgiHost.Tests.Interop;

namespace WsgiHost.Tests.Server;

/// <summary>
/// The supervisor's listening sockets and a server process's requests for them, over a real
/// socket pair and real sockets: one socket per place and address, kept while its holders come
/// and go, and a failed bind reported to the process as the error it would have had itself.
/// </summary>
public sealed class ListenSocketBrokerTests
{
    private static ListenSocketClient ClientOf(SafeHandle inherited)
    {
        // The descriptor a server process inherits, taken over as that process would take it.
        var channel = new SafeSocketHandle(inherited.DangerousGetHandle(), ownsHandle: true);
        inherited.SetHandleAsInvalid();
        return ListenSocketClient.Over(channel);
    }

    private static int PortOf(Socket socket) => ((IPEndPoint)socket.LocalEndPoint!).Port;

    [Fact]
    public void AProcessAtAPlaceGetsTheSocketItsPredecessorHad()
    {
        using var broker = new ListenSocketBroker(new NullLog());
        var (variable, inheritedFirst, leaseFirst) = broker.Open(place: 0);
        Assert.Equal(ListenSocketChannel.Variable, variable.Key);
        using ListenSocketClient first = ClientOf(inheritedFirst);
        using Socket a = first.Create(new IPEndPoint(IPAddress.Loopback, 0));
        a.Listen();
        int port = PortOf(a);

        // The next process at place 0 (a reload): the same socket, so the same queue.
        var (_, inheritedNext, leaseNext) = broker.Open(place: 0);
        using ListenSocketClient next = ClientOf(inheritedNext);
        using Socket b = next.Create(new IPEndPoint(IPAddress.Loopback, 0));
        Assert.Equal(port, PortOf(b));
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            // Queued while the first process still had it: accepted by the next one.
            client.Connect(IPAddress.Loopback, port);
            a.Dispose();
            leaseFirst.Dispose();
            using Socket accepted = b.Accept();
            Assert.Equal(((IPEndPoint)client.LocalEndPoint!).Port, ((IPEndPoint)accepted.RemoteEndPoint!).Port);
        }
        Assert.Equal(0, broker.CloseUnheld());
        leaseNext.Dispose();
        Assert.Equal(1, broker.CloseUnheld());
        Assert.Equal(0, broker.Count);
    }

    [Fact]
    public void EachPlaceHasASocketOfItsOwnOnTheSamePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = PortOf(probe);
        probe.Dispose();

        using var broker = new ListenSocketBroker(new NullLog());
        var (_, inheritedZero, leaseZero) = broker.Open(place: 0);
        var (_, inheritedOne, leaseOne) = broker.Open(place: 1);
        using ListenSocketClient zero = ClientOf(inheritedZero);
        using ListenSocketClient one = ClientOf(inheritedOne);
        using Socket a = zero.Create(new IPEndPoint(IPAddress.Loopback, port));
        using Socket b = one.Create(new IPEndPoint(IPAddress.Loopback, port));
        Assert.Equal(port, PortOf(a));
        Assert.Equal(port, PortOf(b));
        Assert.Equal(2, broker.Count);

        // A dead process's place lets its sockets go, and only that place's.
        leaseOne.Dispose();
        Assert.Equal(1, broker.CloseUnheld(place: 1));
        Assert.Equal(0, broker.CloseUnheld(place: 0));
        leaseZero.Dispose();
    }

    [Fact]
    public void AnAddressInUseIsTheProcesssError()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();

        using var broker = new ListenSocketBroker(new NullLog());
        var (_, inherited, lease) = broker.Open(place: 0);
        using ListenSocketClient client = ClientOf(inherited);
        var refused = Assert.Throws<SocketException>(() => client.Create(taken.LocalEndPoint!));
        Assert.Equal(SocketError.AddressAlreadyInUse, refused.SocketErrorCode);
        Assert.Contains("in use", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, broker.Count);
        lease.Dispose();
    }

    [Theory]
    [InlineData("127.0.0.1 8080", "127.0.0.1:8080")]
    [InlineData(":: 443", "[::]:443")]
    [InlineData("::1 0", "[::1]:0")]
    public void ARequestNamesAnAddressAndAPort(string line, string endpoint)
    {
        IPEndPoint? parsed = ListenSocketChannel.ParseRequest(line);
        Assert.Equal(endpoint, parsed?.ToString());
        Assert.Equal(line + "\n", ListenSocketChannel.Request(parsed!));
    }

    [Theory]
    [InlineData("")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1 65536")]
    [InlineData("localhost 80")]
    [InlineData("127.0.0.1 -1")]
    public void AnythingElseIsNoRequest(string line) => Assert.Null(ListenSocketChannel.ParseRequest(line));

    [Fact]
    public void ARefusalCarriesTheErrorAndItsMessage()
    {
        string line = ListenSocketChannel.Refused(SocketError.AccessDenied, "Permission denied\nreally").TrimEnd('\n');
        SocketException? refused = ListenSocketChannel.ParseAnswer(line);
        Assert.Equal(SocketError.AccessDenied, refused?.SocketErrorCode);
        Assert.Equal("Permission denied really", refused?.Message);
        Assert.Null(ListenSocketChannel.ParseAnswer("K"));
        Assert.Throws<IOException>(() => ListenSocketChannel.ParseAnswer("what"));
    }
}
